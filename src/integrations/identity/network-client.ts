import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

/**
 * msal-node's network module over Node's fetch. msal requires https authorities; production
 * leaves `endpointOverride` unset and talks to login.microsoftonline.com. Tests and local
 * development set it (IDENTITY_ENDPOINT_OVERRIDE) to reach the sandbox's Entra stand-in: every URL
 * under `https://login.microsoftonline.com/` is then sent to `<override>/` instead.
 */
export const ENTRA_ORIGIN = 'https://login.microsoftonline.com';
export const DEFAULT_IDENTITY_TIMEOUT_MS = 30_000;

export interface NetworkClientOptions {
  /** e.g. http://127.0.0.1:4010/entra — no trailing slash needed. */
  endpointOverride?: string;
  /** Per request; msal's own GET timeout wins when it passes one. */
  timeoutMs?: number;
}

export function rewriteIdentityUrl(url: string, endpointOverride: string | undefined): string {
  if (endpointOverride === undefined) return url;
  const prefix = `${ENTRA_ORIGIN}/`;
  if (!url.toLowerCase().startsWith(prefix)) return url;
  return `${endpointOverride.replace(/\/+$/, '')}/${url.slice(prefix.length)}`;
}

/** What msal's own HttpClient does with a body that is not JSON: an OAuth-style error object. */
function parseBody(status: number, statusText: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const kind = status >= 400 && status < 500 ? 'client_error' : status >= 500 ? 'server_error' : 'unknown_error';
    return { error: kind, error_description: `Unreadable answer from the identity endpoint. Http status code: ${status} ${statusText}` };
  }
}

export function createNetworkClient(options: NetworkClientOptions = {}): INetworkModule {
  const timeoutMs = options.timeoutMs ?? DEFAULT_IDENTITY_TIMEOUT_MS;

  async function send<T>(method: 'GET' | 'POST', url: string, request: NetworkRequestOptions | undefined, timeout?: number): Promise<NetworkResponse<T>> {
    const response = await fetch(rewriteIdentityUrl(url, options.endpointOverride), {
      method,
      headers: {
        ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' } : {}),
        ...request?.headers,
      },
      body: method === 'POST' ? (request?.body ?? '') : undefined,
      signal: AbortSignal.timeout(timeout ?? timeoutMs),
      redirect: 'manual',
    });
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return { headers, body: parseBody(response.status, response.statusText, text) as T, status: response.status };
  }

  return {
    sendGetRequestAsync: <T>(url: string, request?: NetworkRequestOptions, timeout?: number) => send<T>('GET', url, request, timeout),
    sendPostRequestAsync: <T>(url: string, request?: NetworkRequestOptions) => send<T>('POST', url, request),
  };
}
