#!/usr/bin/env node
// Makes a fresh clone runnable with one command: installs dependencies when
// node_modules is missing or older than package-lock.json, then compiles
// TypeScript when any source is newer than the last build.
'use strict';
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });
const mtime = (p) => { try { return fs.statSync(p).mtimeMs; } catch { return 0; } };

const lock = path.join(root, 'package-lock.json');
const marker = path.join(root, 'node_modules', '.package-lock.json');
if (!fs.existsSync(path.join(root, 'node_modules')) || mtime(marker) < mtime(lock)) {
  process.stderr.write('harvester: installing dependencies (npm install)...\n');
  // npm install, not npm ci: npm 11 can write a lock file without other
  // platforms' optional packages (msgpackr-extract's) and then refuses it in
  // `npm ci`; npm install repairs such a file. The committed lock file has
  // them, so `npm ci` works on a clean clone too.
  run('npm install --no-audit --no-fund');
}

function newest(dir) {
  let t = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : mtime(p));
  }
  return t;
}
const stamp = path.join(root, 'dist', '.build-stamp');
const sources = Math.max(...['src', 'plugins', 'bench', 'test/helpers'].map((d) => newest(path.join(root, d))),
  mtime(path.join(root, 'tsconfig.json')), mtime(path.join(root, 'tsconfig.build.json')));
if (mtime(stamp) < sources) {
  process.stderr.write('harvester: compiling TypeScript...\n');
  run('npx tsc -p tsconfig.build.json');
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
}
