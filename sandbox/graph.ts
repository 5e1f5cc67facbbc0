import { createHash, randomUUID } from 'node:crypto';
import { bearerToken, empty, json, parseJsonBody, withHeaders, type Reply, type SandboxRequest } from './http';
import { parseSignInFilter, signInResource } from './signins';
import type { SandboxState } from './state';
import { notFound, type TargetHandler } from './target';
import { GRAPH_RESOURCE } from './tokens';
import type { ActiveFault, AuthMethod, DirectoryUser, FaultKind } from './types';

/**
 * Microsoft Graph stand-in, mounted at /graph: registration report and sign-in logs (premium only),
 * domains, authentication methods, manager, user, Teams app installation. App tokens from the
 * sandbox Entra only.
 */

const ROUTES = {
  registration: /^\/graph\/v1\.0\/reports\/authenticationMethods\/userRegistrationDetails\/([^/]+)\/?$/i,
  methods: /^\/graph\/v1\.0\/users\/([^/]+)\/authentication\/methods\/?$/i,
  manager: /^\/graph\/v1\.0\/users\/([^/]+)\/manager\/?$/i,
  installedApps: /^\/graph\/v1\.0\/users\/([^/]+)\/teamwork\/installedApps\/?$/i,
  user: /^\/graph\/v1\.0\/users\/([^/]+)\/?$/i,
  groupMembers: /^\/graph\/v1\.0\/groups\/([^/]+)\/transitiveMembers(?:\/microsoft\.graph\.user)?\/?$/i,
} as const;
/** Routes without a user in the path. */
const SIGN_INS = /^\/graph\/(v1\.0|beta)\/auditLogs\/signIns\/?$/i;
const DOMAIN = /^\/graph\/v1\.0\/domains\/([^/]+)\/?$/i;
const MAX_TOP = 1000;
type RouteName = keyof typeof ROUTES;

const GRAPH_BASE = 'https://graph.microsoft.com/v1.0';
const PASSWORD_METHOD_ID = '28c10230-6103-485e-b985-444c60001490';
const NON_PREMIUM_CODE = 'Authentication_RequestFromNonPremiumTenantOrB2CTenant';

export function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}): Reply {
  return json(status, { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19) } } }, headers);
}

function nonPremium(): Reply {
  return graphError(403, NON_PREMIUM_CODE, 'Tenant does not have a SKU required for this operation (Entra ID P1 or P2).');
}

function userNotFound(id: string): Reply {
  return graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function matchRoute(req: SandboxRequest): { name: RouteName; id: string } | undefined {
  for (const name of Object.keys(ROUTES) as RouteName[]) {
    const match = ROUTES[name].exec(req.path);
    const segment = match?.[1];
    if (segment !== undefined) return { name, id: decodeURIComponent(segment) };
  }
  return undefined;
}

/** A stable GUID-shaped id per user and method. */
function methodId(user: DirectoryUser, method: AuthMethod): string {
  const hex = createHash('sha1').update(`${user.objectId}/${method}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function methodResource(user: DirectoryUser, method: AuthMethod): Record<string, unknown> {
  const id = methodId(user, method);
  const createdDateTime = user.registrationUpdatedAt;
  switch (method) {
    case 'microsoftAuthenticatorPush':
      return { '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod', id, displayName: 'Sandbox Phone', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.2401.0119', createdDateTime };
    case 'softwareOneTimePasscode':
      return { '@odata.type': '#microsoft.graph.softwareOathAuthenticationMethod', id, secretKey: null };
    case 'mobilePhone':
      return { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id, phoneNumber: '+1 2065550100', phoneType: 'mobile', smsSignInState: 'notAllowedByPolicy' };
    case 'fido2':
      return { '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', id, displayName: 'Sandbox security key', model: 'Sandbox Key', createdDateTime };
    case 'windowsHelloForBusiness':
      return { '@odata.type': '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod', id, displayName: 'SANDBOX-PC', keyStrength: 'normal', createdDateTime };
    case 'email':
      return { '@odata.type': '#microsoft.graph.emailAuthenticationMethod', id, emailAddress: user.userPrincipalName };
  }
}

function preferredSecondaryMethod(methods: AuthMethod[]): string {
  if (methods.includes('microsoftAuthenticatorPush')) return 'push';
  if (methods.includes('softwareOneTimePasscode')) return 'oath';
  if (methods.includes('mobilePhone')) return 'sms';
  return 'none';
}

function userResource(user: DirectoryUser): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.user',
    id: user.objectId,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    mail: user.userPrincipalName,
  };
}

/** The catalog app id from `{"teamsApp@odata.bind": ".../appCatalogs/teamsApps/{id}"}`. */
function catalogAppId(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const bind = (body as Record<string, unknown>)['teamsApp@odata.bind'];
  if (typeof bind !== 'string') return undefined;
  const match = /\/appCatalogs\/teamsApps(?:\/([^/?#'")]+)|\('([^']+)'\))\/?$/i.exec(bind);
  return match?.[1] ?? match?.[2];
}

export function createGraph(state: SandboxState): TargetHandler {
  function authenticate(req: SandboxRequest): Reply | undefined {
    const raw = bearerToken(req);
    if (raw === undefined) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const claims = state.tokens.lookupAccessToken(raw);
    if (claims === undefined) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure (not issued by the sandbox Entra ID).');
    if (claims.exp * 1000 <= state.nowMs()) return graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    if (claims.aud !== GRAPH_RESOURCE) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    if (claims.roles === undefined) return graphError(401, 'InvalidAuthenticationToken', 'The sandbox Graph accepts application tokens (client credentials) only.');
    return undefined;
  }

  function registration(user: DirectoryUser): Reply {
    if (!state.config.premium) return nonPremium();
    return json(200, {
      '@odata.context': `${GRAPH_BASE}/$metadata#reports/authenticationMethods/userRegistrationDetails/$entity`,
      id: user.objectId,
      userPrincipalName: user.userPrincipalName,
      userDisplayName: user.displayName,
      userType: 'member',
      isAdmin: false,
      isSsprRegistered: user.methods.length > 0,
      isSsprEnabled: true,
      isSsprCapable: user.methods.length > 0,
      isMfaRegistered: user.isMfaRegistered,
      isMfaCapable: user.isMfaRegistered,
      isPasswordlessCapable: user.methods.includes('fido2') || user.methods.includes('windowsHelloForBusiness'),
      methodsRegistered: [...user.methods],
      isSystemPreferredAuthenticationMethodEnabled: false,
      systemPreferredAuthenticationMethods: [],
      userPreferredMethodForSecondaryAuthentication: preferredSecondaryMethod(user.methods),
      lastUpdatedDateTime: user.registrationUpdatedAt ?? state.now().toISOString(),
    });
  }

  function methods(user: DirectoryUser): Reply {
    const password = { '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: PASSWORD_METHOD_ID, password: null, createdDateTime: null };
    return json(200, {
      '@odata.context': `${GRAPH_BASE}/$metadata#users('${user.objectId}')/authentication/methods`,
      value: [password, ...user.methods.map((m) => methodResource(user, m))],
    });
  }

  function manager(user: DirectoryUser): Reply {
    const boss = user.managerId === null ? undefined : state.directory.find(user.managerId);
    if (boss === undefined) return graphError(404, 'Request_ResourceNotFound', "Resource 'manager' does not exist or one of its queried reference-property objects are not present.");
    return json(200, { '@odata.context': `${GRAPH_BASE}/$metadata#directoryObjects/$entity`, ...userResource(boss) });
  }

  function installedApps(req: SandboxRequest, user: DirectoryUser): Reply {
    if (req.method === 'GET') {
      return json(200, {
        value: user.installedApps.map((appId) => ({ id: Buffer.from(`${user.objectId}##${appId}`).toString('base64'), teamsApp: { id: appId } })),
      });
    }
    let body: unknown;
    try {
      body = parseJsonBody(req);
    } catch {
      return graphError(400, 'BadRequest', 'The request body is not valid JSON.');
    }
    const appId = catalogAppId(body);
    if (appId === undefined) {
      return graphError(400, 'BadRequest', 'Body must be {"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{id}"}.');
    }
    return state.directory.installApp(user.objectId, appId)
      ? empty(201)
      : graphError(409, 'Conflict', 'App is already installed.');
  }

  function signIns(req: SandboxRequest, version: string): Reply {
    if (!state.config.premium) return nonPremium();
    const filter = parseSignInFilter(req.url.searchParams.get('$filter'));
    if (filter === undefined) return graphError(400, 'Request_UnsupportedQuery', "The sandbox supports $filter=userId eq '{id}' [and createdDateTime ge {instant}] only.");
    const topText = req.url.searchParams.get('$top');
    const top = topText === null ? MAX_TOP : Number(topText);
    if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) return graphError(400, 'Request_BadRequest', `Invalid $top: ${topText ?? ''}.`);
    const beta = version.toLowerCase() === 'beta';
    const value = state.signIns.forUser(filter.userId, filter.since).slice(0, top).map((e) => signInResource(e, beta));
    return json(200, { '@odata.context': `https://graph.microsoft.com/${beta ? 'beta' : 'v1.0'}/$metadata#auditLogs/signIns`, value });
  }

  function domain(name: string): Reply {
    const found = state.domains.get(name.toLowerCase());
    if (found === undefined) return graphError(404, 'Request_ResourceNotFound', `Resource '${name}' does not exist or one of its queried reference-property objects are not present.`);
    return json(200, {
      '@odata.context': `${GRAPH_BASE}/$metadata#domains/$entity`,
      id: found.id,
      authenticationType: found.authenticationType,
      isVerified: found.isVerified,
      isDefault: found.isDefault,
      isRoot: true,
      supportedServices: ['Email', 'OfficeCommunicationsOnline'],
    });
  }

  /** Sign-ins and domains: no user in the path. */
  function routeTenant(req: SandboxRequest): Reply | undefined {
    const signInsMatch = SIGN_INS.exec(req.path);
    const domainMatch = DOMAIN.exec(req.path);
    if (signInsMatch === null && domainMatch === null) return undefined;
    if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', `Method ${req.method} is not allowed here.`);
    const denied = authenticate(req);
    if (denied !== undefined) return denied;
    if (signInsMatch !== null) return signIns(req, signInsMatch[1] ?? 'v1.0');
    return domain(decodeURIComponent(domainMatch?.[1] ?? ''));
  }

  /** Users in the group, nested groups flattened; paged with `$top` and an opaque `$skiptoken` (an offset here). */
  function groupMembers(req: SandboxRequest, groupId: string): Reply {
    if (!state.groups.has(groupId)) return graphError(404, 'Request_ResourceNotFound', `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`);
    const top = Math.min(Math.max(Number(req.url.searchParams.get('$top') ?? '100') || 100, 1), 999);
    const skip = Math.max(Number(req.url.searchParams.get('$skiptoken') ?? '0') || 0, 0);
    const all = state.groups.transitiveMembers(groupId);
    const page = all.slice(skip, skip + top).map((m) => {
      const user = m.kind === 'user' ? state.directory.find(m.id) : undefined;
      return m.kind === 'group'
        ? { '@odata.type': '#microsoft.graph.group', id: m.id }
        : { '@odata.type': '#microsoft.graph.user', id: m.id, ...(user ? { userPrincipalName: user.userPrincipalName, displayName: user.displayName } : {}) };
    });
    const next = skip + top < all.length ? new URL(req.url.toString()) : undefined;
    if (next !== undefined) {
      next.searchParams.set('$top', String(top));
      next.searchParams.set('$skiptoken', String(skip + top));
    }
    return json(200, {
      '@odata.context': `${GRAPH_BASE}/$metadata#directoryObjects`,
      value: page,
      ...(next === undefined ? {} : { '@odata.nextLink': next.toString() }),
    });
  }

  function route(req: SandboxRequest): Reply {
    const tenant = routeTenant(req);
    if (tenant !== undefined) return tenant;
    const matched = matchRoute(req);
    if (matched === undefined) return notFound('graph', req);
    const allowed = matched.name === 'installedApps' ? ['GET', 'POST'] : ['GET'];
    if (!allowed.includes(req.method)) return graphError(405, 'Request_BadRequest', `Method ${req.method} is not allowed here.`);
    const denied = authenticate(req);
    if (denied !== undefined) return denied;
    if (matched.name === 'groupMembers') return groupMembers(req, matched.id);
    const user = state.directory.find(matched.id);
    if (user === undefined) return userNotFound(matched.id);
    switch (matched.name) {
      case 'registration':
        return registration(user);
      case 'methods':
        return methods(user);
      case 'manager':
        return manager(user);
      case 'installedApps':
        return installedApps(req, user);
      case 'user':
        return json(200, { '@odata.context': `${GRAPH_BASE}/$metadata#users/$entity`, ...userResource(user) });
    }
  }

  return {
    target: 'graph',
    prefix: '/graph',
    acceptsFault(kind: FaultKind, req): boolean {
      if (SIGN_INS.test(req.path)) return true;
      if (DOMAIN.test(req.path)) return kind !== 'nonPremium';
      const matched = matchRoute(req);
      if (matched === undefined) return false;
      return kind !== 'nonPremium' || matched.name === 'registration';
    },
    faultReply(fault: ActiveFault): Reply {
      switch (fault.kind) {
        case 'throttle':
          return graphError(429, 'TooManyRequests', 'Too many requests (sandbox fault "throttle").', { 'retry-after': String(fault.retryAfterSeconds) });
        case 'nonPremium':
          return nonPremium();
        default:
          return graphError(500, 'generalException', 'An unexpected error occurred (sandbox fault "serverError").');
      }
    },
    handle: (req) => Promise.resolve(route(req)),
    finish(req, reply): Reply {
      const clientRequestId = req.headers['client-request-id'];
      return withHeaders(reply, {
        'request-id': randomUUID(),
        ...(clientRequestId === undefined ? {} : { 'client-request-id': clientRequestId }),
      });
    },
  };
}

