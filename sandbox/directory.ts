import { SandboxError, type AuthMethod, type DirectoryUser, type RegistrationUpdate } from './types';

/** Methods that count as a second factor (Graph's isMfaRegistered). */
export function isSecondFactor(method: AuthMethod): boolean {
  return method !== 'email';
}

export interface NewUser {
  objectId: string;
  userPrincipalName: string;
  displayName?: string;
  methods?: AuthMethod[];
  managerId?: string | null;
}

/** The users Graph knows: seed users plus every principal that appears in a record. */
export class Directory {
  private users = new Map<string, DirectoryUser>();

  clear(): void {
    this.users = new Map();
  }

  add(user: NewUser): DirectoryUser {
    const methods = user.methods ?? [];
    const entry: DirectoryUser = {
      objectId: user.objectId,
      userPrincipalName: user.userPrincipalName,
      displayName: user.displayName ?? displayNameFromUpn(user.userPrincipalName),
      isMfaRegistered: methods.some(isSecondFactor),
      methods: [...methods],
      managerId: user.managerId ?? null,
      installedApps: [],
      registrationUpdatedAt: null,
    };
    this.users.set(user.objectId, entry);
    return entry;
  }

  /** Adds a user seen in a record unless known; a known user keeps its data. */
  ensure(objectId: string, upn: string): void {
    if (!this.users.has(objectId)) this.add({ objectId, userPrincipalName: upn || `${objectId}@unknown.example` });
  }

  /** By object id, or by UPN (case-insensitive) as Graph allows. */
  find(idOrUpn: string): DirectoryUser | undefined {
    const byId = this.users.get(idOrUpn);
    if (byId !== undefined) return byId;
    const lower = idOrUpn.toLowerCase();
    for (const user of this.users.values()) {
      if (user.userPrincipalName.toLowerCase() === lower) return user;
    }
    return undefined;
  }

  require(objectId: string): DirectoryUser {
    const user = this.find(objectId);
    if (user === undefined) throw new SandboxError('user_not_found', `no user "${objectId}" in the sandbox directory`, 404);
    return user;
  }

  list(): DirectoryUser[] {
    return [...this.users.values()].map(copyUser);
  }

  setRegistration(objectId: string, update: RegistrationUpdate, at: Date): DirectoryUser {
    const user = this.require(objectId);
    const methods = update.methods ?? (update.isMfaRegistered ? ['microsoftAuthenticatorPush' as const] : []);
    if (methods.some(isSecondFactor) !== update.isMfaRegistered) {
      throw new SandboxError(
        'inconsistent_registration',
        `isMfaRegistered=${String(update.isMfaRegistered)} disagrees with methods [${methods.join(', ')}]`,
        400,
      );
    }
    user.methods = [...new Set(methods)];
    user.isMfaRegistered = update.isMfaRegistered;
    user.registrationUpdatedAt = at.toISOString();
    return copyUser(user);
  }

  setManager(objectId: string, managerId: string | null): DirectoryUser {
    const user = this.require(objectId);
    if (managerId !== null) this.require(managerId);
    user.managerId = managerId;
    return copyUser(user);
  }

  /** true when newly installed, false when it already was. */
  installApp(objectId: string, catalogAppId: string): boolean {
    const user = this.require(objectId);
    if (user.installedApps.includes(catalogAppId)) return false;
    user.installedApps.push(catalogAppId);
    return true;
  }
}

function copyUser(user: DirectoryUser): DirectoryUser {
  return { ...user, methods: [...user.methods], installedApps: [...user.installedApps] };
}

function displayNameFromUpn(upn: string): string {
  const local = upn.split('@')[0] ?? upn;
  return local
    .split(/[._-]+/)
    .filter((p) => p !== '')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join(' ');
}
