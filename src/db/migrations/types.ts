/**
 * A numbered schema migration: hand-written SQL per dialect, run in order.
 * Statements must be idempotent (IF NOT EXISTS / INSERT OR IGNORE): MariaDB
 * commits DDL implicitly, so a migration interrupted half-way is re-run whole.
 */
export interface Migration {
  /** `NNNN-name`; sorted lexically, recorded in schema_migrations. */
  id: string;
  sqlite: readonly string[];
  mariadb: readonly string[];
}
