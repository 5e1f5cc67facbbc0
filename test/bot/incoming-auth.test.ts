import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { PARTNER_TENANT_ID, PLAYGROUND_USERS } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { BotFrameworkKeys, type TokenOptions } from '../support/bot-framework-keys';
import { storedRows } from '../support/edge-probe';

/**
 * Who may post to /api/messages. With BOT_ID set, every request must carry a Bot Connector token
 * that botbuilder validates against the configured OpenID metadata: here a local stand-in
 * (BOT_OPENID_METADATA_URL) with test keys, so signature, issuer, audience, expiry, the
 * `serviceurl` claim and the key's channel endorsement are all really checked, offline. Without
 * BOT_ID (local mode) there is no validation, so the server must listen on loopback only.
 */

const [alexUser] = PLAYGROUND_USERS;
const ALEX: TestUser = { aadObjectId: alexUser.objectId, name: alexUser.displayName, tenantId: PARTNER_TENANT_ID };
const BOT_ID = '11111111-2222-4333-8444-555555555555';
const botEnv = (metadataUrl: string) => ({ BOT_ID, BOT_PASSWORD: 'test-bot-secret', BOT_TENANT_ID: PARTNER_TENANT_ID, BIND_HOST: '127.0.0.1', BOT_OPENID_METADATA_URL: metadataUrl });

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Whether a TCP connection to host:port is accepted. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('incoming auth', () => {
  let h: BotHarness;
  let quiet: jest.SpyInstance;
  beforeEach(() => {
    quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined); // botbuilder logs every refusal with console.error
  });
  afterEach(async () => {
    quiet.mockRestore();
    await h.stop();
  });

  describe('with BOT_ID set and the channel keys reachable', () => {
    const keys = new BotFrameworkKeys();
    beforeAll(async () => {
      await keys.start();
    });
    afterAll(async () => {
      await keys.stop();
    });
    beforeEach(async () => {
      h = await startBotHarness({ env: botEnv(keys.metadataUrl) });
    });

    const now = () => Math.floor(Date.now() / 1000);
    const signed = (options: TokenOptions = {}) => ({ authorization: `Bearer ${keys.token(BOT_ID, h.connector.url, options)}` });

    it('when a message carries a valid Bot Connector token, then the turn runs and the reply reaches the connector', async () => {
      const response = await h.post(h.a.message(ALEX, 'help'), signed());
      await h.settle();

      expect(response.status).toBe(200);
      expect(h.connector.cards(h.a.conversationId(ALEX))).toHaveLength(1);
      expect(await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, ALEX.aadObjectId)).toBeDefined();
      expect(keys.requests).toEqual(expect.arrayContaining(['/v1/.well-known/openidconfiguration', '/v1/.well-known/keys']));
    });

    it('when the token expired 2 minutes ago (inside the 5-minute skew), then it is still accepted', async () => {
      const response = await h.post(h.a.message(ALEX, 'help'), signed({ claims: { nbf: now() - 3600, iat: now() - 3600, exp: now() - 120 } }));
      await h.settle();

      expect(response.status).toBe(200);
      expect(h.connector.cards(h.a.conversationId(ALEX))).toHaveLength(1);
    });

    const refused: Array<[string, () => Record<string, string>]> = [
      ['no Authorization header', () => ({})],
      ['a bearer value that is not a token', () => ({ authorization: 'Bearer this-is-not-a-token' })],
      ['a token for another bot (audience)', () => signed({ claims: { aud: '99999999-2222-4333-8444-555555555555' } })],
      ['a token that expired 10 minutes ago (beyond the 5-minute skew)', () => signed({ claims: { nbf: now() - 7200, iat: now() - 7200, exp: now() - 600 } })],
      ['a token from another issuer', () => signed({ claims: { iss: 'https://attacker.example' } })],
      ['a token whose serviceurl claim names another service URL', () => signed({ claims: { serviceurl: 'https://attacker.example/teams/' } })],
      ['a token without a serviceurl claim', () => signed({ claims: { serviceurl: null } })],
      ['a token signed with a key not endorsed for msteams', () => signed({ key: 'webchat' })],
      ['a token with alg none', () => signed({ alg: 'none' })],
      ['an HS256 token keyed with the public key', () => signed({ alg: 'HS256' })],
      ['a token signed with an unknown key id', () => signed({ key: 'stranger' })],
      ['a valid token whose signature was altered', () => ({ authorization: `Bearer ${keys.token(BOT_ID, h.connector.url).slice(0, -4)}AAAA` })],
    ];
    it.each(refused)('when the request carries %s, then the answer is 401 and nothing is sent or stored', async (_what, headers) => {
      const before = await storedRows(h);
      const response = await h.post(h.a.message(ALEX, 'help'), headers());
      await h.settle();

      expect(response).toEqual({ status: 401, body: { code: 'UNAUTHORIZED', message: 'The request is not authorized.' } });
      expect(h.connector.sent).toHaveLength(0);
      expect(await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, ALEX.aadObjectId)).toBeUndefined();
      expect(await storedRows(h)).toEqual(before);
    });

    it('when a valid token is replayed with an activity for another service URL, then the answer is 401', async () => {
      const activity = { ...h.a.message(ALEX, 'help'), serviceUrl: 'https://attacker.example/teams/' };
      const response = await h.post(activity, signed());

      expect(response.status).toBe(401);
      expect(h.connector.sent).toHaveLength(0);
    });

    it('then /healthz reports that local mode is off', async () => {
      expect(await getJson(`${h.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok', localMode: false } });
    });
  });

  describe('with BOT_ID set and the channel keys unreachable', () => {
    const keys = new BotFrameworkKeys();
    beforeEach(async () => {
      h = await startBotHarness({ env: botEnv(`http://127.0.0.1:${await closedPort()}/v1/.well-known/openidconfiguration`) });
    });

    it('when a signed activity arrives, then the answer is 503 with Retry-After (never 500) and nothing is sent or stored', async () => {
      const before = await storedRows(h);
      const response = await fetch(`${h.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.token(BOT_ID, h.connector.url)}` },
        body: JSON.stringify(h.a.message(ALEX, 'help')),
      });
      await h.settle();

      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('30');
      expect(await response.json()).toEqual({ code: 'AUTH_UNAVAILABLE', message: 'The signing keys could not be checked; try again later.' });
      expect(h.connector.sent).toHaveLength(0);
      expect(await storedRows(h)).toEqual(before);
    });

    it('when an unsigned activity arrives, then the answer is still 401 (no key is needed to refuse it)', async () => {
      const response = await h.post(h.a.message(ALEX, 'help'));
      expect(response.status).toBe(401);
    });
  });

  describe('without BOT_ID (local mode)', () => {
    beforeEach(async () => {
      h = await startBotHarness();
    });

    it('when asked, then /healthz says localMode true and the server listens on 127.0.0.1 only', async () => {
      expect(await getJson(`${h.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok', localMode: true } });
      const address = h.shepherd.server.address();
      expect(address.address).toBe('127.0.0.1');
      expect(await canConnect('127.0.0.1', address.port)).toBe(true);
      // Any other address of this machine is refused (loopback-only bind, not 0.0.0.0).
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((i) => i !== undefined && i.family === 'IPv4' && i.address !== '127.0.0.1')
        .map((i) => i!.address);
      for (const other of [...others, '127.0.0.2']) {
        expect([other, await canConnect(other, address.port)]).toEqual([other, false]);
      }
    });

    it('when an unsigned activity is posted, then it is accepted (local mode has no incoming auth)', async () => {
      const response = await h.post(h.a.message(ALEX, 'help'));
      await h.settle();

      expect(response.status).toBe(200);
      expect(h.connector.cards(h.a.conversationId(ALEX))).toHaveLength(1);
    });
  });
});
