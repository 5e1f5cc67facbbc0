import { randomUUID } from 'node:crypto';
import type { Logger, PartnerCenter, PrincipalListing } from '../../app/ports';
import type { NonMfaRecord } from '../../domain/principal';
import { createHttpClient, HttpTransportError, type HttpClient, type HttpResponse } from '../http';
import { badResponse, errorFromResponse, errorFromTransport } from './errors';
import { adoptionDayFrom, appRequestFrom } from './integrations-wire';
import { parseCollectionPage, parsePrincipalsPage, readBooleanFlag, type CollectionParseResult, type NextPage } from './wire';
import type { PartnerCenterIntegrations } from '../../app/integration-ports';

function parsePrincipalsCollection(text: string): CollectionParseResult<NonMfaRecord> {
  const parsed = parsePrincipalsPage(text);
  if (!parsed.ok) return parsed;
  const { records, ...rest } = parsed.page;
  return { ok: true, page: { items: records, ...rest } };
}

/** What the client returns: the port's listing plus the count of unreadable items it skipped. */
export interface PartnerCenterListing extends PrincipalListing {
  skipped: number;
}

export interface PartnerCenterClient extends PartnerCenter {
  listNonMfaCompliantPrincipals(context: { correlationId: string; accessToken: string }): Promise<PartnerCenterListing>;
  /** The integration watch's endpoints, through the same HTTP policy, paging and fault mapping. */
  integrations: PartnerCenterIntegrations;
}

export interface PartnerCenterClientOptions {
  /** e.g. https://api.partnercenter.microsoft.com (no trailing slash needed). */
  baseUrl: string;
  /** e.g. /v1/nonMfaCompliantPartnerPrincipals */
  principalsPath: string;
  http?: HttpClient;
  logger?: Logger;
  /** New `MS-RequestId` values (GUIDs). */
  newRequestId?: () => string;
  /**
   * Pages followed at most. Partner Center keeps 10,000 records; a longer chain means a server
   * that loops, and the listing fails rather than returning part of it (a partial listing would
   * make unlisted principals look resolved).
   */
  maxPages?: number;
}

export const DEFAULT_MAX_PAGES = 100;

/**
 * The Partner Center client: `GET {base}{principalsPath}` with App+User headers, following
 * `links.next` sequentially. MS-RequestId is new for each page and reused by the HTTP layer when
 * that page is retried; MS-CorrelationId is the operation's, the same on every page.
 */
export function createPartnerCenterClient(options: PartnerCenterClientOptions): PartnerCenterClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const base = new URL(baseUrl);
  const http = options.http ?? createHttpClient();
  const newRequestId = options.newRequestId ?? randomUUID;
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const path = options.principalsPath.startsWith('/') ? options.principalsPath : `/${options.principalsPath}`;

  /**
   * `links.next.uri`: absolute (same origin as the base URL only: the token must not leave
   * Partner Center), or relative to the API root (the base URL, whose path prefix is kept).
   */
  function resolveNext(next: NextPage, correlationId: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(next.uri)) {
      const url = new URL(next.uri);
      if (url.origin !== base.origin) {
        throw badResponse('links.next points to another host', correlationId, { host: url.host });
      }
      return url.toString();
    }
    return `${baseUrl}${next.uri.startsWith('/') ? '' : '/'}${next.uri}`;
  }

  async function fetchPage(url: string, context: { correlationId: string; accessToken: string }, continuationToken?: string, requestId = newRequestId()): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${context.accessToken}`,
      Accept: 'application/json',
      'MS-RequestId': requestId,
      'MS-CorrelationId': context.correlationId,
      'MS-Contract-Version': 'v1',
      ValidateMfa: 'true',
    };
    if (continuationToken !== undefined) headers['MS-ContinuationToken'] = continuationToken;
    try {
      return await http.send({ method: 'GET', url, headers });
    } catch (error) {
      if (error instanceof HttpTransportError) throw errorFromTransport(error, context.correlationId);
      throw error;
    }
  }

  /**
   * Every page of a collection at `firstUrl`: `links.next` followed sequentially (with its
   * continuation token), at most `maxPages`, a repeated link refused; `isMfaCompliant` from the
   * header or the body of any page (any "false" wins).
   */
  async function listCollection<T>(
    firstUrl: string,
    context: { correlationId: string; accessToken: string },
    parse: (text: string) => CollectionParseResult<T>,
  ): Promise<{ items: T[]; pages: number; skipped: number; isMfaCompliant?: boolean }> {
    const { correlationId } = context;
    const items: T[] = [];
    const seenLinks = new Set<string>();
    let skipped = 0;
    let isMfaCompliant: boolean | undefined;
    let url = firstUrl;
    let continuationToken: string | undefined;

    for (let pages = 1; ; pages += 1) {
      const response = await fetchPage(url, context, continuationToken);
      if (response.status < 200 || response.status > 299) throw errorFromResponse(response, correlationId);

      // 204 No Content: nothing listed.
      const parsed: CollectionParseResult<T> = response.status === 204 ? { ok: true, page: { items: [], skipped: 0 } } : parse(response.text);
      if (!parsed.ok) throw badResponse(parsed.reason, correlationId, { page: pages });
      const page = parsed.page;
      for (const item of page.items) items.push(item);
      skipped += page.skipped;

      // Partner Center's answer to ValidateMfa: header or body; any "false" wins.
      for (const flag of [readBooleanFlag(response.headers.get('isMfaCompliant')), page.isMfaCompliant]) {
        if (flag !== undefined) isMfaCompliant = isMfaCompliant === false ? false : flag;
      }

      if (!page.next) {
        if (skipped > 0) {
          options.logger?.warn({ correlationId, skipped, pages, url: firstUrl.replace(/\?.*$/, '') }, 'Partner Center listed items it could not read; they were skipped');
        }
        return { items, pages, isMfaCompliant, skipped };
      }
      if (pages >= maxPages) {
        throw badResponse(`more than ${maxPages} pages; stopped following links.next`, correlationId, { pages });
      }
      const linkKey = `${page.next.uri}\n${page.next.continuationToken ?? ''}`;
      if (seenLinks.has(linkKey)) {
        throw badResponse('links.next repeats an earlier page', correlationId, { pages });
      }
      seenLinks.add(linkKey);
      url = resolveNext(page.next, correlationId);
      continuationToken = page.next.continuationToken;
    }
  }

  async function listNonMfaCompliantPrincipals(context: { correlationId: string; accessToken: string }): Promise<PartnerCenterListing> {
    const { items, ...rest } = await listCollection(`${baseUrl}${path}`, context, parsePrincipalsCollection);
    return { records: items, ...rest };
  }

  // The integration endpoints sit beside the principals listing (same API root and version
  // prefix, e.g. /v1/ or /pcapi/v1/).
  const versionRoot = path.replace(/\/[^/]*\/?$/, '');
  const adoptionUrl = `${baseUrl}${versionRoot}/applicationmfaadoptionstatus`;
  const requestsUrl = `${baseUrl}${versionRoot}/partnerRequests`;

  const integrations: PartnerCenterIntegrations = {
    listAdoption: (context) => listCollection(adoptionUrl, context, (text) => parseCollectionPage(text, adoptionDayFrom, 'applicationId')),
    listPartnerRequests: (context) => listCollection(requestsUrl, context, (text) => parseCollectionPage(text, appRequestFrom, 'requestId')),
    async probe(context) {
      const requestId = newRequestId();
      const response = await fetchPage(adoptionUrl, context, undefined, requestId);
      if (response.status < 200 || response.status > 299) throw errorFromResponse(response, context.correlationId);
      let isMfaCompliant = readBooleanFlag(response.headers.get('isMfaCompliant'));
      if (isMfaCompliant === undefined) {
        const parsed = parseCollectionPage(response.text, () => undefined, 'applicationId');
        isMfaCompliant = parsed.ok ? parsed.page.isMfaCompliant : undefined;
      }
      return { status: response.status, isMfaCompliant, requestId };
    },
  };

  return { listNonMfaCompliantPrincipals, integrations };
}
