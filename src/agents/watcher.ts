import { IdleAgent } from './idle-agent';

/** The watcher agent (facts §2); idle until its issue fills in the cycle. */
export class Watcher extends IdleAgent {
  readonly name = 'watcher';
}
