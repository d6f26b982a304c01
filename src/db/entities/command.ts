import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `command_table`: Commands from PanDA (PK command_id, assigned upstream). */
@Entity({ name: 'command_table' })
export class CommandEntity {
  @PrimaryColumn({ type: 'bigint' })
  command_id!: number;

  @Column({ type: 'varchar', length: 256, nullable: true })
  command!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  receiver!: string | null;

  @Column({ type: 'text', nullable: true })
  params!: string | null;

  @Column({ type: 'bigint', nullable: true })
  ack_requested!: number | null;

  @Column({ type: 'bigint', nullable: true })
  processed!: number | null;
}
