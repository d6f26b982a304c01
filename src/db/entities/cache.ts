import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `cache_table`: Cacher results (PK mainKey). */
@Entity({ name: 'cache_table' })
export class CacheEntity {
  @PrimaryColumn({ type: 'varchar', length: 256 })
  mainKey!: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  subKey!: string | null;

  @Column({ type: 'text', nullable: true })
  data!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastUpdate!: Date | null;
}
