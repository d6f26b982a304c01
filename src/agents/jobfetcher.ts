import { IdleAgent } from './idle-agent';

/** The jobfetcher agent (facts §2); idle until its issue fills in the cycle. */
export class JobFetcher extends IdleAgent {
  readonly name = 'jobfetcher';
}
