import 'reflect-metadata';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `qcdump_table`: Resolved queue config dumps (PK configID from SEQ_configID). */
@Entity({ name: 'qcdump_table' })
export class QueueConfigDumpEntity {
  @PrimaryColumn({ type: 'bigint' })
  configID!: number;

  @Index('idx_queueName_qcdump_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  queueName!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  checksum!: string | null;

  @Index('idx_dumpUniqueName_qcdump_table', { unique: true })
  @Column({ type: 'varchar', length: 256, nullable: true })
  dumpUniqueName!: string | null;

  @Index('idx_creationTime_qcdump_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  creationTime!: Date | null;

  @Column({ type: 'text', nullable: true })
  data!: string | null;
}
