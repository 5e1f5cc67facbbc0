import http from 'node:http';
import { TableServiceClient, TableClient } from '@azure/data-tables';
import { storageConnectionString, type BotHarness } from './bot-harness';

/**
 * Tools for probing the bot's HTTP edge: raw requests with any header and any body (fetch would
 * rewrite Host and refuse some), the number of rows stored under the harness's tables, and
 * whether the process still answers.
 */

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json?: { code?: string; message?: string; [key: string]: unknown };
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** The body, sent in one piece. */
  body?: string | Buffer;
  /** Send the headers and this much of a body, then wait without ending the request (a slow client). */
  stallAfter?: string | Buffer;
}

/** One request over a fresh connection; resolves with the answer (or rejects if the connection dies without one). */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(request.path ?? '/api/messages', baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: request.method ?? 'POST', headers: request.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: RawResponse['json'];
          try {
            json = text ? (JSON.parse(text) as RawResponse['json']) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          req.destroy();
        });
      },
    );
    // A server that answers before reading the whole body may close the socket while we still
    // write: the answer has already been received then, and that is what counts.
    req.on('error', (error) => reject(error));
    if (request.stallAfter !== undefined) {
      req.flushHeaders();
      req.write(request.stallAfter);
      return;
    }
    req.end(request.body);
  });
}

/** Rows in every table of the harness (its prefix), for "nothing was stored" assertions. */
export async function storedRows(h: BotHarness): Promise<Record<string, number>> {
  const { tablePrefix } = h.config.storage;
  const connectionString = storageConnectionString(h);
  const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  const counts: Record<string, number> = {};
  for await (const table of service.listTables()) {
    const name = table.name ?? '';
    if (!name.startsWith(tablePrefix)) continue;
    const client = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
    let rows = 0;
    for await (const _ of client.listEntities({ queryOptions: { select: ['PartitionKey'] } })) rows += 1;
    counts[name] = rows;
  }
  return counts;
}

/** Whether /healthz still answers 200. */
export async function healthy(baseUrl: string): Promise<boolean> {
  const response = await rawRequest(baseUrl, { method: 'GET', path: '/healthz' });
  return response.status === 200;
}
