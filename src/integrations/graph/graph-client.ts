import { randomUUID } from 'node:crypto';
import type { Graph, RegistrationDetails, TenantDomain } from '../../app/ports';
import { AppError, ErrorCodes } from '../../domain/errors';
import { createHttpClient, HttpTransportError, type HttpClient, type HttpMethod, type HttpResponse } from '../http';
import { createTokenBucket, REPORTS_LIMIT, type RateLimiter } from './rate-limiter';
import type { SignInRecord } from '../../domain/verification';
import { installAppBody, NON_PREMIUM_CODE, odataString, parseDirectoryUser, parseDomain, parseGraphError, parseMethodsPage, parseRegistrationDetails, parseSignInsPage, type DirectoryUser } from './wire';

export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com (no version, no trailing slash needed). */
  baseUrl: string;
  /** An app-only token (client credentials), e.g. createAppTokenProvider(...).getToken. */
  getToken: () => Promise<string>;
  http?: HttpClient;
  /** Limits the identity reports and sign-in log endpoints together (default: 5 per 10 s). */
  reportsLimiter?: RateLimiter;
  /**
   * Path of the sign-in logs (default `/v1.0/auditLogs/signIns`). `/beta/auditLogs/signIns` adds
   * `mfaDetail`; v1.0 has `authenticationRequirement` and `authenticationDetails`, which suffice.
   */
  signInsPath?: string;
  newRequestId?: () => string;
}

/**
 * What each call needs, to name it when Graph answers 403 (application permissions, admin consent):
 * AuditLog.Read.All (registration report and sign-in logs; both need Entra ID P1/P2),
 * UserAuthenticationMethod.Read.All, TeamsAppInstallation.ReadWriteSelfForUser.All, User.Read.All,
 * Domain.Read.All (whether the user's domain is federated).
 */
const PERMISSION = {
  registration: 'AuditLog.Read.All',
  signIns: 'AuditLog.Read.All',
  methods: 'UserAuthenticationMethod.Read.All',
  install: 'TeamsAppInstallation.ReadWriteSelfForUser.All',
  manager: 'User.Read.All',
  user: 'User.Read.All',
  domain: 'Domain.Read.All',
} as const;
type Operation = keyof typeof PERMISSION;

const MAX_METHOD_PAGES = 10;
/** Sign-ins are asked for newest first; more than this many would not change the finding. */
const MAX_SIGN_INS = 50;
/** More unreadable sign-ins than this share of a page: the page is not trusted. */
const MAX_UNREADABLE_SHARE = 0.05;

function graphError(response: HttpResponse, operation: Operation, what: string): AppError {
  const { code, message } = parseGraphError(response.text);
  const requestId = response.headers.get('request-id') ?? undefined;
  const suffix = `(HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}${requestId ? `; request-id ${requestId}` : ''})`;
  const base = { status: response.status, details: { graphCode: code, requestId, operation, attempts: response.attempts } };

  if (code === NON_PREMIUM_CODE) {
    return new AppError(
      ErrorCodes.GraphNotPremium,
      `The tenant has no Entra ID P1/P2 licence, so Graph's ${operation === 'signIns' ? 'sign-in logs are' : 'registration report is'} unavailable ${suffix}`,
      base,
    );
  }
  switch (response.status) {
    case 401:
    case 403:
      return new AppError(
        ErrorCodes.GraphForbidden,
        `Graph refused to ${what}: the app needs the application permission ${PERMISSION[operation]} with admin consent ${suffix}`,
        { ...base, expected: false },
      );
    case 404:
      return new AppError(ErrorCodes.GraphNotFound, `Graph could not ${what}: not found ${suffix}`, base);
    case 429:
      return new AppError(ErrorCodes.GraphThrottled, `Graph is throttling requests to ${what} ${suffix}`, {
        ...base,
        retryable: true,
        retryAfterSeconds: response.retryAfterSeconds,
      });
    default:
      if (response.status >= 500) {
        return new AppError(ErrorCodes.GraphUnavailable, `Graph is unavailable to ${what} ${suffix}`, { ...base, retryable: true });
      }
      return new AppError(ErrorCodes.GraphBadResponse, `Graph answered an unexpected status to ${what} ${suffix}`, { ...base, expected: false });
  }
}

function badResponse(what: string, status: number): AppError {
  return new AppError(ErrorCodes.GraphBadResponse, `Graph's answer to ${what} was not understood (HTTP ${status})`, {
    expected: false,
    status,
  });
}

/**
 * The Microsoft Graph client: registration report, sign-in logs, domains, authentication methods,
 * users and managers, Teams app install.
 * Object ids are opaque strings, URL-encoded in paths.
 */
export function createGraphClient(options: GraphClientOptions): Graph {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const base = new URL(baseUrl);
  const http = options.http ?? createHttpClient();
  const reportsLimiter = options.reportsLimiter ?? createTokenBucket(REPORTS_LIMIT);
  const newRequestId = options.newRequestId ?? randomUUID;
  const signInsPath = `/${(options.signInsPath ?? '/v1.0/auditLogs/signIns').replace(/^\/+|\/+$/g, '')}`;

  async function call(
    method: HttpMethod,
    url: string,
    what: string,
    extra: { body?: string; limiter?: RateLimiter; limiterKey?: string } = {},
  ): Promise<HttpResponse> {
    const token = await options.getToken();
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      'client-request-id': newRequestId(),
    };
    if (extra.body !== undefined) headers['Content-Type'] = 'application/json';
    const limiter = extra.limiter;
    try {
      return await http.send({
        method,
        url,
        headers,
        body: extra.body,
        beforeAttempt: limiter === undefined ? undefined : () => limiter.acquire(extra.limiterKey),
      });
    } catch (error) {
      if (error instanceof HttpTransportError) {
        throw new AppError(
          ErrorCodes.GraphUnavailable,
          `Graph ${error.kind === 'timeout' ? 'did not answer in time' : 'could not be reached'} to ${what} after ${error.attempts} attempt(s)`,
          { retryable: true, cause: error, details: { attempts: error.attempts, kind: error.kind } },
        );
      }
      throw error;
    }
  }

  const userPath = (objectId: string): string => `${baseUrl}/v1.0/users/${encodeURIComponent(objectId)}`;
  const ok = (r: HttpResponse): boolean => r.status >= 200 && r.status <= 299;

  async function getRegistrationDetails(objectId: string): Promise<RegistrationDetails> {
    const what = 'read the MFA registration of a user';
    const url = `${baseUrl}/v1.0/reports/authenticationMethods/userRegistrationDetails/${encodeURIComponent(objectId)}`;
    const response = await call('GET', url, what, { limiter: reportsLimiter, limiterKey: objectId });
    if (!ok(response)) throw graphError(response, 'registration', what);
    const details = parseRegistrationDetails(response.text);
    if (details === undefined) throw badResponse(what, response.status);
    return details;
  }

  async function listAuthenticationMethods(objectId: string): Promise<string[]> {
    const what = 'list the authentication methods of a user';
    const types: string[] = [];
    let url = `${userPath(objectId)}/authentication/methods`;
    for (let page = 1; ; page += 1) {
      const response = await call('GET', url, what);
      if (!ok(response)) throw graphError(response, 'methods', what);
      const parsed = parseMethodsPage(response.text);
      if (parsed === undefined) throw badResponse(what, response.status);
      types.push(...parsed.types);
      if (parsed.nextLink === undefined) return types;
      const next = new URL(parsed.nextLink, `${baseUrl}/`);
      if (next.origin !== base.origin || page >= MAX_METHOD_PAGES) throw badResponse(what, response.status);
      url = next.toString();
    }
  }

  async function installAppForUser(objectId: string, catalogAppId: string): Promise<'installed' | 'alreadyInstalled'> {
    const what = 'install the Teams app for a user';
    const response = await call('POST', `${userPath(objectId)}/teamwork/installedApps`, what, {
      body: installAppBody(baseUrl, catalogAppId),
    });
    if (response.status === 409) return 'alreadyInstalled';
    if (!ok(response)) throw graphError(response, 'install', what);
    return 'installed';
  }

  /**
   * Graph answers 404 Request_ResourceNotFound both when the user has no manager and when the user
   * does not exist; only the message differs ("Resource 'manager' …" versus "Resource '<id>' …").
   * Rather than read prose, a 404 is settled by asking for the user: found → no manager
   * (undefined), not found → GRAPH_NOT_FOUND (the user left the tenant).
   */
  async function getManager(objectId: string): Promise<DirectoryUser | undefined> {
    const what = "read a user's manager";
    const response = await call('GET', `${userPath(objectId)}/manager?$select=id,displayName,userPrincipalName`, what);
    if (response.status === 404) {
      const user = await call('GET', `${userPath(objectId)}?$select=id`, 'read a user');
      if (ok(user)) return undefined;
      throw graphError(user, 'manager', 'read a user');
    }
    if (!ok(response)) throw graphError(response, 'manager', what);
    const manager = parseDirectoryUser(response.text);
    if (manager === undefined) throw badResponse(what, response.status);
    return manager;
  }

  /**
   * `GET {signInsPath}?$filter=userId eq '{id}' and createdDateTime ge {since}&$top={top}`, newest
   * first (Graph's default order for sign-ins). One page: only the newest sign-ins matter. Shares
   * the reports limiter (5 requests per 10 s), since both are identity reports for throttling.
   */
  async function listSignIns(objectId: string, query: { since: Date; top: number }): Promise<SignInRecord[]> {
    const what = 'read the sign-ins of a user';
    const url = new URL(`${baseUrl}${signInsPath}`);
    url.searchParams.set('$filter', `userId eq ${odataString(objectId)} and createdDateTime ge ${query.since.toISOString()}`);
    url.searchParams.set('$top', String(Math.max(1, Math.min(MAX_SIGN_INS, Math.floor(query.top)))));
    const response = await call('GET', url.toString(), what, { limiter: reportsLimiter });
    if (!ok(response)) throw graphError(response, 'signIns', what);
    const page = parseSignInsPage(response.text);
    if (page === undefined) throw badResponse(what, response.status);
    const total = page.signIns.length + page.unreadable;
    if (page.unreadable > 0 && page.unreadable > total * MAX_UNREADABLE_SHARE) throw badResponse(what, response.status);
    return page.signIns.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async function getDomain(domain: string): Promise<TenantDomain | undefined> {
    const what = 'read a domain of the tenant';
    const response = await call('GET', `${baseUrl}/v1.0/domains/${encodeURIComponent(domain)}?$select=id,authenticationType,isVerified`, what);
    if (response.status === 404) return undefined;
    if (!ok(response)) throw graphError(response, 'domain', what);
    const parsed = parseDomain(response.text);
    if (parsed === undefined) throw badResponse(what, response.status);
    return parsed;
  }

  async function getUser(objectId: string): Promise<DirectoryUser> {
    const what = 'read a user';
    const response = await call('GET', `${userPath(objectId)}?$select=id,displayName,userPrincipalName`, what);
    if (!ok(response)) throw graphError(response, 'user', what);
    const user = parseDirectoryUser(response.text);
    if (user === undefined) throw badResponse(what, response.status);
    return user;
  }

  return { getRegistrationDetails, listAuthenticationMethods, installAppForUser, getManager, listSignIns, getDomain, getUser };
}
