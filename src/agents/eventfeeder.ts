import { IdleAgent } from './idle-agent';

/** The eventfeeder agent (facts §2); idle until its issue fills in the cycle. */
export class EventFeeder extends IdleAgent {
  readonly name = 'eventfeeder';
}
