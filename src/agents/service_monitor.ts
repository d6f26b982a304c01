import { IdleAgent } from './idle-agent';

/** The service_monitor agent (facts §2); idle until its issue fills in the cycle. */
export class ServiceMonitor extends IdleAgent {
  readonly name = 'service_monitor';
}
