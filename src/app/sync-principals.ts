import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes, describeError, isAppError } from '../domain/errors';
import { canonicalId } from '../domain/principal';
import { assessListing, planSync } from '../domain/sync';
import { needsReconnect, outcomeForErrorCode, syncRunId, type IntegrationRunSummary, type SyncRun } from '../domain/sync-run';
import { retryOnConflict } from './retry-on-conflict';
import { withLease } from './with-lease';
import type { IdGenerator, LeaseStore, Logger, PartnerCenter, PartnerCenterAuth, PrincipalStore, SyncRunStore } from './ports';

export interface SyncDeps {
  tenantId: string;
  partnerCenter: PartnerCenter;
  auth: Pick<PartnerCenterAuth, 'getAccessToken'>;
  principals: Pick<PrincipalStore, 'listAll' | 'saveMany'>;
  syncRuns: SyncRunStore;
  leases: LeaseStore;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /**
   * Told when the sync starts failing in a way only an admin can fix (reconnect with MFA).
   * Answers how many admins it reached.
   */
  onReconnectNeeded: (run: SyncRun) => Promise<number>;
  /** Names this instance in the sync lease's holder. */
  instanceId: string;
  /**
   * The integration inventory, run after the principals under the same lease with the same token.
   * Its failure is recorded on the run without failing the principals' part.
   */
  syncIntegrations?: (context: { correlationId: string; accessToken: string }) => Promise<IntegrationRunSummary>;
}

export interface SyncRequest {
  trigger: SyncRun['trigger'];
  requestedBy?: string;
}

const LEASE = 'sync';
const LEASE_TTL_MS = 10 * 60 * 1000;

/**
 * Pull Partner Center's non-MFA principals, merge them into what we know and store the run.
 * One run at a time across instances (a lease in storage). Partner Center's 401/900421 stops the
 * run at once — no retry loop — and admins are told to reconnect, once per failure streak. Any
 * other 401 gets one second chance: the cached access token may have been revoked or its signing
 * key rolled, so the refresh token is redeemed once for a fresh one and the listing asked again;
 * only when that fails too is a reconnect needed.
 */
export function createSyncPrincipals(deps: SyncDeps) {
  const { tenantId, logger, clock } = deps;

  /** What the run saw: whether the token carried MFA, Partner Center's own verdict, and the token that worked (for the integration part). */
  type Observed = { tokenHasMfa?: boolean; pcSaysCompliant?: boolean; accessToken?: string };

  async function tokenWithMfa(observed: Observed, forceRefresh: boolean) {
    const token = await deps.auth.getAccessToken(forceRefresh ? { forceRefresh } : undefined);
    observed.tokenHasMfa = token.hasMfa;
    if (!token.hasMfa) {
      throw new AppError(
        ErrorCodes.TokenWithoutMfa,
        'The Partner Center token has no MFA claim (amr lacks "mfa"); Partner Center would reject it with 900421.',
      );
    }
    return token;
  }

  async function listWithOneFreshToken(correlationId: string, observed: Observed) {
    const cached = await tokenWithMfa(observed, false);
    try {
      const listing = await deps.partnerCenter.listNonMfaCompliantPrincipals({ correlationId, accessToken: cached.token });
      observed.accessToken = cached.token;
      return listing;
    } catch (error) {
      // 900421 is PC_MFA_REQUIRED and never retried: a fresh token from the same sign-in has no MFA either.
      if (!isAppError(error) || error.code !== ErrorCodes.PcUnauthorized) throw error;
      logger.info({ correlationId }, 'Partner Center refused the access token; redeeming the refresh token once for a fresh one');
    }
    const fresh = await tokenWithMfa(observed, true);
    const listing = await deps.partnerCenter.listNonMfaCompliantPrincipals({ correlationId, accessToken: fresh.token });
    observed.accessToken = fresh.token;
    return listing;
  }

  async function fetchAndStore(correlationId: string, syncAtHolder: Observed) {
    // Read what we know while Partner Center answers; writes are etag-checked, so a change in
    // between is caught as a conflict and re-planned from a fresh read.
    const [listing, firstRead] = await Promise.all([
      listWithOneFreshToken(correlationId, syncAtHolder),
      deps.principals.listAll(tenantId),
    ]);
    syncAtHolder.pcSaysCompliant = listing.isMfaCompliant;
    const assessment = assessListing(listing.records.length, listing.skipped);
    if (!assessment.usable) throw new AppError(ErrorCodes.PcBadResponse, `Partner Center's list could not be trusted: ${assessment.reason ?? ''}`);
    if (!assessment.complete) logger.warn({ correlationId, records: listing.records.length }, "Partner Center's 10,000-record cap was reached: nobody missing from this list is marked resolved");
    // One partner, one partition: principals are keyed by the configured tenant and canonical ids,
    // whatever case or tenant field Partner Center's items carry.
    const records = listing.records.map((r) => ({ ...r, tenantId, objectId: canonicalId(r.objectId) }));
    const syncAt = clock.now();
    let fresh: Awaited<ReturnType<typeof deps.principals.listAll>> | undefined = firstRead;
    return retryOnConflict(async () => {
      const known = fresh ?? (await deps.principals.listAll(tenantId));
      fresh = undefined;
      const plan = planSync(known, records, syncAt, { complete: assessment.complete });
      await deps.principals.saveMany(plan.writes);
      return plan.counts;
    });
  }

  async function integrationsPart(correlationId: string, accessToken: string | undefined): Promise<IntegrationRunSummary | undefined> {
    if (!deps.syncIntegrations || accessToken === undefined) return undefined;
    try {
      return await deps.syncIntegrations({ correlationId, accessToken });
    } catch (error) {
      const { code } = describeError(error);
      logger.warn({ correlationId, code }, 'integration inventory sync failed');
      return { outcome: 'failed', errorCode: code };
    }
  }

  return async function syncPrincipals(request: SyncRequest): Promise<SyncRun> {
    const startedAt = clock.now();
    const correlationId = deps.ids.newId();
    const outcome = await withLease(deps, { name: LEASE, instanceId: deps.instanceId, hold: { whileRunning: { ttlMs: LEASE_TTL_MS } } }, async () => {
      const observed: Observed = {};
      const base = {
        id: syncRunId(startedAt, correlationId.slice(0, 8)),
        tenantId,
        trigger: request.trigger,
        requestedBy: request.requestedBy,
        correlationId,
        startedAt,
      };
      let previous: SyncRun | undefined;
      try {
        previous = (await deps.syncRuns.latest(tenantId, 1))[0];
        const counts = await fetchAndStore(correlationId, observed);
        const integrations = await integrationsPart(correlationId, observed.accessToken);
        logger.info({ correlationId, counts, integrations }, 'sync succeeded');
        const run: SyncRun = { ...base, finishedAt: clock.now(), outcome: 'succeeded', counts, tokenHasMfa: observed.tokenHasMfa, partnerCenterSaysMfaCompliant: observed.pcSaysCompliant, ...(integrations ? { integrations } : {}) };
        return { run, previous };
      } catch (error) {
        const { code, message } = describeError(error);
        const run: SyncRun = {
          ...base,
          finishedAt: clock.now(),
          outcome: outcomeForErrorCode(code),
          tokenHasMfa: observed.tokenHasMfa,
          partnerCenterSaysMfaCompliant: observed.pcSaysCompliant,
          errorCode: code,
          errorMessage: message.slice(0, 1000),
        };
        const log = isAppError(error) && error.expected ? logger.warn.bind(logger) : logger.error.bind(logger);
        log({ correlationId, code, outcome: run.outcome }, 'sync failed');
        return { run, previous };
      }
    });
    if (!outcome.ran) throw new AppError(ErrorCodes.SyncInProgress, 'A Partner Center sync is already running.');
    let { run } = outcome.result;
    const { previous } = outcome.result;
    // Tell admins once per failure streak, and again while an alert reached none of them (no admin
    // had a chat with the bot yet, Teams failed). Before storing the run, which may fail too.
    if (needsReconnect(run.outcome) && (previous?.outcome !== run.outcome || !previous.adminsAlerted)) {
      run = { ...run, adminsAlerted: await deps.onReconnectNeeded(run) };
    }
    await deps.syncRuns.add(run);
    return run;
  };
}

export type SyncPrincipals = ReturnType<typeof createSyncPrincipals>;
