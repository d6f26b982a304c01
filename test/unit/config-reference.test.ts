import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReference } from '../../src/config/reference';
import { allLeaves } from '../../src/config/schema';

const DOC = path.resolve(__dirname, '../../docs/configuration.md');
const REGEN = 'npx tsc -p tsconfig.build.json && node dist/src/config/reference.js > docs/configuration.md';

describe('docs/configuration.md', () => {
  it(`is the rendering of the schema (regenerate: ${REGEN})`, () => {
    expect(fs.readFileSync(DOC, 'utf8')).toBe(renderReference());
  });

  it('documents every key with its environment variable', () => {
    const doc = renderReference();
    for (const [s, k] of allLeaves()) {
      expect(doc).toContain(`| \`${k}\` |`);
      expect(doc).toContain(`\`HARVESTER_${s.toUpperCase()}_${k.toUpperCase()}\``);
    }
  });
});
