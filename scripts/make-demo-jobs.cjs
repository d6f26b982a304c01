#!/usr/bin/env node
// Writes the demo's input files and the embedded WMS job list that uses them
// (etc/demo/inputs/*.txt and etc/demo/wms-jobs.json by default). Each job
// reads one input, staged in by the local-copy preparator, which verifies the
// size and checksum given here (adler32 or md5, alternating, as PanDA sends
// either). Tests call it with --dir/--count/--site for their own job sets.
//
//   node scripts/make-demo-jobs.cjs [--dir etc/demo] [--count 20] [--site LOCAL_DEMO]
//        [--transformation payload.sh] [--seconds 1-3]
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

function adler32(buf) {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function parseArgs(argv) {
  const o = { dir: 'etc/demo', count: 20, site: 'LOCAL_DEMO', transformation: 'payload.sh', seconds: '1-3' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in o) || argv[i + 1] === undefined) throw new Error(`unknown or incomplete option ${argv[i]}`);
    o[key] = key === 'count' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!Number.isInteger(o.count) || o.count < 1) throw new Error(`--count must be a positive integer, got ${o.count}`);
  return o;
}

const WORDS = ['harvester', 'payload', 'worker', 'queue', 'stage', 'input', 'output', 'panda', 'event', 'site', 'job', 'file'];

/** Deterministic text, different per index, so reruns produce the same checksums. */
function inputText(n) {
  const lines = [`demo input ${n}`];
  for (let l = 0; l < 3 + (n % 5); l++) {
    lines.push(Array.from({ length: 8 }, (_, w) => WORDS[(n * 7 + l * 3 + w * 5) % WORDS.length]).join(' '));
  }
  return `${lines.join('\n')}\n`;
}

/** A stable GUID per file name: regenerating the demo changes nothing. */
function guidFor(lfn) {
  const h = crypto.createHash('md5').update(`harvester-demo:${lfn}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const [lo, hi] = o.seconds.split('-').map(Number);
  const inputs = path.join(o.dir, 'inputs');
  fs.mkdirSync(inputs, { recursive: true });
  const jobs = [];
  for (let n = 1; n <= o.count; n++) {
    const lfn = `demo.input.${String(n).padStart(3, '0')}.txt`;
    const data = Buffer.from(inputText(n));
    fs.writeFileSync(path.join(inputs, lfn), data);
    const checksum = n % 2 === 0
      ? `md5:${crypto.createHash('md5').update(data).digest('hex')}`
      : `ad:${adler32(data).toString(16).padStart(8, '0')}`;
    const seconds = hi === undefined ? lo : lo + (n % (hi - lo + 1));
    jobs.push({
      computingSite: o.site,
      taskID: 5001,
      transformation: o.transformation,
      jobPars: `${lfn} out.\${PandaID}.txt ${seconds}`,
      inFiles: lfn,
      scopeIn: 'demo',
      fsize: String(data.length),
      checksum,
      GUID: guidFor(lfn),
      outFiles: 'out.${PandaID}.txt',
      logFile: 'log.${PandaID}.tgz',
      maxWalltime: 600,
    });
  }
  const file = path.join(o.dir, 'wms-jobs.json');
  fs.writeFileSync(file, `${JSON.stringify({ jobs }, null, 1)}\n`);
  process.stdout.write(`${jobs.length} jobs in ${file}, inputs in ${inputs}\n`);
}

main();
