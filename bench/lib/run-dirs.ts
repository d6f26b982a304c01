/**
 * Run directories of a benchmark that writes many files, removed so that one
 * run's cleanup does not slow the next run down.
 *
 * On ext4 without a journal (this VM's root) creating a file scans past every
 * inode of its block group deleted in roughly the last one to six minutes
 * (`recently_deleted()` in the kernel's inode allocator). Deleting the 2000
 * output files of one bench:e2e run therefore made the next run's creates cost
 * 200–950 µs of kernel CPU each instead of 15–50: up to 1 ms per job of the
 * master's CPU that says nothing about harvester. So a finished run's directory
 * is renamed into `<base>/.trash/` (a rename frees no inode), and trash is
 * deleted only once it is older than `TRASH_KEEP_MS`, at the end of a later
 * run: back-to-back runs never delete anything between them.
 */
import fs from 'node:fs';
import path from 'node:path';

/** How long a finished run's files stay in the trash before a later run deletes them. */
export const TRASH_KEEP_MS = 60 * 60 * 1000;

const trashDir = (baseDir: string): string => path.join(baseDir, '.trash');

/** A new, empty run directory under baseDir (created with its parents). */
export function makeRunDir(baseDir: string, prefix: string): string {
  fs.mkdirSync(baseDir, { recursive: true });
  return fs.mkdtempSync(path.join(baseDir, prefix));
}

/**
 * Moves a finished run's directory into the trash (no file is deleted), then
 * deletes trash entries older than keepMs. Returns what it deleted.
 */
export function retireRunDir(baseDir: string, runDir: string, keepMs = TRASH_KEEP_MS, now = Date.now()): string[] {
  const trash = trashDir(baseDir);
  fs.mkdirSync(trash, { recursive: true });
  // Stamp the retire time on the moved directory (a rename need not change its
  // mtime): a trash entry's age counts from the end of its run.
  const retired = path.join(trash, path.basename(runDir));
  fs.renameSync(runDir, retired);
  const t = new Date(now);
  fs.utimesSync(retired, t, t);
  const deleted: string[] = [];
  for (const name of fs.readdirSync(trash)) {
    const p = path.join(trash, name);
    if (now - fs.statSync(p).mtimeMs <= keepMs) continue;
    fs.rmSync(p, { recursive: true, force: true });
    deleted.push(p);
  }
  return deleted;
}
