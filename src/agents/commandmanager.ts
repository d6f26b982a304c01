import { IdleAgent } from './idle-agent';

/** The commandmanager agent (facts §2); idle until its issue fills in the cycle. */
export class CommandManager extends IdleAgent {
  readonly name = 'commandmanager';
}
