/** Every entity, for the DataSource. Schema comes from migrations, never from these (no synchronize). */
import { JobEntity } from './job';
import { WorkEntity } from './work';
import { FileEntity } from './file';
import { EventEntity } from './event';
import { JobWorkerEntity } from './job-worker';
import { PandaQueueEntity } from './panda-queue';
import { CacheEntity } from './cache';
import { CommandEntity } from './command';
import { SeqNumberEntity } from './seq-number';
import { ProcessLockEntity } from './process-lock';
import { DiagEntity } from './diag';
import { QueueConfigDumpEntity } from './queue-config-dump';
import { ServiceMetricsEntity } from './service-metrics';

export { JobEntity };
export { WorkEntity };
export { FileEntity };
export { EventEntity };
export { JobWorkerEntity };
export { PandaQueueEntity };
export { CacheEntity };
export { CommandEntity };
export { SeqNumberEntity };
export { ProcessLockEntity };
export { DiagEntity };
export { QueueConfigDumpEntity };
export { ServiceMetricsEntity };

export const ENTITIES = [
  JobEntity,
  WorkEntity,
  FileEntity,
  EventEntity,
  JobWorkerEntity,
  PandaQueueEntity,
  CacheEntity,
  CommandEntity,
  SeqNumberEntity,
  ProcessLockEntity,
  DiagEntity,
  QueueConfigDumpEntity,
  ServiceMetricsEntity,
];
