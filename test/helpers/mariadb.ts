import { describe } from 'vitest';

export interface MariaDBEnv {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/**
 * MariaDB connection settings for tests, from the variables that
 * scripts/services/start-mariadb.sh exports. Undefined when they are unset.
 */
export function mariadbEnv(env: NodeJS.ProcessEnv = process.env): MariaDBEnv | undefined {
  if (!env.MARIADB_HOST) return undefined;
  return {
    host: env.MARIADB_HOST,
    port: Number(env.MARIADB_PORT ?? 3306),
    database: env.MARIADB_DATABASE ?? 'HARVESTER',
    user: env.MARIADB_USER ?? 'harvester',
    password: env.MARIADB_PASSWORD ?? '',
  };
}

/**
 * `describe` for MariaDB tests: skipped on a developer machine without MariaDB,
 * but under CI (CI=true) a missing MariaDB is a failure, not a skip.
 */
export function describeMariaDB(name: string, fn: (env: MariaDBEnv) => void): void {
  const env = mariadbEnv();
  if (!env) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        throw new Error('MariaDB tests are required under CI: MARIADB_HOST is unset (run scripts/services/start-mariadb.sh)');
      });
      return;
    }
    describe.skip(`${name} (MariaDB not configured: MARIADB_HOST unset)`, () => undefined);
    return;
  }
  describe(name, () => fn(env));
}
