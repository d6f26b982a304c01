import type { HarvesterConfig } from '../config/schema';
import type { Agent, AgentFactory, LoopSettings } from './agent';
import { agentSection, numberKey } from './section';
import { Cacher } from './cacher';
import { CommandManager } from './commandmanager';
import { CredManager } from './credmanager';
import { EventFeeder } from './eventfeeder';
import { FileSyncer } from './file_syncer';
import { JobFetcher } from './jobfetcher';
import { Monitor } from './monitor';
import { Preparator } from './preparator';
import { Propagator } from './propagator';
import { ServiceMonitor } from './service_monitor';
import { Stager } from './stager';
import { Submitter } from './submitter';
import { Sweeper } from './sweeper';
import { Watcher } from './watcher';

interface Shape {
  /** The original runs exactly one thread of these (facts §1.3); they guard themselves with a process lock. */
  singleton: boolean;
  /** The original randomises the sleep of every agent except the singletons (facts §1.4). */
  jitter: boolean;
  /** The original's default sleepTime (s), used when the config has no such key. */
  sleepTime: number;
  /** Extra enable condition besides nThreads (service_monitor: `active`). */
  enabled?: (section: Readonly<Record<string, unknown>> | undefined) => boolean;
}

const SINGLETON = { singleton: true, jitter: false } as const;
const POOL = { singleton: false, jitter: true } as const;

function define(name: string, make: () => Agent, shape: Shape): AgentFactory {
  return {
    name,
    settings(config: HarvesterConfig): LoopSettings {
      const section = agentSection(config, name);
      const configured = numberKey(section, 'nThreads', shape.singleton ? 1 : 3);
      const enabled = configured > 0 && (shape.enabled?.(section) ?? true);
      return {
        nThreads: enabled ? (shape.singleton ? 1 : Math.floor(configured)) : 0,
        sleepTime: numberKey(section, 'sleepTime', shape.sleepTime),
        lockInterval: numberKey(section, 'lockInterval'),
        jitter: shape.jitter,
      };
    },
    create: () => make(),
  };
}

const isActive = (section: Readonly<Record<string, unknown>> | undefined): boolean =>
  section?.active === true || section?.active === 'True' || section?.active === 'true';

/** Every agent of the original, in the original's start order (facts §1.3). */
export const agentFactories: readonly AgentFactory[] = [
  define('credmanager', () => new CredManager(), { ...SINGLETON, sleepTime: 1800 }),
  define('commandmanager', () => new CommandManager(), { ...SINGLETON, sleepTime: 5 }),
  define('cacher', () => new Cacher(), { ...SINGLETON, sleepTime: 60 }),
  define('watcher', () => new Watcher(), { ...SINGLETON, sleepTime: 60 }),
  define('jobfetcher', () => new JobFetcher(), { ...POOL, sleepTime: 60 }),
  define('propagator', () => new Propagator(), { ...POOL, sleepTime: 60 }),
  define('monitor', () => new Monitor(), { ...POOL, sleepTime: 600 }),
  define('preparator', () => new Preparator(), { ...POOL, sleepTime: 60 }),
  define('submitter', () => new Submitter(), { ...POOL, sleepTime: 60 }),
  define('stager', () => new Stager(), { ...POOL, sleepTime: 60 }),
  define('eventfeeder', () => new EventFeeder(), { ...POOL, sleepTime: 60 }),
  define('sweeper', () => new Sweeper(), { ...POOL, sleepTime: 60 }),
  define('file_syncer', () => new FileSyncer(), { ...SINGLETON, sleepTime: 600 }),
  define('service_monitor', () => new ServiceMonitor(), { ...SINGLETON, sleepTime: 300, enabled: isActive }),
];

export function agentNames(): string[] {
  return agentFactories.map((f) => f.name);
}

export function findAgent(name: string): AgentFactory | undefined {
  return agentFactories.find((f) => f.name === name);
}
