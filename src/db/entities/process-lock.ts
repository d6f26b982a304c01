import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `lock_table`: Process locks (PK processName), see process-lock.ts. */
@Entity({ name: 'lock_table' })
export class ProcessLockEntity {
  @PrimaryColumn({ type: 'varchar', length: 256 })
  processName!: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  lockedBy!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lockTime!: Date | null;
}
