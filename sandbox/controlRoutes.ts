import { z } from 'zod';
import { empty, json, parseJsonBody, type Reply, type SandboxRequest } from './http';
import { SIGN_IN_KINDS } from './signins';
import { AUTH_METHODS, FAULT_KINDS, SandboxError, TARGETS, type SandboxControl } from './types';

/** The control API at /_sandbox (JSON in, JSON out), mapped onto SandboxControl. */

const faultSchema = z.object({
  target: z.enum(TARGETS),
  kind: z.enum(FAULT_KINDS),
  times: z.number().int().min(1).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});
const rawRecords = z.array(z.record(z.unknown()));
const recordsSchema = z.union([rawRecords, z.object({ records: rawRecords })]).transform((v) => (Array.isArray(v) ? v : v.records));
const generateSchema = z.object({
  records: z.number().int().min(0).max(200_000),
  principals: z.number().int().min(1).max(100_000),
});
const registrationSchema = z.object({ isMfaRegistered: z.boolean(), methods: z.array(z.enum(AUTH_METHODS)).optional() });
const signInSchema = z.object({
  kind: z.enum(SIGN_IN_KINDS),
  at: z.string().datetime({ offset: true }).optional(),
  app: z.string().min(1).max(200).optional(),
  method: z.string().min(1).max(200).optional(),
});
const managerSchema = z.object({ managerId: z.string().min(1).nullable() });
const nonMfaRecordSchema = z.object({ at: z.string().datetime({ offset: true }).optional() }).optional();
const configSchema = z.object({
  pageSize: z.number().int().min(1).optional(),
  premium: z.boolean().optional(),
  autoApproveDeviceCodes: z.boolean().optional(),
});
const approveSchema = z.object({ userCode: z.string().min(1).optional(), mfa: z.boolean() });
const mintSchema = z.object({
  audience: z.enum(['partnerCenter', 'graph']),
  mfa: z.boolean().optional(),
  objectId: z.string().min(1).optional(),
});
const tabTokenSchema = z.object({
  oid: z.string().min(1),
  audience: z.string().min(1).optional(),
  tenantId: z.string().min(1).optional(),
  expiresInSeconds: z.number().int().min(-86_400 * 365).max(86_400).optional(),
});
const groupMemberSchema = z.object({ objectId: z.string().min(1) });
const GROUP_MEMBERS_ROUTE = /^\/_sandbox\/groups\/([^/]+)\/members(?:\/([^/]+))?\/?$/;
const targetQuery = z.enum(TARGETS).optional();

const USER_ROUTE = /^\/_sandbox\/users\/([^/]+)\/(registration|manager|nonMfaRecord|signIns)\/?$/;

function body<T>(req: SandboxRequest, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T {
  let value: unknown;
  try {
    value = parseJsonBody(req);
  } catch {
    throw new SandboxError('invalid_request', 'the body is not valid JSON', 400);
  }
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new SandboxError('invalid_request', detail, 400);
  }
  return parsed.data;
}

export function controlError(err: SandboxError): Reply {
  return json(err.status, { error: { code: err.code, message: err.message } });
}

export function handleControl(control: SandboxControl, req: SandboxRequest): Reply {
  try {
    return route(control, req);
  } catch (err) {
    if (err instanceof SandboxError) return controlError(err);
    throw err;
  }
}

function route(control: SandboxControl, req: SandboxRequest): Reply {
  const key = `${req.method} ${req.path.replace(/\/$/, '')}`;
  switch (key) {
    case 'GET /_sandbox/state':
      return json(200, control.state());
    case 'POST /_sandbox/reset':
      control.reset();
      return json(200, { ok: true });
    case 'GET /_sandbox/faults':
      return json(200, control.state().faults);
    case 'POST /_sandbox/faults':
      return json(201, control.addFault(body(req, faultSchema)));
    case 'DELETE /_sandbox/faults':
      control.clearFaults();
      return empty(204);
    case 'GET /_sandbox/records':
      return json(200, control.records());
    case 'POST /_sandbox/records':
      return json(200, { recordCount: control.appendRecords(body(req, recordsSchema)) });
    case 'PUT /_sandbox/records':
      return json(200, { recordCount: control.replaceRecords(body(req, recordsSchema)) });
    case 'POST /_sandbox/generate':
      return json(200, control.generate(body(req, generateSchema)));
    case 'GET /_sandbox/requests': {
      const target = targetQuery.safeParse(req.url.searchParams.get('target') ?? undefined);
      if (!target.success) throw new SandboxError('invalid_request', `target must be one of ${TARGETS.join(', ')}`, 400);
      return json(200, control.requests(target.data));
    }
    case 'DELETE /_sandbox/requests':
      control.clearRequests();
      return empty(204);
    case 'POST /_sandbox/config':
      return json(200, control.configure(body(req, configSchema)));
    case 'POST /_sandbox/devicecodes/approve':
      return json(200, control.approveDeviceCode(body(req, approveSchema)));
    case 'POST /_sandbox/refreshTokens/revoke':
      return json(200, { revoked: control.revokeRefreshTokens() });
    case 'POST /_sandbox/tokens/tab':
      return json(200, { token: control.mintTabToken(body(req, tabTokenSchema)) });
    case 'POST /_sandbox/accessTokens/revoke':
      return json(200, { revoked: control.revokeAccessTokens() });
    case 'POST /_sandbox/signingKeys/roll':
      return json(200, control.rollSigningKey());
    case 'POST /_sandbox/tokens':
      return json(200, { access_token: control.mintToken(body(req, mintSchema)) });
  }
  const group = GROUP_MEMBERS_ROUTE.exec(req.path);
  if (group?.[1] !== undefined) {
    const groupId = decodeURIComponent(group[1]);
    if (req.method === 'POST' && group[2] === undefined) return json(200, { groupId, members: control.addGroupMember(groupId, body(req, groupMemberSchema).objectId) });
    if (req.method === 'DELETE' && group[2] !== undefined) return json(200, { groupId, members: control.removeGroupMember(groupId, decodeURIComponent(group[2])) });
  }
  const user = USER_ROUTE.exec(req.path);
  const objectId = user?.[1] === undefined ? undefined : decodeURIComponent(user[1]);
  if (req.method === 'GET' && objectId !== undefined && user?.[2] === 'signIns') return json(200, control.signIns(objectId));
  if (req.method === 'POST' && objectId !== undefined) {
    switch (user?.[2]) {
      case 'registration':
        return json(200, control.setRegistration(objectId, body(req, registrationSchema)));
      case 'signIns':
        return json(201, control.addSignIn(objectId, body(req, signInSchema)));
      case 'manager':
        return json(200, control.setManager(objectId, body(req, managerSchema).managerId));
      case 'nonMfaRecord': {
        const at = body(req, nonMfaRecordSchema)?.at;
        return json(201, control.addNonMfaRecord(objectId, at === undefined ? undefined : new Date(at)));
      }
    }
  }
  return json(404, { error: { code: 'sandbox_route_not_found', message: `control: no route for ${req.method} ${req.path}` } });
}
