/**
 * The system configuration schema: one section per section of the original's
 * `panda_harvester.cfg`, keys spelled as there (case-sensitive camelCase) with
 * the original's defaults (template values where the template sets one; the
 * code default is noted where it differs). Keys marked "not used" are accepted
 * so an existing file loads, but nothing here reads them.
 */
import {
  bool, csv, factor, int, jsonList, jsonObject, list, num, oneOf, str,
  type AnyLeaf, type LeafValue,
} from './leaf';

const agentThreads = (agent: string) => int(`number of concurrent ${agent} loops (threads) in each process; 0 = agent off`, 3);
const sleepTime = (def: number) => int('sleep between cycles', def, { unit: 's' });
const lockInterval = () => int('a row locked longer than this is considered abandoned (its owner died) and may be claimed again', 600, { unit: 's', min: 1 });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty', 'auto'] as const;

export const schema = {
  master: {
    uname: str('user name of the daemon process (not used: PM2/systemd choose the user)', '', { unused: true }),
    gname: str('group name of the daemon process (not used)', '', { unused: true }),
    loggername: str('logger name (pino `name` field)', 'harvester'),
    harvester_id: str('harvester id, unique, as registered in the PanDA server; sent in every upstream call', '', { required: true, env: 'HARVESTER_ID' }),
    debugger_port: int('port of the remote debugger (not used)', 19550, { unused: true, min: 1, max: 65535 }),
    dynamic_plugin_change: bool('capability to change plugins dynamically (template False; the original code defaults to True)', false),
    extraPluginConfigs: jsonObject('extra plugin configuration, JSON keyed by plugin class name', {}),
    shutdownGraceTime: int('on SIGINT/SIGTERM, how long running cycles may take to finish before rows are released and the process exits', 30, { unit: 's' }),
    pidFile: str('extra pid/lock file for the master (relative to the working directory); empty = only the automatic lock next to the sqlite database file (<database_filename>.master.lock)', ''),
    logLevel: oneOf('log level (pino)', LOG_LEVELS, 'info', { env: 'HARVESTER_LOG_LEVEL' }),
    logFile: str('log file (newline-delimited JSON); empty = stdout', ''),
    logFormat: oneOf('log line format: json (one JSON object per line), pretty (short text lines for a person), auto (pretty when stdout is a terminal and logFile is empty, else json)', LOG_FORMATS, 'json'),
    progressInterval: int('period of the progress log line (jobs and workers by status, upstream totals with the embedded WMS); 0 = off', 0, { unit: 's', min: 0 }),
  },
  db: {
    verbose: bool('log every SQL statement', false),
    useInspect: bool('decorate verbose messages with the caller (not used)', false, { unused: true }),
    nConnections: int('number of database connections in each process', 10, { min: 1 }),
    engine: oneOf('database engine', ['sqlite', 'mariadb'] as const, 'sqlite'),
    database_filename: str('sqlite database file (relative to the working directory); keep it on local disk, sqlite dislikes NAS', 'var/harvester.db'),
    useMySQLdb: bool('use MySQLdb for MariaDB (not used: mysql2 always)', false, { unused: true }),
    user: str('MariaDB user', 'harvester'),
    password: str('MariaDB password', '', { sensitive: true }),
    schema: str('MariaDB schema (database name)', 'HARVESTER'),
    host: str('MariaDB host', 'localhost'),
    port: int('MariaDB port', 3306, { min: 1, max: 65535 }),
    reconnectTimeout: int('how long to keep trying to reconnect to the database before giving up', 300, { unit: 's' }),
    syncMaxWorkerID: bool('start the workerID sequence after the largest workerID known to PanDA', false),
    busyTimeout: int('sqlite busy timeout on every connection (waits for a lock instead of failing with "database is locked")', 30000, { unit: 'ms' }),
  },
  fifo: {
    fifoModule: str('FIFO backend module', 'pandaharvester.harvesterfifo.sqlite_fifo'),
    fifoClass: str('FIFO backend class', 'SqliteFifo'),
    database_filename: str('sqlite FIFO file; `$(TITLE)` is replaced by the FIFO title (e.g. monitor); must differ from the main database', '/dev/shm/$(TITLE)_fifo.db'),
    db_host: str('MariaDB FIFO host; None = [db] host', null, { nullable: true }),
    db_port: int('MariaDB FIFO port; None = [db] port', null, { nullable: true, min: 1, max: 65535 }),
    db_user: str('MariaDB FIFO user; None = [db] user', null, { nullable: true }),
    db_password: str('MariaDB FIFO password; None = [db] password', null, { nullable: true, sensitive: true }),
    db_schema: str('MariaDB FIFO schema; None = [db] schema', null, { nullable: true }),
  },
  communicator: {
    moduleName: str('communicator module (the original ignores it; see facts §14.5)', 'pandaharvester.harvestercommunicator.panda_communicator'),
    className: str('communicator class', 'PandaCommunicator'),
    nConnections: int('number of pooled communicator objects', 5, { min: 1 }),
  },
  pandacon: {
    timeout: int('timeout of PanDA server calls', 180, { unit: 's', min: 1 }),
    auth_type: oneOf('authentication to the PanDA server', ['x509', 'oidc'] as const, 'x509'),
    ca_cert: str('CA bundle file for https', '', { sensitive: true }),
    cert_file: str('client certificate file (x509)', '', { sensitive: true }),
    key_file: str('client key file (x509)', '', { sensitive: true }),
    auth_token: str('token for oidc: the token itself or `file:/path` (re-read every 10 min)', '', { sensitive: true }),
    auth_origin: str('origin (VO) for oidc', ''),
    pandaURL: str('legacy API base URL via http', 'http://pandaserver.cern.ch:25080/server/panda'),
    pandaURLSSL: str('legacy API base URL via https', 'https://pandaserver.cern.ch:25443/server/panda'),
    pandaURLProxy: str('legacy API base URL via a proxy', 'http://pandaserver.cern.ch:25080/server/panda'),
    pandaCacheURL_W: str('legacy write URL of the log cache server', 'https://aipanda011.cern.ch:25443/server/panda'),
    pandaCacheURL_R: str('legacy read URL of the log cache server', 'https://aipanda011.cern.ch:25443/cache'),
    server_api_url: str('PanDA server API base URL via http', 'http://pandaserver.cern.ch:25080/api/v1'),
    server_api_url_ssl: str('PanDA server API base URL via https', 'https://pandaserver.cern.ch:25443/api/v1'),
    cache_api_url_ssl: str('PanDA cache API base URL (file uploads) via https', 'https://pandacache.cern.ch:25443/api/v1'),
    verbose: bool('log every PanDA call', false),
    useInspect: bool('decorate verbose messages with the caller (not used)', false, { unused: true }),
    getEventsChunkSize: int('number of event ranges asked for in one call', 5120, { min: 1 }),
    multihost_auth_config: str('JSON file {"host:port": {auth_type, cert_file, key_file, ca_cert, auth_token}} for per-host credentials', '', { sensitive: true }),
    iddsURL: str('iDDS server URL', ''),
  },
  qconf: {
    configFile: str('queue configuration file (JSON, the original panda_queueconfig.json layout)', 'panda_queueconfig.json'),
    configFromCacher: bool('take the queue configuration from the cacher entry "queues_config_file"', false),
    queueList: list('queues to serve, one per indented line, or ALL for every queue of configFile', ['ALL']),
    resolverModule: str('module resolving queue names to PanDA queues', 'pandaharvester.harvestermisc.info_utils'),
    resolverClass: str('class of the resolver', 'PandaQueuesDict'),
    resolverConfig: jsonObject('resolver configuration, e.g. {"refreshPeriod": 300}', null, { nullable: true }),
    autoBlacklist: bool('blacklist queues the resolver reports offline', false),
    pilotVersion: str('restrict to one pilot version', null, { nullable: true }),
    updateInterval: int('period to reload the queue configuration', 600, { unit: 's', min: 1 }),
    checkInterval: int('period for agents to check whether the queue configuration changed', 5, { unit: 's', min: 1 }),
    defaultTemplateQueueName: str('template queue applied to queues that name none', null, { nullable: true }),
  },
  commandmanager: {
    commands_bulk_size: int('number of commands fetched/acknowledged per PanDA call', 20, { min: 1 }),
    sleepTime: sleepTime(5),
  },
  jobfetcher: {
    nThreads: agentThreads('job fetcher'),
    nQueues: int('number of queues to fetch jobs for in one cycle', 5, { min: 1 }),
    maxJobs: int('max number of jobs fetched per queue in one cycle', 500),
    lookupTime: int('a queue is asked for jobs again only after this', 60, { unit: 's' }),
    sleepTime: sleepTime(60),
  },
  propagator: {
    nThreads: agentThreads('propagator'),
    maxJobs: int('max number of jobs to update in one cycle', 100),
    nJobsInBulk: int('number of jobs per bulk update call', 100, { min: 1 }),
    maxWorkers: int('max number of workers to update in one cycle', 100),
    nWorkersInBulk: int('number of workers per bulk update call', 100, { min: 1 }),
    maxDialogs: int('max number of dialog messages sent in one cycle', 50),
    minMessageLevel: oneOf('minimum level of log messages shipped to PanDA as dialogs', ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const, 'WARNING'),
    lockInterval: lockInterval(),
    updateInterval: int('a worker is reported again only after this', 1800, { unit: 's' }),
    sleepTime: sleepTime(60),
  },
  preparator: {
    nThreads: agentThreads('preparator'),
    maxJobsToCheck: int('max number of jobs to check in one cycle', 100),
    maxJobsToTrigger: int('max number of jobs in preparation at once (jobs in flight count against it)', 100),
    maxFilesPerJobToCheck: int('max number of files per job to check in one cycle; 0 = unlimited', 0),
    maxFilesPerJobToPrepare: int('max number of files per job to prepare in one cycle; 0 = unlimited', 0),
    lockInterval: lockInterval(),
    checkInterval: int('a preparing job is checked again only after this', 180, { unit: 's' }),
    triggerInterval: int('a fetched job is triggered again only after this', 180, { unit: 's' }),
    sleepTime: sleepTime(60),
  },
  submitter: {
    nThreads: agentThreads('submitter'),
    nQueues: int('max number of queues to try in one cycle (not used by the original either)', 3, { unused: true }),
    lookupTime: int('a queue (site) is submitted to again only after this', 60, { unit: 's' }),
    queueLockInterval: int('a queue lock older than this is considered abandoned', 300, { unit: 's', min: 1 }),
    lockInterval: lockInterval(),
    checkInterval: int('check interval', 60, { unit: 's' }),
    minSubmissionInterval: int('minimum time between submissions to the same queue; 0 = none', 0, { unit: 's' }),
    sleepTime: sleepTime(60),
    maxNewWorkers: int('max number of new workers per queue in one cycle', 1000),
    respectSleepTime: bool('sleep sleepTime even after a cycle that processed a queue (default: loop again at once)', false),
    activateWorkerFactor: factor('factor on activated jobs to size pull (NoJob) queues; auto = 1 / number of harvester instances serving the site', 1.0),
    noPilotsWhenNoActiveJobs: bool('submit no pilot when a queue has no activated job', false),
  },
  monitor: {
    nThreads: agentThreads('monitor'),
    maxWorkers: int('max number of workers to check in one cycle', 500),
    lockInterval: lockInterval(),
    checkInterval: int('a worker is checked again only after this', 300, { unit: 's' }),
    checkTimeout: int('a worker whose checks keep failing for this long is killed', 3600, { unit: 's' }),
    sleepTime: sleepTime(600),
    fifoEnable: bool('schedule checks through the monitor FIFO', false),
    fifoSleepTimeMilli: int('sleep between FIFO cycles (code default 5000)', 15000, { unit: 'ms' }),
    fifoCheckInterval: int('a worker is re-enqueued to be checked after this (code default = checkInterval)', 120, { unit: 's' }),
    fifoCheckDuration: int('max duration of one FIFO cycle (code default 30)', 60, { unit: 's' }),
    fifoForceEnqueueInterval: int('a worker not checked for this long is force-enqueued (code default 3600)', 1500, { unit: 's' }),
    fifoMaxWorkersToPopulate: int('max number of workers loaded into the FIFO at start', 2 ** 32),
    fifoMaxWorkersPerChunk: int('max number of workers in one FIFO item', 500, { min: 1 }),
    fifoMaxPreemptInterval: int('how long a worker in post-processing may jump the FIFO queue', 60, { unit: 's' }),
    fifoProtectiveDequeue: bool('keep dequeued items in a temporary space until processed', true),
    fifoModule: str('FIFO backend module for this agent; None = [fifo] fifoModule', null, { nullable: true }),
    fifoClass: str('FIFO backend class for this agent; None = [fifo] fifoClass', null, { nullable: true }),
    pluginCacheEnable: bool('let monitor plugins that support it cache batch-system queries', false),
    pluginCacheRefreshInterval: int('refresh period of the plugin cache; None = checkInterval', null, { unit: 's', nullable: true }),
    workerQueueTimeLimit: int('a worker queued (submitted) longer than this is killed', 172800, { unit: 's' }),
    eventBasedEnable: bool('event-based checks (needs fifoEnable)', false),
    eventBasedPlugins: jsonList('plugins for event-based checks: JSON list of {module, name, ...}', []),
    eventBasedCheckInterval: int('period of event-based queries to the plugins', 300, { unit: 's', min: 1 }),
    eventBasedTimeWindow: int('time window of event-based queries', 450, { unit: 's' }),
    eventBasedCheckMaxEvents: int('max number of events handled in one cycle', 500),
    eventBasedEventLifetime: int('events older than this are dropped', 1800, { unit: 's' }),
    eventBasedRemoveMaxEvents: int('max number of expired events dropped in one cycle', 2000),
    postProcessTimeout: int('retry post-processing for this long; 0 = give up at once', 0, { unit: 'min' }),
  },
  credmanager: {
    moduleName: list('credential manager modules, one per line (parallel to className, inCertFile, outCertFile, voms)', []),
    className: list('credential manager classes, one per line', []),
    inCertFile: list('input certificate files, one per line', [], { sensitive: true }),
    certFile: list('older name of inCertFile', [], { sensitive: true }),
    outCertFile: list('output (proxy) certificate files, one per line; default [pandacon] cert_file', [], { sensitive: true }),
    voms: list('VOMS attributes, one per line', []),
    pluginConfigs: jsonList('credential managers as JSON [{module, name, configs: {setupName: {attrs}}}]', []),
    sleepTime: sleepTime(1800),
  },
  stager: {
    nThreads: agentThreads('stager'),
    maxJobsToCheck: int('max number of jobs to check in one cycle', 100),
    maxJobsToTrigger: int('max number of jobs to trigger in one cycle', 100),
    maxJobsToZip: int('obsolete, use [zipper] maxJobsToZip', 100),
    maxFilesPerJobToCheck: int('max number of files per job to check in one cycle; 0 = unlimited', 0),
    maxFilesPerJobToTrigger: int('max number of files per job to trigger in one cycle; 0 = unlimited', 0),
    maxFilesPerJobToZip: int('obsolete, use [zipper] maxFilesPerJobToZip', 0),
    usePostZipping: bool('obsolete, use [zipper] usePostZipping', false),
    lockInterval: lockInterval(),
    checkInterval: int('a transferring job is checked again only after this', 180, { unit: 's' }),
    triggerInterval: int('a job to transfer is triggered again only after this', 180, { unit: 's' }),
    zipInterval: int('obsolete, use [zipper] zipInterval', 180, { unit: 's' }),
    nThreadsForZip: int('obsolete, use [zipper] nThreadsForZip', 4, { min: 1 }),
    sleepTime: sleepTime(60),
  },
  zipper: {
    maxJobsToZip: int('max number of jobs to zip in one cycle', 100),
    maxFilesPerJobToZip: int('max number of files per job to zip in one cycle; 0 = unlimited', 0),
    usePostZipping: bool('two-stage zipping (zip, then post-zip)', false),
    lockInterval: lockInterval(),
    zipInterval: int('a job to zip is looked at again only after this', 180, { unit: 's' }),
    nThreadsForZip: int('number of concurrent zip makers', 4, { min: 1 }),
  },
  eventfeeder: {
    nThreads: agentThreads('event feeder'),
    maxWorkers: int('max number of workers to feed in one cycle', 500),
    lockInterval: lockInterval(),
    sleepTime: sleepTime(60),
  },
  cacher: {
    data: list('cached items, one per indented line: mainKey|subKey|URL|dumpFile (subKey, dumpFile optional; URL file:, http(s):, panda_cache:, panda_server:)', []),
    refreshInterval: int('an item is refreshed when older than this', 10, { unit: 'min' }),
    sleepTime: sleepTime(60),
  },
  payload_interaction: {
    workerAttributesFile: str('payload → harvester: per-job attributes', 'worker_attributes.json'),
    jobReportFile: str('payload → harvester: job report', 'jobReport.json'),
    eventStatusDumpJsonFile: str('payload → harvester: event status dump (JSON)', 'event_status.dump.json'),
    eventStatusDumpXmlFile: str('event status dump (XML, not used)', '_event_status.dump'),
    jobRequestFile: str('worker → harvester: job request', 'worker_requestjob.json'),
    jobSpecFile: str('harvester → payload: job specification', 'HPCJobs.json'),
    eventRequestFile: str('worker → harvester: event request', 'worker_requestevents.json'),
    eventRangesFile: str('harvester → worker: event ranges', 'JobsEventRanges.json'),
    updateEventsFile: str('worker → harvester: event updates', 'worker_updateevents.json'),
    xmlPoolCatalogFile: str('harvester → payload: POOL file catalog of inputs', 'PoolFileCatalog_H.xml'),
    pandaIDsFile: str('PandaIDs of a worker (pull mode)', 'worker_pandaids.json'),
    killWorkerFile: str('worker → harvester: kill request', 'kill_worker.json'),
    heartbeatFile: str('worker → harvester: heartbeat', 'worker_heartbeat.json'),
  },
  frontend: {
    portNumber: int('port of the HTTP frontend (messenger /entry, metrics)', 25080, { min: 1, max: 65535 }),
    nThreads: int('number of concurrent requests served', 10, { min: 1 }),
    verbose: bool('log every request', false),
    type: oneOf('frontend type', ['simple', 'apache'] as const, 'simple'),
    authEnable: bool('require a JWT on /entry', true),
    secretFile: str('file holding the secret that signs JWTs', '', { sensitive: true }),
    verifyToken: bool('verify JWT signature and expiry', true),
  },
  sweeper: {
    nThreads: agentThreads('sweeper'),
    maxWorkers: int('max number of workers to kill/clean in one cycle', 500),
    checkInterval: int('a worker to kill is retried only after this', 180, { unit: 's' }),
    sleepTime: sleepTime(60),
    keepFinished: num('keep finished workers this long (fractional hours allowed, e.g. 0.01 = 36 s)', 24, { unit: 'h' }),
    keepFailed: num('keep failed workers this long (fractional hours allowed, e.g. 0.01 = 36 s)', 72, { unit: 'h' }),
    keepCancelled: num('keep cancelled workers this long (fractional hours allowed, e.g. 0.01 = 36 s)', 72, { unit: 'h' }),
    keepMissed: num('keep missed workers this long (fractional hours allowed, e.g. 0.01 = 36 s)', 24, { unit: 'h' }),
    keepPending: num('keep pending workers this long (fractional hours allowed, e.g. 0.01 = 36 s)', 24, { unit: 'h' }),
    diskCleanUpInterval: int('period of disk clean-up; None = off', null, { unit: 'h', nullable: true }),
    diskHighWatermark: csv('disk clean-up targets: dir|GB,dir|GB', []),
  },
  watcher: {
    logFileNameList: csv('log files to watch, comma-separated', ['panda-db_proxy.log']),
    maxStalled: int('act when the newest message is older than this; 0 = off', 300, { unit: 's' }),
    nMessages: int('number of messages spanned by maxDuration', 1000, { min: 1 }),
    maxDuration: int('act when nMessages took longer than this to write; 0 = off', 600, { unit: 's' }),
    checkInterval: int('check period', 180, { unit: 's' }),
    sleepTime: sleepTime(60),
    actions: csv('actions, comma-separated; empty = none', [], { values: ['email', 'kill', 'terminate'] }),
    passphraseEnv: str('name of the environment variable holding the passphrase of mailUser/mailPassword', 'HARVESTER_WATCHER_PASSPHRASE', { sensitive: true }),
    mailServer: str('SMTP server', 'localhost'),
    mailPort: int('SMTP port', 25, { min: 1, max: 65535 }),
    mailUseSSL: bool('SMTP over SSL', false),
    mailUser: str('SMTP login (encrypted); empty = no login', '', { sensitive: true }),
    mailPassword: str('SMTP password (encrypted); empty = no login', '', { sensitive: true }),
    mailFrom: str('alarm sender', ''),
    mailTo: csv('alarm recipients, comma-separated', []),
  },
  apfmon: {
    active: bool('report to APFMon (the template sets True; the code defaults to False)', false),
    base_url: str('APFMon API', 'http://apfmon.lancs.ac.uk/api'),
    worker_timeout: num('timeout of APFMon calls', 0.5, { unit: 's' }),
  },
  service_monitor: {
    active: bool('record process and disk metrics for PanDA', false),
    disk_volumes: csv('disk volumes whose usage is recorded, comma-separated', []),
    pidfile: str('pid file of the master whose process tree is measured; empty = [master] pidFile', ''),
    sleepTime: sleepTime(300),
  },
  googlecloud: {
    zone: str('legacy, not used', '', { unused: true }),
    project: str('legacy, not used', '', { unused: true }),
    service_account_file: str('legacy, not used', '', { unused: true, sensitive: true }),
    user_data_file: str('legacy, not used', '', { unused: true }),
    image: str('legacy, not used', '', { unused: true }),
    harvester_frontend: str('legacy, not used', '', { unused: true }),
  },
  file_syncer: {
    pluginConfigs: jsonList('file syncers as JSON [{module, name, configs: {setupName: {targetDir, sourceURL, ...}}}]', []),
    sleepTime: sleepTime(600),
  },
  wms: {
    embedded: bool('start the embedded WMS (a small PanDA stand-in speaking the same protocol) inside the master and point the PanDA client at it; for the default setup and tests, not for production', false),
    host: str('address the embedded WMS listens on (keep it on loopback: it has no authentication)', '127.0.0.1'),
    port: int('port of the embedded WMS; 0 = any free port', 26080, { min: 0, max: 65535 }),
    jobsFile: str('job definitions loaded into an empty embedded WMS at start (JSON, see docs/wms.md); empty = none', ''),
    stateFile: str('file the embedded WMS saves its state to and restores it from (so a restart keeps jobs and history); empty = in memory only', ''),
  },
} as const;

export type SectionName = keyof typeof schema;

/** The levels accepted in [log_level] (the original's names, plus pino's). */
export const LOGGER_LEVELS = ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG', 'NOTSET', ...LOG_LEVELS] as const;
export type LoggerLevel = (typeof LOGGER_LEVELS)[number];

/**
 * `[log_level]` is free-form in the original (`<logger> = LEVEL`), so it is a
 * map, not a fixed set of keys; every key is accepted, values are checked.
 */
export const MAP_SECTION = 'log_level';
export const LOG_LEVEL_ENTRY = oneOf('per-logger level', LOGGER_LEVELS, 'INFO');

type SectionValues<S> = { -readonly [K in keyof S]: LeafValue<S[K]> };

/** The resolved system configuration, derived from the schema. */
export type HarvesterConfig = { -readonly [S in SectionName]: SectionValues<(typeof schema)[S]> } & {
  /** `[log_level]`: logger name → level. */
  log_level: Record<string, LoggerLevel>;
};

export const SECTION_DOCS: Record<SectionName | typeof MAP_SECTION, string> = {
  master: 'The process: identity, logging, shutdown.',
  db: 'The database every agent shares (sqlite for one host, MariaDB for several processes/hosts).',
  fifo: 'Backend of the FIFOs (monitor scheduling).',
  communicator: 'The upstream (PanDA) communicator pool.',
  pandacon: 'Connection to the PanDA server.',
  qconf: 'Queue configuration source and reload.',
  commandmanager: 'Command manager: fetches commands from PanDA, heartbeats.',
  jobfetcher: 'Job fetcher: gets jobs from PanDA for queues with room.',
  propagator: 'Propagator: reports job and worker states to PanDA.',
  preparator: 'Preparator: stage-in of job inputs.',
  submitter: 'Submitter: makes and submits workers.',
  monitor: 'Monitor: checks workers on the resource.',
  credmanager: 'Credential manager: renews proxies and tokens.',
  stager: 'Stager: stage-out of job outputs.',
  zipper: 'Zipping of outputs (done by the stager; these keys win over the obsolete [stager] ones).',
  eventfeeder: 'Event feeder: event ranges for event-service workers.',
  cacher: 'Cacher: refreshes cached external data into the database.',
  payload_interaction: 'File names exchanged between harvester and payloads (shared-file messenger).',
  frontend: 'HTTP frontend (messenger endpoint for workers).',
  sweeper: 'Sweeper: kills and cleans up workers.',
  watcher: 'Watcher: alarms when logging stalls.',
  apfmon: 'APFMon reporting.',
  service_monitor: 'Service monitor: process and disk metrics.',
  googlecloud: 'Legacy Google Cloud section: accepted so an old file loads, not used.',
  file_syncer: 'File syncer: keeps directories in sync with remote sources (e.g. git).',
  wms: 'Embedded WMS: an in-process stand-in for the PanDA server (same protocol over HTTP on loopback), so a fresh clone runs without PanDA.',
  log_level: 'Per-logger level, `<logger> = LEVEL` (CRITICAL, ERROR, WARNING, INFO, DEBUG, NOTSET or a pino level). Any logger name is accepted.',
};

/** Every section name, in the schema's order. */
export const SECTION_NAMES = Object.keys(schema) as SectionName[];

/** The leaf of `section.key`, or undefined when the schema has no such key. */
export function leafOf(section: string, key: string): AnyLeaf | undefined {
  if (section === MAP_SECTION) return LOG_LEVEL_ENTRY as AnyLeaf;
  if (!Object.prototype.hasOwnProperty.call(schema, section)) return undefined;
  const keys = schema[section as SectionName] as Record<string, AnyLeaf>;
  return Object.prototype.hasOwnProperty.call(keys, key) ? keys[key] : undefined;
}

export function isKnownSection(section: string): boolean {
  return section === MAP_SECTION || Object.prototype.hasOwnProperty.call(schema, section);
}

/** `[section, key, leaf]` for every fixed key of the schema. */
export function allLeaves(): Array<[SectionName, string, AnyLeaf]> {
  return SECTION_NAMES.flatMap((s) =>
    Object.entries(schema[s] as Record<string, AnyLeaf>).map(([k, leaf]) => [s, k, leaf] as [SectionName, string, AnyLeaf]),
  );
}

/**
 * Secret keys ("section.key"): masked when printed, refused from a remote
 * source. A unit test checks every key whose name looks secret is listed.
 */
export const SECRET_KEYS: readonly string[] = allLeaves()
  .filter(([, , leaf]) => leaf.sensitive === true)
  .map(([s, k]) => `${s}.${k}`);

export function isSecretKey(section: string, key: string): boolean {
  return SECRET_KEYS.includes(`${section}.${key}`);
}
