import 'reflect-metadata';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `file_table`: Input/output/log files of jobs (PK fileID, auto-increment as in the original). */
@Entity({ name: 'file_table' })
export class FileEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  fileID!: number;

  @Index('idx_PandaID_file_table')
  @Column({ type: 'bigint', nullable: true })
  PandaID!: number | null;

  @Column({ type: 'bigint', nullable: true })
  taskID!: number | null;

  @Index('idx_lfn_file_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  lfn!: string | null;

  @Index('idx_status_file_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  status!: string | null;

  @Column({ type: 'bigint', nullable: true })
  fsize!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  chksum!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  path!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  fileType!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  eventRangeID!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  modificationTime!: Date | null;

  @Column({ type: 'text', nullable: true })
  fileAttributes!: string | null;

  @Column({ type: 'bigint', nullable: true })
  isZip!: number | null;

  @Index('idx_zipFileID_file_table')
  @Column({ type: 'bigint', nullable: true })
  zipFileID!: number | null;

  @Column({ type: 'bigint', nullable: true })
  objstoreID!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  endpoint!: string | null;

  @Index('idx_groupID_file_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  groupID!: string | null;

  @Index('idx_groupStatus_file_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  groupStatus!: string | null;

  @Index('idx_groupUpdateTime_file_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  groupUpdateTime!: Date | null;

  @Column({ type: 'bigint', nullable: true, default: 0 })
  attemptNr!: number | null;

  @Index('idx_todelete_file_table')
  @Column({ type: 'bigint', nullable: true, default: 0 })
  todelete!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  scope!: string | null;

  @Column({ type: 'bigint', nullable: true })
  pathConvention!: number | null;

  @Index('idx_provenanceID_file_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  provenanceID!: string | null;

  @Index('idx_workerID_file_table')
  @Column({ type: 'bigint', nullable: true })
  workerID!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  url!: string | null;
}
