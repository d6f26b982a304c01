import 'reflect-metadata';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `event_table`: Event ranges of event-service jobs. The original has no primary key; `id` is a surrogate auto-increment key added here (every table has a PK). */
@Entity({ name: 'event_table' })
export class EventEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('idx_eventRangeID_event_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  eventRangeID!: string | null;

  @Index('idx_PandaID_event_table')
  @Column({ type: 'bigint', nullable: true })
  PandaID!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  eventStatus!: string | null;

  @Column({ type: 'bigint', nullable: true })
  coreCount!: number | null;

  @Column({ type: 'bigint', nullable: true })
  cpuConsumptionTime!: number | null;

  @Index('idx_subStatus_event_table')
  @Column({ type: 'varchar', length: 256, nullable: true })
  subStatus!: string | null;

  @Column({ type: 'bigint', nullable: true })
  fileID!: number | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  loss!: string | null;
}
