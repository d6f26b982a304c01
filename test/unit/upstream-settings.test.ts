import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenSource } from '../../src/upstream/auth';
import { backoffDelayMs, DEFAULT_RETRY_POLICY } from '../../src/upstream/retry';
import { DEFAULT_CACHE_API_URL, DEFAULT_PANDA_URL_SSL, DEFAULT_SERVER_API_URL, resolvePandaCon } from '../../src/upstream/settings';
import { jobReportToWire, workerReportToWire } from '../../src/upstream/wire-mapping';
import { formatPandaTime } from '../../src/upstream/protocol';
import { apiAttributeName } from '../../src/upstream/job-attributes';

describe('[pandacon] resolution', () => {
  it('uses server_api_url_ssl when the operator set it', () => {
    const c = resolvePandaCon({ server_api_url_ssl: 'https://panda.example.org:8443/api/v1/', pandaURLSSL: 'https://old.example.org:25443/server/panda' });
    expect(c.serverApiUrl).toBe('https://panda.example.org:8443/api/v1');
    expect(c.cacheApiUrl).toBe('https://panda.example.org:8443/api/v1');
  });

  it('derives the API URL from a legacy pandaURLSSL when server_api_url_ssl is unset or still the default', () => {
    const legacy = 'https://mypanda.example.org:25443/server/panda';
    expect(resolvePandaCon({ pandaURLSSL: legacy }).serverApiUrl).toBe('https://mypanda.example.org:25443/api/v1');
    expect(resolvePandaCon({ pandaURLSSL: legacy, server_api_url_ssl: DEFAULT_SERVER_API_URL }).serverApiUrl).toBe('https://mypanda.example.org:25443/api/v1');
    expect(resolvePandaCon({ pandaURLSSL: DEFAULT_PANDA_URL_SSL, server_api_url_ssl: DEFAULT_SERVER_API_URL }).serverApiUrl).toBe(DEFAULT_SERVER_API_URL);
    expect(resolvePandaCon({ pandaCacheURL_W: 'https://cache.example.org:25443/server/panda' }).cacheApiUrl).toBe('https://cache.example.org:25443/api/v1');
    expect(resolvePandaCon({}).cacheApiUrl).toBe(DEFAULT_CACHE_API_URL);
  });

  it('rejects bad values naming the key', () => {
    expect(() => resolvePandaCon({ auth_type: 'kerberos' })).toThrow(/\[pandacon\] auth_type: expected x509 or oidc/);
    expect(() => resolvePandaCon({ server_api_url_ssl: 'ftp://x/api' })).toThrow(/\[pandacon\] server_api_url_ssl: expected an http\(s\) URL/);
    expect(() => resolvePandaCon({ pandaURLSSL: 'not a url' })).toThrow(/\[pandacon\] pandaURLSSL: not a URL/);
    expect(() => resolvePandaCon({ timeout: 0 })).toThrow(/\[pandacon\] timeout/);
  });

  it('treats empty strings (the schema defaults) as unset and converts timeout to ms', () => {
    const c = resolvePandaCon({ ca_cert: '', cert_file: '', key_file: '', auth_token: '', timeout: 180 });
    expect(c).toMatchObject({ authType: 'x509', caCert: undefined, certFile: undefined, timeoutMs: 180_000, eventsChunkSize: 5120 });
  });
});

describe('back-off', () => {
  it('grows exponentially, stays within [exp/2, exp], and is capped', () => {
    const p = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelayMs(1, p, () => 0)).toBe(50);
    expect(backoffDelayMs(1, p, () => 1)).toBe(100);
    expect(backoffDelayMs(3, p, () => 0)).toBe(200);
    expect(backoffDelayMs(3, p, () => 1)).toBe(400);
    expect(backoffDelayMs(10, p, () => 1)).toBe(1000);
    const samples = new Set(Array.from({ length: 20 }, () => backoffDelayMs(2, DEFAULT_RETRY_POLICY)));
    expect(samples.size).toBeGreaterThan(1); // jittered
  });
});

describe('token file', () => {
  it('is read once, re-read after 10 minutes or after invalidate(), and kept if briefly missing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tok-'));
    const f = path.join(dir, 't');
    let now = 0;
    try {
      writeFileSync(f, 'one\n');
      const src = new TokenSource(`file:${f}`, 600_000, () => now);
      expect(src.token()).toBe('one');
      writeFileSync(f, 'two');
      now = 599_999;
      expect(src.token()).toBe('one');
      now = 600_000;
      expect(src.token()).toBe('two');
      writeFileSync(f, 'three');
      src.invalidate();
      expect(src.token()).toBe('three');
      rmSync(f);
      src.invalidate();
      expect(src.token()).toBe('three');
      expect(() => new TokenSource(`file:${f}`).token()).toThrow(/cannot read token file/);
      expect(new TokenSource('literal').token()).toBe('literal');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wire mapping', () => {
  it('maps job reports as the original: failed for cancelled/missed, snake_case attributes, JSON metadata', () => {
    expect(jobReportToWire({ PandaID: 1, siteName: 'Q', jobStatus: 'cancelled', jobSubStatus: 'pilot_closed', coreCount: 8, metaData: { a: 1 } }))
      .toEqual({ job_id: 1, site_name: 'Q', job_status: 'failed', job_sub_status: 'pilot_closed', attempt_nr: null, core_count: 8, meta_data: '{"a":1}' });
    expect(jobReportToWire({ PandaID: 2, siteName: 'Q', jobStatus: 'missed', jobSubStatus: 'missed' })).toMatchObject({ job_status: 'failed', job_sub_status: 'missed' });
    expect(jobReportToWire({ PandaID: 3, siteName: 'Q', jobStatus: 'running', attributes: { coreCount: 4, totRBYTES: 5, nEvents: 6, someNewThing: 1 }, coreCount: 1 }))
      .toMatchObject({ job_status: 'running', core_count: 4, tot_rbytes: 5, n_events: 6, some_new_thing: 1 });
    expect(apiAttributeName('pilotErrorDiag')).toBe('pilot_error_diag');
    // The job's own fields win over attributes that map to the same wire name.
    expect(jobReportToWire({ PandaID: 4, siteName: 'Q', jobStatus: 'running', attemptNr: 2, attributes: { attemptNr: 9, siteName: 'X', node: 'n1' } }))
      .toEqual({ job_id: 4, site_name: 'Q', job_status: 'running', job_sub_status: null, attempt_nr: 2, node: 'n1' });
  });

  it('formats PanDA times to the second, or with microseconds, in UTC', () => {
    const d = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 67));
    expect(formatPandaTime(d)).toBe('2025-01-02 03:04:05');
    expect(formatPandaTime(d, true)).toBe('2025-01-02 03:04:05.067000');
    expect(formatPandaTime(new Date(Date.UTC(2024, 11, 31, 23, 59, 59, 999)), true)).toBe('2024-12-31 23:59:59.999000');
    expect(formatPandaTime(new Date(Date.UTC(999, 0, 1)))).toBe('999-01-01 00:00:00');
  });

  it('formats worker datetimes as datetime/… and drops a null jdl', () => {
    const w = workerReportToWire({ workerID: 5, status: 'running', computingSite: 'Q', startTime: new Date(Date.UTC(2025, 5, 1, 0, 0, 1, 250)), jdl: null, pandaIDs: [9] });
    expect(w).toEqual({ workerID: 5, status: 'running', computingSite: 'Q', startTime: 'datetime/2025-06-01 00:00:01.250000', pandaid_list: [9] });
  });
});
