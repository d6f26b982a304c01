import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WmsHandle } from '../../src/wms/server';
import { makeTestPki, type TestPki } from '../helpers/wms-certs';
import { clientFor, startTestWms } from '../helpers/wms-fixture';

/** The two auth modes of `[pandacon]` against a real TLS / token-protected WMS. */

describe('x509 (client certificate over https)', () => {
  let pki: TestPki;
  let wms: WmsHandle;

  beforeAll(async () => {
    pki = makeTestPki();
    wms = await startTestWms({
      tls: { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), ca: readFileSync(pki.caCert), requireClientCert: true },
    });
  });

  afterAll(async () => {
    await wms.close();
    rmSync(pki.dir, { recursive: true, force: true });
  });

  it('gets through with cert_file/key_file/ca_cert', async () => {
    expect(wms.apiUrl).toMatch(/^https:/);
    const c = clientFor(wms, { settings: { auth_type: 'x509', cert_file: pki.clientCert, key_file: pki.clientKey, ca_cert: pki.caCert } });
    try {
      expect(await c.checkPanda()).toMatchObject({ ok: true });
      expect((await c.heartbeat({ x: 1 })).ok).toBe(true);
    } finally {
      c.close();
    }
  });

  it('a proxy file holding certificate and key works with cert_file alone', async () => {
    const proxy = path.join(pki.dir, 'x509up');
    writeFileSync(proxy, readFileSync(pki.clientCert, 'utf8') + readFileSync(pki.clientKey, 'utf8'));
    const c = clientFor(wms, { settings: { auth_type: 'x509', cert_file: proxy, ca_cert: pki.caCert } });
    try {
      expect((await c.checkPanda()).ok).toBe(true);
    } finally {
      c.close();
    }
  });

  it('is refused without a client certificate, with a foreign one, or without the CA', async () => {
    const noCert = clientFor(wms, { settings: { ca_cert: pki.caCert }, retry: { retries: 0 } });
    const stranger = clientFor(wms, { settings: { cert_file: pki.strangerCert, key_file: pki.strangerKey, ca_cert: pki.caCert }, retry: { retries: 0 } });
    const noCa = clientFor(wms, { settings: { cert_file: pki.clientCert, key_file: pki.clientKey }, retry: { retries: 0 } });
    try {
      for (const c of [noCert, stranger, noCa]) expect((await c.checkPanda()).ok).toBe(false);
      expect((await noCa.checkPanda()).diag).toMatch(/certificate/i);
    } finally {
      noCert.close();
      stranger.close();
      noCa.close();
    }
  });

  it('names the unreadable file in the error', () => {
    expect(() => clientFor(wms, { settings: { cert_file: '/nonexistent/cert.pem' } })).toThrow(/cert_file: cannot read \/nonexistent\/cert.pem/);
  });
});

describe('oidc (bearer token)', () => {
  it('reads the token from file:/path and picks up a renewed token after a 401', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wms-token-'));
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, 'token-one\n');
    const wms = await startTestWms({ token: 'token-one' });
    const c = clientFor(wms, { settings: { auth_type: 'oidc', auth_token: `file:${tokenFile}`, auth_origin: 'atlas' }, retry: { retries: 0 } });
    try {
      expect((await c.heartbeat({})).ok).toBe(true);
      // The server now wants a new token; the file is renewed. Cached token → 401 → re-read → success.
      await wms.close();
      const wms2 = await startTestWms({ token: 'token-two', port: wms.port });
      try {
        writeFileSync(tokenFile, 'token-two\n');
        expect((await c.heartbeat({})).ok).toBe(true);
        expect(wms2.store.requestCounts.get('harvester/heartbeat')).toBe(2);
      } finally {
        await wms2.close();
      }
    } finally {
      c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requires auth_token with auth_type oidc', () => {
    expect(() => clientFor({ apiUrl: 'http://127.0.0.1:1/api/v1' }, { settings: { auth_type: 'oidc' } })).toThrow(/\[pandacon\] auth_token: required/);
  });
});
