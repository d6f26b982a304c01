#!/usr/bin/env node
// Entry point of the `harvester` command: runs the compiled CLI (npm run build).
'use strict';
require('../dist/src/cli/main.js').main(process.argv).catch((err) => {
  process.stderr.write(`harvester: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
