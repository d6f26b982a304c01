import { IdleAgent } from './idle-agent';

/** The credmanager agent (facts §2); idle until its issue fills in the cycle. */
export class CredManager extends IdleAgent {
  readonly name = 'credmanager';
}
