import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Vitest global setup: every temp directory a test makes, and every process it
 * spawns makes (masters, claimers, payloads), lands under one directory per
 * run, removed when the run ends. Before this, a full run left some 30
 * directories and hundreds of MB in the system temp dir, since many tests
 * (rightly) never delete what a failing run should leave to look at.
 * HARVESTER_TEST_KEEP_TMP=1 keeps the directory and prints where it is.
 */
export default function setup(): () => void {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-test-'));
  process.env.TMPDIR = base;
  return () => {
    if (process.env.HARVESTER_TEST_KEEP_TMP) {
      console.log(`test temp files kept in ${base}`);
      return;
    }
    fs.rmSync(base, { recursive: true, force: true });
  };
}
