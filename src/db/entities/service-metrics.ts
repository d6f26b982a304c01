import 'reflect-metadata';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `sm_table`: Service metrics rows. The original has no primary key; `id` is a surrogate auto-increment key added here (every table has a PK). */
@Entity({ name: 'sm_table' })
export class ServiceMetricsEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('idx_creationTime_sm_table')
  @Column({ type: 'datetime', precision: 3, nullable: true })
  creationTime!: Date | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  hostName!: string | null;

  @Column({ type: 'text', nullable: true })
  metrics!: string | null;
}
