import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { isAdmin } from '../domain/authorization';
import type { Clock } from '../domain/clock';
import type { ConversationAddress } from '../domain/conversation';
import { AppError, ErrorCodes } from '../domain/errors';
import { hourBucket, integrationKey, isMfaFailure, manualKey, playbookSteps, type Incident, type Integration, type IntegrationAlert } from '../domain/integrations';
import { canonicalId } from '../domain/principal';
import type { IncidentStore, IntakeKey, IntakeKeyStore, IntegrationSettingsStore, IntegrationStore } from './integration-ports';
import type { Logger, OutboundMessage, Outbox, OutboxMessage } from './ports';
import { retryOnConflict } from './retry-on-conflict';

/**
 * 401/900421 incidents: the intake (POST /api/incidents with a per-integration key), the same by
 * hand in Teams, the alert to the app's owner, the admins and the operations channel (through the
 * durable outbox, one per app and hour: the outbox key carries the bucket), and the acknowledgement.
 */

/** What a caller posts. One of applicationId or name; the rest as Partner Center reported it. */
export const incidentInputSchema = z
  .object({
    applicationId: z.string().trim().min(1).max(200).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    status: z.number().int().min(100).max(599),
    errorCode: z.union([z.string().trim().min(1).max(100), z.number().int()]).transform(String),
    correlationId: z.string().trim().max(200).optional(),
    operationName: z.string().trim().max(300).optional(),
    occurredAt: z.string().datetime({ offset: true }).transform((s) => new Date(s)),
  })
  .strict()
  .refine((v) => v.applicationId !== undefined || v.name !== undefined, { message: 'applicationId or name is required', path: ['applicationId'] });

export type IncidentInput = z.infer<typeof incidentInputSchema>;

export interface IncidentView {
  incident: Incident;
  integration?: Integration;
  steps: readonly string[];
}

export interface IncidentsDeps {
  tenantId: string;
  incidents: IncidentStore;
  integrations: Pick<IntegrationStore, 'get' | 'listAll'>;
  keys: IntakeKeyStore;
  settings: IntegrationSettingsStore;
  outbox: Pick<Outbox, 'enqueue'>;
  adminIds: readonly string[];
  clock: Clock;
  logger: Logger;
  /** The alert card of an incident (one for every recipient: times render in each reader's zone). */
  incidentMessage: (view: IncidentView) => OutboundMessage;
  integrationAlertMessage: (alert: IntegrationAlert, integration: Integration | undefined) => OutboundMessage;
  /** Requests per second per key, sustained, and the burst allowed. */
  rate?: { perSecond: number; burst: number };
}

const KEY_PREFIX = 'msk';
const DEFAULT_RATE = { perSecond: 20, burst: 200 };
export const KEY_CACHE_MS = 10_000;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** `msk_<id>_<secret>`: the id finds the stored hash; only the hash is kept. */
export function parseIntakeSecret(secret: string): { id: string } | undefined {
  const m = /^msk_([a-f0-9]{12})_([A-Za-z0-9_-]{32,})$/.exec(secret.trim());
  return m ? { id: m[1]! } : undefined;
}

export function createIncidents(deps: IncidentsDeps) {
  const { clock } = deps;
  const admins = new Set(deps.adminIds.map(canonicalId));
  const rate = deps.rate ?? DEFAULT_RATE;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const requireAdmin = (actor: string, what: string) => {
    if (!isAdmin(actor, admins)) throw new AppError(ErrorCodes.NotAdmin, `Only MFA Shepherd admins can ${what}. The integration commands are for admins.`);
  };

  /**
   * Keys read in the last KEY_CACHE_MS, so a busy pipeline costs one read per interval. A revoke in
   * this instance takes effect at once; in another instance within KEY_CACHE_MS.
   */
  const keyCache = new Map<string, { key: IntakeKey | undefined; at: number }>();
  async function readKey(id: string): Promise<IntakeKey | undefined> {
    const now = clock.now().getTime();
    const cached = keyCache.get(id);
    if (cached && now - cached.at < KEY_CACHE_MS && now >= cached.at) return cached.key;
    const key = await deps.keys.get(id);
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(id, { key, at: now });
    return key;
  }

  /** A token bucket per key, in this instance. */
  function allow(keyId: string): boolean {
    const now = clock.now().getTime();
    const b = buckets.get(keyId) ?? { tokens: rate.burst, at: now };
    b.tokens = Math.min(rate.burst, b.tokens + ((now - b.at) / 1000) * rate.perSecond);
    b.at = now;
    buckets.set(keyId, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  async function integrationFor(input: { applicationId?: string; name?: string }): Promise<{ key: string; integration?: Integration }> {
    if (input.applicationId) {
      const key = integrationKey(input.applicationId);
      return { key, integration: await deps.integrations.get(key) };
    }
    // An integration added by hand has its name in its key: one read, no listing.
    const byKey = await deps.integrations.get(manualKey(input.name ?? ''));
    if (byKey) return { key: byKey.key, integration: byKey };
    const name = (input.name ?? '').toLowerCase();
    const found = (await deps.integrations.listAll()).find((i) => i.name.toLowerCase() === name || i.key === name);
    return found ? { key: found.key, integration: found } : { key: manualKey(input.name ?? '') };
  }

  async function recipients(integration: Integration | undefined): Promise<OutboxMessage['to'][]> {
    const ids = new Set(admins);
    const owner = integration?.fields.owner?.aadObjectId;
    if (owner) ids.add(canonicalId(owner));
    const to: OutboxMessage['to'][] = [...ids].map((aadObjectId) => ({ aadObjectId }));
    const channel = (await deps.settings.getChannel())?.value;
    if (channel) to.push({ address: channel.address });
    return to;
  }

  const recipientId = (to: OutboxMessage['to']) => ('aadObjectId' in to ? to.aadObjectId : `conv:${to.address.conversationId}`);

  /** One alert per app and hour: outbox keys carry the bucket, so a second enqueue sends nothing. */
  const alerted = new Set<string>();
  async function alert(view: IncidentView): Promise<number> {
    const bucket = view.incident.alertBucket;
    if (alerted.has(bucket)) return 0;
    const message = deps.incidentMessage(view);
    const to = await recipients(view.integration);
    await deps.outbox.enqueue(to.map((t) => ({ key: `incident:${bucket}:${recipientId(t)}`, tenantId: deps.tenantId, to: t, message, kind: 'incident.alert' })));
    alerted.add(bucket);
    if (alerted.size > 10_000) alerted.clear();
    return to.length;
  }

  async function file(input: IncidentInput, source: string): Promise<IncidentView> {
    const receivedAt = clock.now();
    if (input.occurredAt.getTime() > receivedAt.getTime() + 10 * 60_000) {
      throw new AppError(ErrorCodes.InputInvalid, 'occurredAt is in the future.');
    }
    const { key, integration } = await integrationFor(input);
    const incident: Incident = {
      // Newest first in storage, unique by its random part.
      id: `INC-${(9_999_999_999_999 - receivedAt.getTime()).toString(36).toUpperCase()}${randomBytes(4).toString('hex').toUpperCase()}`,
      integrationKey: key,
      applicationId: input.applicationId,
      name: integration?.name ?? input.name,
      status: input.status,
      errorCode: input.errorCode,
      correlationId: input.correlationId || undefined,
      operationName: input.operationName || undefined,
      occurredAt: input.occurredAt,
      receivedAt,
      source,
      alertBucket: hourBucket(key, receivedAt),
    };
    const stored = await deps.incidents.create(incident);
    const view = { incident: stored, integration, steps: playbookSteps(integration) };
    const sent = await alert(view);
    deps.logger.info({ incidentId: stored.id, key, source, mfa: isMfaFailure(input.status, input.errorCode), alerted: sent }, 'incident filed');
    return view;
  }

  return {
    /** The caller's key id, or INTAKE_UNAUTHORIZED (unknown, wrong or revoked key). */
    async authenticate(secret: string | undefined): Promise<string> {
      const refused = new AppError(ErrorCodes.IntakeUnauthorized, 'A valid incident intake key is required (Authorization: Bearer msk_…).');
      const parsed = secret === undefined ? undefined : parseIntakeSecret(secret);
      if (!parsed) throw refused;
      const key = await readKey(parsed.id);
      if (!key || key.revokedAt) throw refused;
      const a = Buffer.from(key.hash, 'hex');
      const b = Buffer.from(sha256(secret!.trim()), 'hex');
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw refused;
      return key.id;
    },

    /** POST /api/incidents after authentication: validate, rate-limit, store, alert. */
    async intake(keyId: string, body: unknown): Promise<IncidentView> {
      if (!allow(keyId)) {
        throw new AppError(ErrorCodes.RateLimited, `Too many incidents from this key; at most ${rate.perSecond} per second.`, { retryAfterSeconds: Math.ceil(1 / rate.perSecond) });
      }
      const parsed = incidentInputSchema.safeParse(body);
      if (!parsed.success) {
        throw new AppError(ErrorCodes.InputInvalid, `The incident is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`.slice(0, 1000));
      }
      return file(parsed.data, keyId);
    },

    /** `report 900421` in Teams: an admin files one by hand. */
    async report(actor: string, input: Record<string, unknown>): Promise<IncidentView> {
      requireAdmin(actor, 'report an incident');
      const occurred = typeof input['occurredAt'] === 'string' && input['occurredAt'] !== '' ? input['occurredAt'] : clock.now().toISOString();
      const status = typeof input['status'] === 'string' ? Number(input['status']) : input['status'];
      const body = { ...input, status: status ?? 401, errorCode: input['errorCode'] || '900421', occurredAt: occurred };
      const parsed = incidentInputSchema.safeParse(Object.fromEntries(Object.entries(body).filter(([, v]) => v !== '' && v !== undefined)));
      if (!parsed.success) throw new AppError(ErrorCodes.InputInvalid, `Check the form: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return file(parsed.data, `teams:${actor}`);
    },

    async acknowledge(actor: string, actorName: string, incidentId: string): Promise<IncidentView> {
      const incident = await deps.incidents.get(incidentId);
      if (!incident) throw new AppError(ErrorCodes.NotFound, 'That incident is not known.');
      const integration = await deps.integrations.get(incident.integrationKey);
      const owner = integration?.fields.owner?.aadObjectId;
      if (!isAdmin(actor, admins) && !(owner && canonicalId(owner) === canonicalId(actor))) requireAdmin(actor, 'acknowledge incidents');
      const saved = incident.acknowledgedBy
        ? incident
        : await retryOnConflict(async () => {
            const fresh = (await deps.incidents.get(incidentId))!;
            if (fresh.acknowledgedBy) return fresh;
            return deps.incidents.save({ ...fresh, acknowledgedBy: canonicalId(actor), acknowledgedByName: actorName.slice(0, 200), acknowledgedAt: clock.now() });
          });
      return { incident: saved, integration, steps: playbookSteps(integration) };
    },

    async setChannel(actor: string, address: ConversationAddress | null): Promise<void> {
      requireAdmin(actor, 'choose the incidents channel');
      const stored = await deps.settings.getChannel();
      await deps.settings.putChannel(address ? { address, setBy: actor, setAt: clock.now() } : null, stored?.etag);
    },

    async createKey(actor: string, label: string): Promise<{ key: IntakeKey; secret: string }> {
      requireAdmin(actor, 'create incident intake keys');
      const clean = label.trim().slice(0, 200);
      if (clean === '') throw new AppError(ErrorCodes.InputInvalid, 'Say what the key is for: "incident key create <what posts with it>".');
      const id = randomBytes(6).toString('hex');
      const secret = `${KEY_PREFIX}_${id}_${randomBytes(24).toString('base64url')}`;
      const key = await deps.keys.create({ id, label: clean, hash: sha256(secret), createdBy: actor, createdAt: clock.now() });
      deps.logger.info({ actor, keyId: id }, 'incident intake key created');
      return { key, secret };
    },

    async revokeKey(actor: string, id: string): Promise<IntakeKey> {
      requireAdmin(actor, 'revoke incident intake keys');
      const key = await deps.keys.get(id.trim().toLowerCase());
      if (!key) throw new AppError(ErrorCodes.NotFound, `No intake key has the id "${id.slice(0, 50)}". Type "incident keys" for the list.`);
      if (key.revokedAt) return key;
      const saved = await deps.keys.save({ ...key, revokedAt: clock.now(), revokedBy: actor });
      keyCache.delete(key.id);
      deps.logger.info({ actor, keyId: key.id }, 'incident intake key revoked');
      return saved;
    },

    async listKeys(actor: string): Promise<IntakeKey[]> {
      requireAdmin(actor, 'see incident intake keys');
      return deps.keys.list();
    },

    async recent(actor: string, count = 10): Promise<Incident[]> {
      requireAdmin(actor, 'see incidents');
      return deps.incidents.latest(count);
    },

    /** The sync's alerts (new non-MFA app, rising share), to the owner, admins and channel, once per app, kind and day. */
    async sendIntegrationAlerts(alerts: readonly IntegrationAlert[], integrations: ReadonlyMap<string, Integration>): Promise<number> {
      const day = clock.now().toISOString().slice(0, 10);
      const messages: OutboxMessage[] = [];
      for (const a of alerts) {
        const integration = integrations.get(a.key);
        const message = deps.integrationAlertMessage(a, integration);
        for (const to of await recipients(integration)) {
          messages.push({ key: `integration-alert:${a.key}:${a.kind}:${day}:${recipientId(to)}`, tenantId: deps.tenantId, to, message, kind: `integration.${a.kind}` });
        }
      }
      if (messages.length > 0) await deps.outbox.enqueue(messages);
      return alerts.length;
    },
  };
}

export type Incidents = ReturnType<typeof createIncidents>;
