import { IdleAgent } from './idle-agent';

/** The sweeper agent (facts §2); idle until its issue fills in the cycle. */
export class Sweeper extends IdleAgent {
  readonly name = 'sweeper';
}
