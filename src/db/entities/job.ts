import 'reflect-metadata';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// Composite claim indexes of migration 0002 (which also drops the original
// single-column preparatorTime index they supersede). Declarative only: the
// schema comes from the migrations.
/** `job_table`: A PanDA job (PK PandaID). Lock channels: lockedBy+preparatorTime/submitterTime, stagerLock+stagerTime, propagatorLock+propagatorTime. */
@Index('idx_subStatus_preparatorTime_job_table', ['subStatus', 'preparatorTime'])
@Index('idx_computingSite_subStatus_submitterTime_job_table', ['computingSite', 'subStatus', 'submitterTime'])
@Entity({ name: 'job_table' })
export class JobEntity {
  @PrimaryColumn({ type: 'bigint' })
  PandaID!: number;

  @Index('idx_taskID_job_table')
  @Column({ type: 'bigint', nullable: true })
  taskID!: number | null;

  @Column({ type: 'bigint', nullable: true })
  attemptNr!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  status!: string | null;

  @Index('idx_subStatus_job_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  subStatus!: string | null;

  @Index('idx_currentPriority_job_table')
  @Column({ type: 'bigint', nullable: true })
  currentPriority!: number | null;

  @Index('idx_computingSite_job_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  computingSite!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  creationTime!: Date | null;

  @Index('idx_modificationTime_job_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  modificationTime!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  stateChangeTime!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  startTime!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  endTime!: Date | null;

  @Column({ type: 'bigint', nullable: true })
  nCore!: number | null;

  @Column({ type: 'text', nullable: true })
  jobParams!: string | null;

  @Column({ type: 'text', nullable: true })
  jobAttributes!: string | null;

  @Column({ type: 'bigint', nullable: true })
  hasOutFile!: number | null;

  @Column({ type: 'text', nullable: true })
  metaData!: string | null;

  @Column({ type: 'text', nullable: true })
  outputFilesToReport!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  lockedBy!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  propagatorLock!: string | null;

  @Index('idx_propagatorTime_job_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  propagatorTime!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  preparatorTime!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  submitterTime!: Date | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  stagerLock!: string | null;

  @Index('idx_stagerTime_job_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  stagerTime!: Date | null;

  @Column({ type: 'bigint', nullable: true })
  zipPerMB!: number | null;

  @Column({ type: 'bigint', nullable: true, default: 0 })
  nWorkers!: number | null;

  @Column({ type: 'bigint', nullable: true })
  nWorkersLimit!: number | null;

  @Column({ type: 'bigint', nullable: true, default: 0 })
  submissionAttempts!: number | null;

  @Column({ type: 'bigint', nullable: true })
  jobsetID!: number | null;

  @Column({ type: 'bigint', nullable: true })
  pilotClosed!: number | null;

  @Index('idx_configID_job_table')
  @Column({ type: 'bigint', nullable: true })
  configID!: number | null;

  @Column({ type: 'bigint', nullable: true })
  nRemainingEvents!: number | null;

  @Column({ type: 'bigint', nullable: true })
  moreWorkers!: number | null;

  @Column({ type: 'bigint', nullable: true })
  maxWorkersInTotal!: number | null;

  @Column({ type: 'bigint', nullable: true, default: 0 })
  nWorkersInTotal!: number | null;

  @Column({ type: 'text', nullable: true })
  jobParamsExtForOutput!: string | null;

  @Column({ type: 'text', nullable: true })
  jobParamsExtForLog!: string | null;

  @Column({ type: 'bigint', nullable: true })
  auxInput!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  resourceType!: string | null;
}
