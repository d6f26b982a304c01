import { MasterRunningError } from '../../src/agents/pid-file';
import { runMaster } from '../../src/master';
import { testAgentsFromEnv } from './slow-agent';

/**
 * A master with a test-only agent added (see slow-agent.ts), run as
 * `node dist/test/helpers/slow-agent-master.js CONFIG [section.key=value ...]`.
 * Exits like `harvester start` does.
 */
async function run(): Promise<void> {
  const [configFile, ...overrides] = process.argv.slice(2);
  try {
    process.exit(await runMaster({ ...(configFile ? { configFile } : {}), overrides, agents: testAgentsFromEnv() }));
  } catch (err) {
    if (err instanceof MasterRunningError) {
      process.stderr.write(`harvester: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`slow-agent-master: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
