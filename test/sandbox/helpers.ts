import { decodeJwtPayload } from '../../sandbox';
import { eventually } from '../support/eventually';

/** Small HTTP helpers for the sandbox tests (real HTTP through fetch). */

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export async function http(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function getJson<T = unknown>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await http(url, { headers });
  return { status: res.status, headers: res.headers, body: JSON.parse(res.text) as T };
}

export async function postJson<T = unknown>(url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<{ status: number; body: T }> {
  const res = await http(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (res.text === '' ? undefined : JSON.parse(res.text)) as T };
}

export function postForm(url: string, form: Record<string, string>): Promise<HttpAnswer> {
  return http(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
}

export function amrOf(accessToken: string): unknown {
  return decodeJwtPayload(accessToken)['amr'];
}

/** Polls `check` every 20 ms until it holds: the suite's one `eventually`, with the sandbox tests' argument order. */
export function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return eventually(what, check, { timeoutMs, intervalMs: 20 });
}
