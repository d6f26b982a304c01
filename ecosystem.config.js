// PM2 process file for Harvester. See docs/deployment.md.
//
//   pm2 start ecosystem.config.js                 # one master on sqlite (default)
//   (N masters sharing MariaDB: the commented entry at the end)
//
// Fork mode, not cluster mode: Harvester shares no listening port between its
// instances; they cooperate through row claims in the database, and each gets
// its own lock-owner id from NODE_APP_INSTANCE (see src/db/owner.ts).
'use strict';
const path = require('node:path');

// One source of truth for the drain time: HARVESTER_MASTER_SHUTDOWNGRACETIME is
// the config loader's own override of [master] shutdownGraceTime (env wins over
// the cfg file), so the master drains for exactly as long as PM2 is told to
// wait, plus a margin, before it SIGKILLs. Under PM2 set it here or in the
// environment of `pm2 start`, not in harvester.cfg.
const graceTime = Number(process.env.HARVESTER_MASTER_SHUTDOWNGRACETIME || 30); // s
// Margin for what follows the drain: releasing held rows, closing the database.
const killTimeout = (graceTime + 15) * 1000; // ms
const logDir = process.env.HARVESTER_LOG_DIR || path.join(__dirname, 'var', 'log');

/** Settings every Harvester app shares; `name` and instance count differ. */
const common = {
  script: path.join(__dirname, 'bin', 'harvester.js'),
  args: ['start'],
  cwd: __dirname,
  exec_mode: 'fork',
  // The master sends 'ready' once config, database and agents are up.
  wait_ready: true,
  // Migrations on a large database can take a while before 'ready'.
  listen_timeout: 60000,
  kill_timeout: killTimeout,
  // PM2 sends SIGINT on stop; the master drains on it (and on SIGTERM and the
  // 'shutdown' message too, should someone turn this on).
  shutdown_with_message: false,
  // PM2 numbers instances 0..N-1 in this variable; it is part of every owner id.
  instance_var: 'NODE_APP_INSTANCE',
  autorestart: true,
  // A master that dies within 10 s of starting (bad config: exit 2; another
  // master on the same sqlite file: exit 1) is not restarted forever.
  min_uptime: 10000,
  max_restarts: 10,
  restart_delay: 5000,
  env: {
    NODE_ENV: 'production',
    HARVESTER_MASTER_SHUTDOWNGRACETIME: String(graceTime),
    // V8 flags of the master, applied by `harvester start` itself (default
    // --heap-growing-percent=50: old generation grows to 1.5x live data, not
    // up to 4x; peak RSS ~140 MB instead of 160-200 MB in bench/e2e.ts). Set
    // HARVESTER_V8_FLAGS in the environment of `pm2 start` to change it, '' for
    // V8's defaults. See docs/deployment.md, "Memory: V8 flags of the master".
    ...(process.env.HARVESTER_V8_FLAGS !== undefined ? { HARVESTER_V8_FLAGS: process.env.HARVESTER_V8_FLAGS } : {}),
  },
};

module.exports = {
  apps: [
    {
      ...common,
      name: 'harvester',
      // sqlite allows one master per database file (the master refuses a second).
      instances: 1,
      // One file, no `-<instance>` suffix (PM2 adds one per instance otherwise).
      merge_logs: true,
      out_file: path.join(logDir, 'harvester-out.log'),
      error_file: path.join(logDir, 'harvester-error.log'),
    },
    // N masters sharing one MariaDB (docs/deployment.md, "N instances on
    // MariaDB"): uncomment, point HARVESTER_CONFIG at a config whose [db]
    // engine = mariadb, and start it instead of the sqlite app:
    //   pm2 start ecosystem.config.js --only harvester-mariadb
    // Each instance gets NODE_APP_INSTANCE 0..N-1 (part of its lock-owner id);
    // with merge_logs false PM2 suffixes each instance's log file with its id.
    //
    // {
    //   ...common,
    //   name: 'harvester-mariadb',
    //   instances: 4,
    //   merge_logs: false,
    //   out_file: path.join(logDir, 'harvester-mariadb-out.log'),
    //   error_file: path.join(logDir, 'harvester-mariadb-error.log'),
    //   env: { ...common.env, HARVESTER_CONFIG: path.join(__dirname, 'etc', 'harvester-mariadb.cfg') },
    // },
  ],
};
