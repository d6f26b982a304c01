import { IdleAgent } from './idle-agent';

/** The monitor agent (facts §2); idle until its issue fills in the cycle. */
export class Monitor extends IdleAgent {
  readonly name = 'monitor';
}
