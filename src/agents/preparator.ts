import { IdleAgent } from './idle-agent';

/** The preparator agent (facts §2); idle until its issue fills in the cycle. */
export class Preparator extends IdleAgent {
  readonly name = 'preparator';
}
