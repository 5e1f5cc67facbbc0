import { z } from 'zod';
import type { RegistrationDetails } from '../../app/ports';

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
