import { IdleAgent } from './idle-agent';

/** The cacher agent (facts §2); idle until its issue fills in the cycle. */
export class Cacher extends IdleAgent {
  readonly name = 'cacher';
}
