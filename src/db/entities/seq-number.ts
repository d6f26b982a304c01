import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `seq_table`: Sequence numbers (SEQ_workerID, SEQ_configID). */
@Entity({ name: 'seq_table' })
export class SeqNumberEntity {
  @PrimaryColumn({ type: 'varchar', length: 256 })
  numberName!: string;

  @Column({ type: 'bigint', nullable: true })
  curVal!: number | null;
}
