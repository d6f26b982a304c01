import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './master-process';

/**
 * Compiles the project if stale (scripts/ensure-built.cjs), so spawned processes
 * run current JS. tsc still emits when someone else's in-progress file has a type
 * error, so a failed build is tolerated as long as the files we run exist.
 */
export function ensureBuilt(files: string[]): void {
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/ensure-built.cjs')], { cwd: repoRoot, stdio: 'pipe' });
  } catch {
    // Type errors elsewhere: dist/ is emitted regardless; checked below.
  }
  for (const f of files) {
    if (!fs.existsSync(path.join(repoRoot, f))) throw new Error(`${f} is missing: run \`npx tsc -p tsconfig.build.json\` and check its errors`);
  }
}
