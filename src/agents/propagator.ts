import { IdleAgent } from './idle-agent';

/** The propagator agent (facts §2); idle until its issue fills in the cycle. */
export class Propagator extends IdleAgent {
  readonly name = 'propagator';
}
