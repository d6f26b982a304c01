import { IdleAgent } from './idle-agent';

/** The submitter agent (facts §2); idle until its issue fills in the cycle. */
export class Submitter extends IdleAgent {
  readonly name = 'submitter';
}
