import restify from 'restify';
import { jsonBody } from '../../src/bot/json-body';
import { closeServer, listen } from '../../src/bot/server';
import { rawRequest } from '../support/edge-probe';

/** The body reader as any POST route uses it: `server.post(path, jsonBody(limits), handler)`. */

describe('jsonBody on a POST route of its own', () => {
  let server: restify.Server;
  let url: string;
  const seen: unknown[] = [];
  beforeAll(async () => {
    server = restify.createServer({ handleUncaughtExceptions: false });
    server.post('/api/echo', jsonBody({ maxBytes: 200, maxDepth: 3 }), async (req, res) => {
      seen.push(req.body);
      res.json({ got: req.body as unknown });
      return Promise.resolve();
    });
    ({ url } = await listen(server, 0, '127.0.0.1'));
  });
  afterAll(async () => {
    await closeServer(server);
  });

  it('when the body is a JSON object within the limits, then the handler gets it parsed in req.body', async () => {
    const response = await rawRequest(url, { path: '/api/echo', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"incident":{"id":"i-1","tags":["a"]}}' });

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ got: { incident: { id: 'i-1', tags: ['a'] } } });
  });

  it("when the body breaks the route's own limits, then the handler never runs", async () => {
    seen.length = 0;
    const big = await rawRequest(url, { path: '/api/echo', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(300) }) });
    const deep = await rawRequest(url, { path: '/api/echo', headers: { 'content-type': 'application/json' }, body: '{"a":{"b":{"c":{"d":1}}}}' });

    expect([big.status, big.json?.code]).toEqual([413, 'BODY_TOO_LARGE']);
    expect([deep.status, deep.json?.code]).toEqual([400, 'INVALID_JSON']);
    expect(big.headers.connection).toBe('close');
    expect(seen).toEqual([]);
  });

  it('when brackets appear inside strings, then they do not count as nesting', async () => {
    const response = await rawRequest(url, { path: '/api/echo', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '[[[[{{{{ \\" ]]]' }) });

    expect(response.status).toBe(200);
  });
});
