/**
 * Ports of the integration watch (kept apart from ports.ts: a feature of its own).
 */
import type { AdoptionDay, AppRequest, Incident, Integration } from '../domain/integrations';
import type { ConversationAddress } from '../domain/conversation';

export interface CollectionListing<T> {
  items: T[];
  pages: number;
  skipped: number;
  isMfaCompliant?: boolean;
}

export interface PartnerCenterContext {
  correlationId: string;
  accessToken: string;
}

export interface PartnerCenterIntegrations {
  /** `GET /v1/applicationmfaadoptionstatus`, every page. Same errors as the principals listing. */
  listAdoption(context: PartnerCenterContext): Promise<CollectionListing<AdoptionDay>>;
  /** `GET /v1/partnerRequests`: the latest 10,000 App+User requests of the last 7 days. */
  listPartnerRequests(context: PartnerCenterContext): Promise<CollectionListing<AppRequest>>;
  /** One call with `ValidateMfa: true` (the first page of the adoption status): Partner Center's verdict. */
  probe(context: PartnerCenterContext): Promise<{ status: number; isMfaCompliant?: boolean; requestId: string }>;
}

export interface IntegrationStore {
  listAll(): Promise<Integration[]>;
  get(key: string): Promise<Integration | undefined>;
  /** Create (no etag: STORAGE_ALREADY_EXISTS if present) or replace under etag (STORAGE_CONFLICT). */
  save(integration: Integration): Promise<Integration>;
}

export interface IncidentStore {
  /** STORAGE_ALREADY_EXISTS when the id is taken. */
  create(incident: Incident): Promise<Incident>;
  get(id: string): Promise<Incident | undefined>;
  /** Replace under etag. */
  save(incident: Incident): Promise<Incident>;
  /** Newest first. */
  latest(count: number): Promise<Incident[]>;
}

export interface IntakeKey {
  id: string;
  /** What it is for (e.g. "Billing export pipeline"). */
  label: string;
  /** sha256 of the secret, hex. */
  hash: string;
  createdBy: string;
  createdAt: Date;
  revokedAt?: Date;
  revokedBy?: string;
  etag?: string;
}

export interface IntakeKeyStore {
  create(key: IntakeKey): Promise<IntakeKey>;
  get(id: string): Promise<IntakeKey | undefined>;
  save(key: IntakeKey): Promise<IntakeKey>;
  list(): Promise<IntakeKey[]>;
}

export interface IncidentsChannel {
  address: ConversationAddress;
  setBy: string;
  setAt: Date;
}

/** Small settings of the feature: the operations channel. */
export interface IntegrationSettingsStore {
  getChannel(): Promise<{ value: IncidentsChannel | null; etag: string } | undefined>;
  putChannel(value: IncidentsChannel | null, etag?: string): Promise<void>;
}
