import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Incidents } from '../app/incidents';
import type { CheckConnection } from '../app/check-connection';
import type { Integrations } from '../app/integrations';
import {
  connectionCheckCard,
  incidentAlertCard,
  incidentReportCard,
  integrationDetailCard,
  integrationsInventoryCard,
  playbookCard,
} from '../cards';
import { Verbs } from '../cards/verbs';
import { AppError, ErrorCodes, isAppError } from '../domain/errors';
import { actorOf, addressOf, isPersonal, requireActorId } from './activity';
import type { BotDeps } from './deps';
import type { IntegrationCommand } from './integration-commands';
import { timezoneFor, type Card } from './replies';

/** The integration watch's use cases, for the bot's routes. */
export interface IntegrationFeature {
  integrations: Integrations;
  incidents: Incidents;
  checkConnection: CheckConnection;
}

const text = (max: number) => z.preprocess((v) => (v === null || v === undefined ? undefined : typeof v === 'number' ? String(v) : v), z.string().max(max).optional());
const key = z.string().trim().min(1).max(300);

/** Card data: never trusted, never the actor. */
export const integrationCardData = {
  [Verbs.IntegrationList]: z.object({}).passthrough(),
  [Verbs.IntegrationOpen]: z.object({ key }).passthrough(),
  [Verbs.IntegrationSave]: z
    .object({ key, ownerId: text(200), ownerName: text(1000), authMethod: text(100), businessFunction: text(2000), impact: text(100), notes: text(5000), runbookUrl: text(3000) })
    .passthrough(),
  [Verbs.IntegrationPlaybook]: z.object({ key: key.optional() }).passthrough(),
  [Verbs.IntegrationPlaybookSave]: z.object({ key, steps: text(10_000), runbookUrl: text(3000) }).passthrough(),
  [Verbs.IncidentAck]: z.object({ incidentId: z.string().trim().min(1).max(100).regex(/^[\w-]+$/) }).passthrough(),
  [Verbs.IncidentReport]: z
    .object({ applicationId: text(200), name: text(200), status: text(10), errorCode: text(100), correlationId: text(200), operationName: text(300) })
    .passthrough(),
} as const;

export type IntegrationVerb = keyof typeof integrationCardData;

function parse<V extends IntegrationVerb>(verb: V, data: unknown): z.infer<(typeof integrationCardData)[V]> {
  const parsed = integrationCardData[verb].safeParse(data ?? {});
  if (!parsed.success) throw new AppError(ErrorCodes.InputInvalid, 'That button sent something MFA Shepherd did not expect. Type "integrations" to start again.', { details: { verb } });
  return parsed.data;
}

export function createIntegrationHandlers(deps: BotDeps, feature: IntegrationFeature) {
  const { integrations, incidents } = feature;
  const actor = (c: TurnContext) => requireActorId(c.activity);
  const zone = (c: TurnContext) => timezoneFor(deps, c);

  async function open(c: TurnContext, nameOrKey: string, message?: string): Promise<Card> {
    const view = await integrations.integration(actor(c), nameOrKey);
    return integrationDetailCard({ ...view, zone: await zone(c), message });
  }

  async function inventory(c: TurnContext): Promise<Card> {
    const id = actor(c);
    if (!integrations.isAdmin(id)) {
      // An app's owner gets their own app's card; anyone else hears these are for admins.
      const [first] = await integrations.ownedBy(id);
      if (first) return open(c, first.key);
    }
    return integrationsInventoryCard(await integrations.inventory(id));
  }

  async function playbook(c: TurnContext, nameOrKey?: string, message?: string): Promise<Card> {
    return playbookCard({ ...(await integrations.playbook(actor(c), nameOrKey)), message });
  }

  /** Refuse non-admins before anything is read (the integration commands are for admins). */
  function requireAdmin(c: TurnContext, what: string): string {
    const id = actor(c);
    if (!integrations.isAdmin(id)) {
      deps.logger.warn({ actor: id, action: what }, 'non-admin refused');
      throw new AppError(ErrorCodes.NotAdmin, `Only MFA Shepherd admins can ${what}. The integration commands are for admins.`);
    }
    return id;
  }

  async function channel(c: TurnContext, on: boolean): Promise<string> {
    requireAdmin(c, 'choose the incidents channel');
    if (on && isPersonal(c.activity)) return 'Type "incidents here" in the operations channel where incident alerts should be posted (not in a 1:1 chat).';
    const address = on ? addressOf(c.activity) : null;
    if (on && !address) throw new AppError(ErrorCodes.InputInvalid, 'This conversation cannot be used for incident alerts.');
    await incidents.setChannel(actor(c), address ?? null);
    return on ? 'Incident alerts will also be posted in this channel, with the playbook and an Acknowledge button.' : 'Incident alerts now go to the app owners and the admins only (no channel).';
  }

  return {
    inventory,
    open,
    playbook,

    async command(c: TurnContext, command: IntegrationCommand): Promise<Card | string> {
      switch (command.name) {
        case 'integrations':
          return inventory(c);
        case 'integration':
          return open(c, command.argument);
        case 'integrationAdd': {
          const view = await integrations.addManual(actor(c), command.argument);
          return integrationDetailCard({ ...view, zone: await zone(c), message: 'Added. Fill in its owner and fields below.' });
        }
        case 'playbook':
          return playbook(c, command.argument);
        case 'incidentsHere':
        case 'incidentsOff':
          return channel(c, command.name === 'incidentsHere');
        case 'incidents': {
          const recent = await incidents.recent(actor(c), 10);
          if (recent.length === 0) return 'No incident has been reported.';
          return `Latest incidents:\n\n${recent.map((x) => `- ${x.id}: ${x.name ?? x.integrationKey}, HTTP ${x.status} ${x.errorCode}${x.acknowledgedByName ? `, acknowledged by ${x.acknowledgedByName}` : ', not acknowledged'}`).join('\n')}`;
        }
        case 'report900421': {
          const id = requireAdmin(c, 'report an incident');
          return incidentReportCard({ apps: (await integrations.inventory(id)).ranked.map((r) => r.integration) });
        }
        case 'checkConnection':
          return connectionCheckCard(await feature.checkConnection(actor(c)));
        case 'keyCreate': {
          const { key, secret } = await incidents.createKey(actor(c), command.argument);
          return `Intake key ${key.id} for "${key.label}" created. Shown once, store it now:\n\n${secret}\n\nPost incidents to /api/incidents with the header Authorization: Bearer <key>.`;
        }
        case 'keyRevoke': {
          const key = await incidents.revokeKey(actor(c), command.argument);
          return `Intake key ${key.id} ("${key.label}") is revoked: posts with it now get 401.`;
        }
        case 'keys': {
          const keys = await incidents.listKeys(actor(c));
          if (keys.length === 0) return 'No intake key yet. Create one with "incident key create <what posts with it>".';
          return `Incident intake keys:\n\n${keys.map((k) => `- ${k.id}: ${k.label}${k.revokedAt ? ' (revoked)' : ''}`).join('\n')}`;
        }
      }
    },

    actions: {
      [Verbs.IntegrationList]: async (c: TurnContext, data: Record<string, unknown>) => (parse(Verbs.IntegrationList, data), inventory(c)),
      [Verbs.IntegrationOpen]: async (c: TurnContext, data: Record<string, unknown>) => open(c, parse(Verbs.IntegrationOpen, data).key),
      [Verbs.IntegrationSave]: async (c: TurnContext, data: Record<string, unknown>) => {
        const { key: k, ...fields } = parse(Verbs.IntegrationSave, data);
        const view = await integrations.setFields(actor(c), k, fields);
        return integrationDetailCard({ ...view, zone: await zone(c), message: 'Saved.' });
      },
      [Verbs.IntegrationPlaybook]: async (c: TurnContext, data: Record<string, unknown>) => playbook(c, parse(Verbs.IntegrationPlaybook, data).key),
      [Verbs.IntegrationPlaybookSave]: async (c: TurnContext, data: Record<string, unknown>) => {
        const { key: k, ...input } = parse(Verbs.IntegrationPlaybookSave, data);
        return playbookCard({ ...(await integrations.editPlaybook(actor(c), k, input)), message: 'Saved.' });
      },
      [Verbs.IncidentAck]: async (c: TurnContext, data: Record<string, unknown>) => {
        const view = await incidents.acknowledge(actor(c), actorOf(c.activity).name ?? 'someone', parse(Verbs.IncidentAck, data).incidentId);
        return incidentAlertCard({ ...view, zone: await zone(c) });
      },
      [Verbs.IncidentReport]: async (c: TurnContext, data: Record<string, unknown>) => {
        const { status, ...rest } = parse(Verbs.IncidentReport, data);
        try {
          const view = await incidents.report(actor(c), { ...rest, status: status === undefined || status === '' ? undefined : Number(status) });
          return incidentAlertCard({ ...view, zone: await zone(c) });
        } catch (error) {
          if (!isAppError(error, ErrorCodes.InputInvalid)) throw error;
          return incidentReportCard({ apps: (await integrations.inventory(actor(c))).ranked.map((r) => r.integration), error: error.message });
        }
      },
    } satisfies Record<IntegrationVerb, (c: TurnContext, data: Record<string, unknown>) => Promise<Card | string>>,
  };
}

export type IntegrationHandlers = ReturnType<typeof createIntegrationHandlers>;
