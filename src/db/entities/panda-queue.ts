import 'reflect-metadata';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `pq_table`: One row per queue x resourceType x jobType (PK uniqueName). jobFetchTime: fetcher channel; lockedBy+submitTime: per-site submission lock. */
@Entity({ name: 'pq_table' })
export class PandaQueueEntity {
  @PrimaryColumn({ type: 'varchar', length: 256 })
  uniqueName!: string;

  @Index('idx_queueName_pq_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  queueName!: string | null;

  @Column({ type: 'bigint', nullable: true })
  nQueueLimitJob!: number | null;

  @Column({ type: 'bigint', nullable: true })
  nQueueLimitWorker!: number | null;

  @Column({ type: 'bigint', nullable: true })
  maxWorkers!: number | null;

  @Index('idx_jobFetchTime_pq_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  jobFetchTime!: Date | null;

  @Index('idx_submitTime_pq_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  submitTime!: Date | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  lockedBy!: string | null;

  @Index('idx_siteName_pq_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  siteName!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  jobType!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  resourceType!: string | null;

  @Column({ type: 'bigint', nullable: true })
  nNewWorkers!: number | null;

  @Column({ type: 'bigint', nullable: true })
  nQueueLimitJobRatio!: number | null;

  @Column({ type: 'bigint', nullable: true })
  nQueueLimitJobMax!: number | null;

  @Column({ type: 'bigint', nullable: true })
  nQueueLimitJobMin!: number | null;

  @Column({ type: 'bigint', nullable: true })
  nQueueLimitWorkerRatio!: number | null;

  @Column({ type: 'bigint', nullable: true })
  nQueueLimitWorkerMax!: number | null;

  @Column({ type: 'bigint', nullable: true })
  nQueueLimitWorkerMin!: number | null;
}
