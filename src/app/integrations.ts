import type { Clock } from '../domain/clock';
import { isAdmin } from '../domain/authorization';
import { AppError, ErrorCodes } from '../domain/errors';
import {
  AUTH_METHODS,
  IMPACTS,
  assessRisk,
  emptyIntegration,
  evaluateAlerts,
  fixFor,
  integrationKey,
  manualKey,
  mergeInventory,
  parsePlaybookSteps,
  playbookSteps,
  rankIntegrations,
  type IntegrationAlert,
  type Integration,
  type IntegrationFields,
  type IntegrationRisk,
} from '../domain/integrations';
import { canonicalId } from '../domain/principal';
import type { IntegrationRunSummary } from '../domain/sync-run';
import type { IntegrationStore, PartnerCenterContext, PartnerCenterIntegrations } from './integration-ports';
import type { Logger } from './ports';
import { retryOnConflict } from './retry-on-conflict';

/**
 * The integration inventory: the sync step (Partner Center → merged inventory → alerts), and what
 * admins (and an app's owner) ask of it in Teams: the ranked list, one app, its fields, its playbook.
 */

export interface IntegrationsDeps {
  partnerCenter: PartnerCenterIntegrations;
  store: IntegrationStore;
  adminIds: ReadonlySet<string>;
  clock: Clock;
  logger: Logger;
  /** New non-MFA apps and rising shares, after the inventory is stored. Answers how many were sent. */
  onAlerts: (alerts: readonly IntegrationAlert[], integrations: ReadonlyMap<string, Integration>) => Promise<number>;
}

export interface IntegrationView {
  risk: IntegrationRisk;
  fix: string;
  /** Admins edit every field; the owner sees the card without the form. */
  canEdit: boolean;
}

export interface PlaybookView {
  integration?: Integration;
  steps: readonly string[];
  /** The correlation ids of its latest non-MFA requests: the logs to check. */
  correlationIds: string[];
  canEdit: boolean;
}

/** The fields as a card sends them: text, '' = clear. Validated here, not in the bot. */
export interface FieldsInput {
  ownerId?: string;
  ownerName?: string;
  authMethod?: string;
  businessFunction?: string;
  impact?: string;
  notes?: string;
  runbookUrl?: string;
}

const MAX_FIELD = 500;
/** Integration rows written at once by a sync (as PrincipalStore's batches). */
export const SAVE_PARALLELISM = 4;

function optionalText(value: string | undefined, name: string, max = MAX_FIELD): string | undefined {
  const v = value?.trim() ?? '';
  if (v.length > max) throw new AppError(ErrorCodes.InputInvalid, `${name} is too long (at most ${max} characters).`);
  return v === '' ? undefined : v;
}

function httpsUrl(value: string | undefined): string | undefined {
  const v = optionalText(value, 'The runbook link', 2000);
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new AppError(ErrorCodes.InputInvalid, 'The runbook link must be a full https:// address.');
  }
  if (url.protocol !== 'https:') throw new AppError(ErrorCodes.InputInvalid, 'The runbook link must be a full https:// address.');
  return url.toString();
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  const v = value?.trim() ?? '';
  if (v === '') return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new AppError(ErrorCodes.InputInvalid, `${name} must be one of: ${allowed.join(', ')}.`);
  return v as T;
}

export function createIntegrations(deps: IntegrationsDeps) {
  const { store, clock } = deps;
  const admin = (actor: string) => isAdmin(actor, deps.adminIds);
  const requireAdmin = (actor: string, what: string) => {
    if (!admin(actor)) {
      deps.logger.warn({ actor, action: what }, 'non-admin refused');
      throw new AppError(ErrorCodes.NotAdmin, `Only MFA Shepherd admins can ${what}. The integration commands are for admins; an app's owner gets their app's card from the admins.`);
    }
  };
  const isOwner = (actor: string, i: Integration) => i.fields.owner?.aadObjectId !== undefined && canonicalId(i.fields.owner.aadObjectId) === canonicalId(actor);

  /** By key, application id, or name (exact, then unique prefix), case-insensitive. */
  async function find(nameOrId: string): Promise<Integration> {
    const wanted = nameOrId.trim().toLowerCase();
    if (wanted === '') throw new AppError(ErrorCodes.InputInvalid, 'Name an integration: "integration <name or app id>". Type "integrations" for the list.');
    const all = await store.listAll();
    const exact = all.find((i) => i.key === wanted || i.applicationId?.toLowerCase() === wanted || i.name.toLowerCase() === wanted);
    if (exact) return exact;
    const partial = all.filter((i) => i.name.toLowerCase().includes(wanted));
    if (partial.length === 1) return partial[0]!;
    if (partial.length > 1) throw new AppError(ErrorCodes.InputInvalid, `"${nameOrId.slice(0, 100)}" matches ${partial.length} integrations (${partial.slice(0, 5).map((i) => i.name).join(', ')}): be more precise.`);
    throw new AppError(ErrorCodes.NotFound, `No integration is called "${nameOrId.slice(0, 100)}". Type "integrations" for the list.`);
  }

  /** Change one integration under its etag, re-reading on a conflict. */
  async function update(key: string, change: (i: Integration) => Integration): Promise<Integration> {
    return retryOnConflict(async () => {
      const current = await store.get(key);
      if (!current) throw new AppError(ErrorCodes.NotFound, 'That integration is no longer known.');
      return store.save(change(current));
    });
  }

  /** The sync step: both listings, merged, stored; alerts after. Runs inside the principals sync's lease. */
  async function sync(context: PartnerCenterContext): Promise<IntegrationRunSummary> {
    const [adoption, requests, known] = await Promise.all([
      deps.partnerCenter.listAdoption(context),
      deps.partnerCenter.listPartnerRequests(context),
      store.listAll(),
    ]);
    const at = clock.now();
    const before = new Map(known.map((i) => [i.key, i] as const));
    const changed = mergeInventory(known, { adoption: adoption.items, requests: requests.items }, at);
    const merged = new Map(before);
    for (const i of changed) merged.set(i.key, i);
    const evaluation = evaluateAlerts(before, [...merged.values()], at);
    for (const i of evaluation.updated) merged.set(i.key, { ...(merged.get(i.key) ?? i), alerts: i.alerts });
    // The first inventory is a baseline: the inventory card is the news, not one alert per app.
    const alerts = known.length === 0 ? [] : evaluation.alerts;
    const toSave = new Set([...changed.map((i) => i.key), ...evaluation.updated.map((i) => i.key)]);
    let saved = 0;
    const queue = [...toSave];
    const saveOne = async (key: string) => {
      const next = merged.get(key)!;
      try {
        await store.save(next);
      } catch (error) {
        if (!(error instanceof AppError && error.code === ErrorCodes.StorageConflict)) throw error;
        // An admin edited it meanwhile: merge again onto their version (their fields win).
        await update(key, (fresh) => ({ ...next, fields: fresh.fields, etag: fresh.etag }));
      }
      saved += 1;
    };
    // A few writes in flight (one entity per app, each in its own row).
    await Promise.all(
      Array.from({ length: Math.min(SAVE_PARALLELISM, queue.length) }, async () => {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) await saveOne(key);
      }),
    );
    const sent = alerts.length > 0 ? await deps.onAlerts(alerts, merged) : 0;
    deps.logger.info({ correlationId: context.correlationId, apps: merged.size, saved, alerts: alerts.length }, 'integration inventory synced');
    return { outcome: 'succeeded', apps: merged.size, changed: saved, requests: requests.items.length, adoptionDays: adoption.items.length, alerts: sent };
  }

  return {
    sync,
    find,
    isAdmin: admin,

    async inventory(actor: string): Promise<{ ranked: IntegrationRisk[]; at: Date }> {
      requireAdmin(actor, 'see the integration inventory');
      const at = clock.now();
      return { ranked: rankIntegrations(await store.listAll(), at), at };
    },

    /** One app: admins, or the app's owner (without the edit form). */
    async integration(actor: string, nameOrId: string): Promise<IntegrationView> {
      const i = await find(nameOrId);
      if (!admin(actor) && !isOwner(actor, i)) requireAdmin(actor, 'see this integration');
      return { risk: assessRisk(i, clock.now()), fix: fixFor(i), canEdit: admin(actor) };
    },

    /** The integrations whose owner is the actor (an owner's "integrations"). */
    async ownedBy(actor: string): Promise<Integration[]> {
      return (await store.listAll()).filter((i) => isOwner(actor, i));
    },

    async setFields(actor: string, key: string, input: FieldsInput): Promise<IntegrationView> {
      requireAdmin(actor, 'change an integration');
      const ownerName = optionalText(input.ownerName, 'The owner', 200);
      const ownerId = optionalText(input.ownerId, 'The owner id', 200);
      const fields: IntegrationFields = {
        owner: ownerId || ownerName ? { ...(ownerId ? { aadObjectId: canonicalId(ownerId) } : {}), name: ownerName ?? ownerId ?? '' } : undefined,
        authMethod: oneOf(input.authMethod, AUTH_METHODS, 'The auth method'),
        businessFunction: optionalText(input.businessFunction, 'The business function'),
        impact: oneOf(input.impact, IMPACTS, 'The failure impact'),
        notes: optionalText(input.notes, 'The notes', 2000),
        runbookUrl: httpsUrl(input.runbookUrl),
      };
      const saved = await update(key, (i) => ({ ...i, fields: { ...i.fields, ...fields } }));
      deps.logger.info({ actor, key }, 'integration fields changed');
      return { risk: assessRisk(saved, clock.now()), fix: fixFor(saved), canEdit: true };
    },

    /** An integration Partner Center has not seen lately (a quarterly script). */
    async addManual(actor: string, name: string): Promise<IntegrationView> {
      requireAdmin(actor, 'add an integration');
      const clean = optionalText(name, 'The name', 200);
      if (!clean) throw new AppError(ErrorCodes.InputInvalid, 'Name the integration: "integration add <name>".');
      const key = manualKey(clean);
      const saved = await store.save(emptyIntegration(key, clean, true)).catch((error: unknown) => {
        if (error instanceof AppError && error.code === ErrorCodes.StorageAlreadyExists) throw new AppError(ErrorCodes.InputInvalid, `An integration named "${clean}" already exists.`);
        throw error;
      });
      return { risk: assessRisk(saved, clock.now()), fix: fixFor(saved), canEdit: true };
    },

    async playbook(actor: string, nameOrId?: string): Promise<PlaybookView> {
      if (nameOrId === undefined || nameOrId.trim() === '') {
        requireAdmin(actor, 'see the playbook');
        return { steps: playbookSteps(undefined), correlationIds: [], canEdit: false };
      }
      const i = await find(nameOrId);
      if (!admin(actor) && !isOwner(actor, i)) requireAdmin(actor, 'see this playbook');
      return { integration: i, steps: playbookSteps(i), correlationIds: i.recentNonMfa.map((s) => s.correlationId).filter((c) => c !== ''), canEdit: admin(actor) };
    },

    async editPlaybook(actor: string, key: string, input: { steps?: string; runbookUrl?: string }): Promise<PlaybookView> {
      requireAdmin(actor, 'edit a playbook');
      const steps = parsePlaybookSteps(input.steps ?? '');
      const runbookUrl = httpsUrl(input.runbookUrl);
      const saved = await update(key, (i) => ({ ...i, fields: { ...i.fields, playbookSteps: steps.length > 0 ? steps : undefined, runbookUrl } }));
      return { integration: saved, steps: playbookSteps(saved), correlationIds: saved.recentNonMfa.map((s) => s.correlationId), canEdit: true };
    },

    keyOf: integrationKey,
  };
}

export type Integrations = ReturnType<typeof createIntegrations>;
