import 'reflect-metadata';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// Composite claim index of migration 0002 (declarative only).
/** `work_table`: A worker (batch job / pilot) on a resource. Lock channels: lockedBy+modificationTime (monitor), eventFeedLock+eventFeedTime, lastUpdate, killTime. */
@Index('idx_status_modificationTime_work_table', ['status', 'modificationTime'])
@Entity({ name: 'work_table' })
export class WorkEntity {
  @PrimaryColumn({ type: 'bigint' })
  workerID!: number;

  @Column({ type: 'varchar', length: 256, nullable: true })
  batchID!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  mapType!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  queueName!: string | null;

  @Index('idx_status_work_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  status!: string | null;

  @Column({ type: 'bigint', nullable: true })
  hasJob!: number | null;

  @Column({ type: 'text', nullable: true })
  workParams!: string | null;

  @Column({ type: 'text', nullable: true })
  workAttributes!: string | null;

  @Column({ type: 'text', nullable: true })
  eventsRequestParams!: string | null;

  @Index('idx_eventsRequest_work_table')
  @Column({ type: 'bigint', nullable: true })
  eventsRequest!: number | null;

  @Index('idx_computingSite_work_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  computingSite!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  creationTime!: Date | null;

  @Index('idx_submitTime_work_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  submitTime!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  startTime!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  endTime!: Date | null;

  @Column({ type: 'bigint', nullable: true })
  nCore!: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  walltime!: Date | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  accessPoint!: string | null;

  @Index('idx_modificationTime_work_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  modificationTime!: Date | null;

  @Index('idx_lastUpdate_work_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastUpdate!: Date | null;

  @Index('idx_eventFeedTime_work_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  eventFeedTime!: Date | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  lockedBy!: string | null;

  @Column({ type: 'bigint', nullable: true })
  postProcessed!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  nodeID!: string | null;

  @Column({ type: 'bigint', nullable: true })
  minRamCount!: number | null;

  @Column({ type: 'bigint', nullable: true })
  maxDiskCount!: number | null;

  @Column({ type: 'bigint', nullable: true })
  maxWalltime!: number | null;

  @Index('idx_killTime_work_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  killTime!: Date | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  computingElement!: string | null;

  @Index('idx_nJobsToReFill_work_table')
  @Column({ type: 'bigint', nullable: true })
  nJobsToReFill!: number | null;

  @Column({ type: 'text', nullable: true })
  logFilesToUpload!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  jobType!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  resourceType!: string | null;

  @Column({ type: 'bigint', nullable: true })
  nativeExitCode!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  nativeStatus!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  diagMessage!: string | null;

  @Column({ type: 'bigint', nullable: true })
  nJobs!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  submissionHost!: string | null;

  @Index('idx_configID_work_table')
  @Column({ type: 'bigint', nullable: true })
  configID!: number | null;

  @Column({ type: 'bigint', nullable: true })
  syncLevel!: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  checkTime!: Date | null;

  @Column({ type: 'bigint', nullable: true })
  ioIntensity!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  harvesterHost!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  pilotType!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  eventFeedLock!: string | null;

  @Column({ type: 'bigint', nullable: true })
  errorCode!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  errorDiag!: string | null;
}
