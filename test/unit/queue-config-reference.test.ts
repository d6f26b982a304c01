import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLUGIN_SECTIONS, QUEUE_ATTRIBUTES } from '../../src/queue-config';
import { loadQueueConfig } from '../../src/queue-config/load';
import { renderQueueConfigReference } from '../../src/queue-config/reference';

describe('docs/queue-config.md', () => {
  it('is exactly what reference.ts renders from attributes.ts (regenerate: node dist/src/queue-config/reference.js)', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/queue-config.md'), 'utf8');
    expect(doc).toBe(renderQueueConfigReference());
  });

  it('documents every attribute and plugin section', () => {
    const text = renderQueueConfigReference();
    for (const a of QUEUE_ATTRIBUTES) expect(text).toContain(`| \`${a.name}\` |`);
    for (const s of PLUGIN_SECTIONS) expect(text).toContain(`| \`${s.name}\``);
  });

  it('every schema attribute reaches the resolved QueueConfig', async () => {
    const plugins = Object.fromEntries(PLUGIN_SECTIONS.filter((s) => s.mandatory).map((s) => [s.name, { module: 'm', name: 'n' }]));
    const result = await loadQueueConfig([{ label: 'f', kind: 'file', data: { Q: plugins } }]);
    const q = result.queues.get('Q');
    if (!q?.ok) throw new Error('Q broken');
    for (const a of QUEUE_ATTRIBUTES.filter((x) => x.name !== 'isTemplateQueue')) expect(q.config).toHaveProperty(a.name);
    for (const s of PLUGIN_SECTIONS) expect(q.config).toHaveProperty(s.name);
  });
});
