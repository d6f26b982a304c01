import 'reflect-metadata';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `jw_table`: Job-worker relation. The original has no primary key; `id` is a surrogate auto-increment key added here (every table has a PK). */
@Entity({ name: 'jw_table' })
export class JobWorkerEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('idx_PandaID_jw_table')
  @Column({ type: 'bigint', nullable: true })
  PandaID!: number | null;

  @Index('idx_workerID_jw_table')
  @Column({ type: 'bigint', nullable: true })
  workerID!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  relationType!: string | null;
}
