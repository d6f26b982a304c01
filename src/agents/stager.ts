import { IdleAgent } from './idle-agent';

/** The stager agent (facts §2); idle until its issue fills in the cycle. */
export class Stager extends IdleAgent {
  readonly name = 'stager';
}
