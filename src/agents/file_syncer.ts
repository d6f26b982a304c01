import { IdleAgent } from './idle-agent';

/** The file_syncer agent (facts §2); idle until its issue fills in the cycle. */
export class FileSyncer extends IdleAgent {
  readonly name = 'file_syncer';
}
