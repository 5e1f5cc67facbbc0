import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type SandboxHandle } from '../../sandbox';
import { http } from './helpers';

/** The sandbox Entra's signing key and issued tokens, kept under a state directory as a real Entra keeps them. */

const NOW = new Date('2026-11-21T12:00:00.000Z');
const PATH = '/pc/v1/nonMfaCompliantPartnerPrincipals';

describe('sandbox token state', () => {
  let dir: string;
  const running: SandboxHandle[] = [];

  const start = async (stateDir?: string, port = 0): Promise<SandboxHandle> => {
    const sandbox = await startSandbox({ now: () => NOW, port, ...(stateDir === undefined ? {} : { stateDir }) });
    running.push(sandbox);
    return sandbox;
  };
  const listWith = async (sandbox: SandboxHandle, token: string): Promise<number> =>
    (await http(`${sandbox.url}${PATH}`, { headers: { authorization: `Bearer ${token}` } })).status;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mfa-shepherd-sandbox-state-'));
  });
  afterEach(async () => {
    for (const sandbox of running.splice(0)) await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the sandbox restarts over the same state directory, then a token it issued before is still accepted', async () => {
    const first = await start(dir);
    const token = first.control.mintToken({ audience: 'partnerCenter', mfa: true });
    expect(await listWith(first, token)).toBe(200);
    await first.stop();

    const second = await start(dir, first.port);

    expect(await listWith(second, token)).toBe(200);
    expect(statSync(join(dir, 'entra-tokens.json')).mode & 0o077).toBe(0);
  });

  it('when the sandbox restarts without a state directory, then the tokens of the last run are refused', async () => {
    const first = await start();
    const token = first.control.mintToken({ audience: 'partnerCenter', mfa: true });
    await first.stop();

    const second = await start(undefined, first.port);

    expect(await listWith(second, token)).toBe(401);
  });

  it('when access tokens are revoked or the signing key rolled, then earlier tokens are refused and new ones accepted', async () => {
    const sandbox = await start(dir);
    const beforeRevoke = sandbox.control.mintToken({ audience: 'partnerCenter', mfa: true });
    sandbox.control.revokeAccessTokens();
    const beforeRoll = sandbox.control.mintToken({ audience: 'partnerCenter', mfa: true });
    const { kid } = sandbox.control.rollSigningKey();
    const after = sandbox.control.mintToken({ audience: 'partnerCenter', mfa: true });

    expect(await listWith(sandbox, beforeRevoke)).toBe(401);
    expect(await listWith(sandbox, beforeRoll)).toBe(401);
    expect(await listWith(sandbox, after)).toBe(200);
    expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString('utf8'))).toMatchObject({ alg: 'HS256', kid });
  });

  it('when a token is changed by hand (an MFA claim forged into it), then it is refused', async () => {
    const sandbox = await start(dir);
    const token = sandbox.control.mintToken({ audience: 'partnerCenter', mfa: false });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, amr: ['pwd', 'mfa'] })).toString('base64url')}.${signature}`;

    expect(await listWith(sandbox, forged)).toBe(401);
  });

  it('when the state file is not the sandbox\'s, then starting fails with a message saying how to start fresh', async () => {
    writeFileSync(join(dir, 'entra-tokens.json'), JSON.stringify({ version: 7 }));

    await expect(start(dir)).rejects.toThrow(/delete it to start fresh/);
    expect(readFileSync(join(dir, 'entra-tokens.json'), 'utf8')).toBe('{"version":7}');
  });
});
