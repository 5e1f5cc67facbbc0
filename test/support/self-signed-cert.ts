import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface SelfSignedCert {
  certPath: string;
  keyPath: string;
}

/**
 * A throw-away certificate for https on loopback (127.0.0.1 and localhost), made with the openssl
 * command line (node:crypto can make keys but not X.509 certificates). It is its own issuer, so a
 * process trusts it through NODE_EXTRA_CA_CERTS=<certPath>, or an https request through `ca`.
 */
export function makeLoopbackCert(dir: string): SelfSignedCert {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext', 'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`openssl could not make a self-signed certificate (is openssl installed?)${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
  return { certPath, keyPath };
}
