import { z } from 'zod';
import type { RegistrationDetails, TenantDomain } from '../../app/ports';
import type { AuthenticationRequirement, SignInRecord } from '../../domain/verification';

/** Microsoft Graph's wire format for the calls we make, mapped to port types in one place. */

export const NON_PREMIUM_CODE = 'Authentication_RequestFromNonPremiumTenantOrB2CTenant';

const registrationSchema = z
  .object({
    isMfaRegistered: z.boolean(),
    isMfaCapable: z.boolean().nullish(),
    methodsRegistered: z.array(z.string()).nullish(),
    userPreferredMethodForSecondaryAuthentication: z.string().nullish(),
  })
  .passthrough();

const methodsSchema = z
  .object({
    value: z.array(z.object({ '@odata.type': z.string() }).passthrough()),
    '@odata.nextLink': z.string().nullish(),
  })
  .passthrough();

const errorSchema = z
  .object({ error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).passthrough() })
  .passthrough();

const directoryUserSchema = z
  .object({ id: z.string().min(1), displayName: z.string().nullish(), userPrincipalName: z.string().nullish() })
  .passthrough();

export interface DirectoryUser {
  id: string;
  displayName?: string;
  userPrincipalName?: string;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function parseRegistrationDetails(text: string): RegistrationDetails | undefined {
  const parsed = registrationSchema.safeParse(json(text));
  if (!parsed.success) return undefined;
  const d = parsed.data;
  const preferred = d.userPreferredMethodForSecondaryAuthentication;
  return {
    isMfaRegistered: d.isMfaRegistered,
    isMfaCapable: d.isMfaCapable ?? false,
    methodsRegistered: d.methodsRegistered ?? [],
    ...(preferred && preferred !== 'none' ? { preferredMethod: preferred } : {}),
  };
}

export function parseMethodsPage(text: string): { types: string[]; nextLink?: string } | undefined {
  const parsed = methodsSchema.safeParse(json(text));
  if (!parsed.success) return undefined;
  return {
    types: parsed.data.value.map((m) => m['@odata.type']),
    nextLink: parsed.data['@odata.nextLink'] ?? undefined,
  };
}

/** A user (or directory object) with id and, when Graph sent them, display name and UPN. */
export function parseDirectoryUser(text: string): DirectoryUser | undefined {
  const parsed = directoryUserSchema.safeParse(json(text));
  if (!parsed.success) return undefined;
  const { id, displayName, userPrincipalName } = parsed.data;
  return { id, ...(displayName ? { displayName } : {}), ...(userPrincipalName ? { userPrincipalName } : {}) };
}

export function parseGraphError(text: string): { code?: string; message?: string } {
  const parsed = errorSchema.safeParse(json(text));
  if (!parsed.success) return {};
  return { code: parsed.data.error.code ?? undefined, message: parsed.data.error.message ?? undefined };
}

/** The body that installs a catalog app for a user. */
export function installAppBody(graphBaseUrl: string, catalogAppId: string): string {
  return JSON.stringify({
    'teamsApp@odata.bind': `${graphBaseUrl}/v1.0/appCatalogs/teamsApps/${encodeURIComponent(catalogAppId)}`,
  });
}

// ---------------------------------------------------------------- sign-ins and domains

const signInSchema = z
  .object({
    id: z.string().min(1),
    createdDateTime: z.string().min(1),
    appDisplayName: z.string().nullish(),
    authenticationRequirement: z.string().nullish(),
    status: z.object({ errorCode: z.number().nullish() }).passthrough().nullish(),
    authenticationDetails: z
      .array(
        z
          .object({
            authenticationMethod: z.string().nullish(),
            succeeded: z.boolean().nullish(),
            authenticationStepRequirement: z.string().nullish(),
            authenticationStepResultDetail: z.string().nullish(),
          })
          .passthrough(),
      )
      .nullish(),
    mfaDetail: z.object({ authMethod: z.string().nullish(), authDetail: z.string().nullish() }).passthrough().nullish(),
  })
  .passthrough();

const signInsPageSchema = z
  .object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().nullish() })
  .passthrough();

const domainSchema = z
  .object({ id: z.string().min(1), authenticationType: z.string().min(1), isVerified: z.boolean().nullish() })
  .passthrough();

function requirementOf(value: string | null | undefined): AuthenticationRequirement {
  return value === 'singleFactorAuthentication' || value === 'multiFactorAuthentication' ? value : 'unknown';
}

/**
 * A page of `auditLogs/signIns`. Items Graph sent in a shape we cannot read are counted, not
 * guessed at: the caller decides whether the page is still trustworthy.
 */
export function parseSignInsPage(text: string): { signIns: SignInRecord[]; unreadable: number; nextLink?: string } | undefined {
  const page = signInsPageSchema.safeParse(json(text));
  if (!page.success) return undefined;
  const signIns: SignInRecord[] = [];
  let unreadable = 0;
  for (const item of page.data.value) {
    const parsed = signInSchema.safeParse(item);
    const createdAt = parsed.success ? new Date(parsed.data.createdDateTime) : undefined;
    if (!parsed.success || createdAt === undefined || Number.isNaN(createdAt.getTime())) {
      unreadable += 1;
      continue;
    }
    const s = parsed.data;
    const authMethod = s.mfaDetail?.authMethod ?? undefined;
    const authDetail = s.mfaDetail?.authDetail ?? undefined;
    signIns.push({
      id: s.id,
      createdAt,
      appDisplayName: s.appDisplayName ?? '',
      requirement: requirementOf(s.authenticationRequirement),
      succeeded: s.status?.errorCode === 0,
      steps: (s.authenticationDetails ?? []).map((d) => ({
        method: d.authenticationMethod ?? '',
        succeeded: d.succeeded === true,
        ...(d.authenticationStepRequirement ? { requirement: d.authenticationStepRequirement } : {}),
        ...(d.authenticationStepResultDetail ? { resultDetail: d.authenticationStepResultDetail } : {}),
      })),
      ...(authMethod || authDetail ? { mfaDetail: { ...(authMethod ? { authMethod } : {}), ...(authDetail ? { authDetail } : {}) } } : {}),
    });
  }
  return { signIns, unreadable, ...(page.data['@odata.nextLink'] ? { nextLink: page.data['@odata.nextLink'] } : {}) };
}

export function parseDomain(text: string): TenantDomain | undefined {
  const parsed = domainSchema.safeParse(json(text));
  if (!parsed.success) return undefined;
  return { id: parsed.data.id, authenticationType: parsed.data.authenticationType, isVerified: parsed.data.isVerified ?? false };
}

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
