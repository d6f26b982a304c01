import 'reflect-metadata';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `diag_table`: Dialog messages sent to PanDA by the propagator (PK diagID auto-increment). lockedBy is an int in the original and unused here; claims use lockTime. */
@Entity({ name: 'diag_table' })
export class DiagEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  diagID!: number;

  @Index('idx_moduleName_diag_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  moduleName!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  identifier!: string | null;

  @Index('idx_creationTime_diag_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  creationTime!: Date | null;

  @Index('idx_lockTime_diag_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  lockTime!: Date | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  messageLevel!: string | null;

  @Index('idx_lockedBy_diag_table')
  @Column({ type: 'bigint', nullable: true })
  lockedBy!: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  diagMessage!: string | null;
}
