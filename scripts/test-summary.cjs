#!/usr/bin/env node
// Prints vitest's JSON report as one plain closing line: "N passed, N failed, N skipped".
'use strict';
const fs = require('node:fs');
const file = process.argv[2] || 'var/test-report.json';
let r;
try { r = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) {
  console.error(`test-summary: cannot read ${file}: ${e.message}`);
  process.exit(1);
}
const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
