// The local stack's TLS material: a local CA and one leaf certificate whose
// SANs cover every hub host name, localhost and 127.0.0.1. Made with the
// openssl CLI (Node's crypto cannot issue certificates) and reused while the
// SANs still cover the hubs, so a CA a user already trusts stays valid.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsMaterial {
  readonly caFile: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed?): ${detail}`);
  }
}

export function ensureTlsMaterial(folder: string, hostNames: readonly string[]): TlsMaterial {
  mkdirSync(folder, { recursive: true });
  const sans = [...new Set(['localhost', ...hostNames])].sort().map((h) => `DNS:${h}`).concat('IP:127.0.0.1').join(',');
  const sansFile = join(folder, 'leaf.sans');
  const files = ['ca.pem', 'ca.key', 'leaf.pem', 'leaf.key'].map((f) => join(folder, f));
  const reusable = files.every((f) => existsSync(f)) && existsSync(sansFile) && readFileSync(sansFile, 'utf8') === sans;
  if (!reusable) {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    if (!existsSync(files[0]!) || !existsSync(files[1]!)) {
      openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650',
        '-subj', '/CN=Edge fleet local IoT Hub simulator CA',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], folder);
    }
    writeFileSync(join(folder, 'leaf.ext'),
      `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
    openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=hubs.localhost'], folder);
    openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'leaf.pem', '-days', '825', '-extfile', 'leaf.ext'], folder);
    writeFileSync(sansFile, sans);
  }
  return {
    caFile: files[0]!,
    ca: readFileSync(files[0]!, 'utf8'),
    cert: readFileSync(files[2]!, 'utf8'),
    key: readFileSync(files[3]!, 'utf8'),
  };
}
