/** The tab's API client: every call carries the SSO token; errors keep the server's code. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createApi(token: () => Promise<string>) {
  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${await token()}` } });
    if (!res.ok) {
      let body: { code?: string; message?: string } = {};
      try {
        body = (await res.json()) as typeof body;
      } catch {
        // not JSON: keep the status
      }
      throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText);
    }
    return res;
  }
  return {
    async get<T>(path: string): Promise<T> {
      return (await (await call(path)).json()) as T;
    },
    async post<T>(path: string, body: unknown): Promise<T> {
      return (await (await call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as T;
    },
    /** Download a file the API answers as an attachment (CSV), under the server's file name. */
    async download(path: string): Promise<string> {
      const res = await call(path);
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'export.csv';
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return name;
    },
  };
}

export type Api = ReturnType<typeof createApi>;
