import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate signed by a different CA (must be refused). */
  strangerCert: string;
  strangerKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function ca(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}

function signed(dir: string, name: string, caName: string, cn: string, ext?: string): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  const args = ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.crt`];
  if (ext) {
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    args.push('-extfile', `${name}.ext`);
  }
  openssl(dir, args);
}

/** A throw-away CA with a server cert for 127.0.0.1 and client certs (needs the openssl binary). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'wms-pki-'));
  ca(dir, 'ca');
  ca(dir, 'otherca');
  signed(dir, 'server', 'ca', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  signed(dir, 'client', 'ca', 'harvester-client');
  signed(dir, 'stranger', 'otherca', 'stranger');
  const p = (f: string): string => path.join(dir, f);
  return {
    dir, caCert: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'),
    clientCert: p('client.crt'), clientKey: p('client.key'), strangerCert: p('stranger.crt'), strangerKey: p('stranger.key'),
  };
}
