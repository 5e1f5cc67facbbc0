import { describeError } from '../domain/errors';
import type { Logger } from './ports';

/**
 * Roles: the configured object-id lists plus the (transitive) members of an Entra group each,
 * read through Graph and refreshed on a timer, so a membership change applies without a restart.
 * The same sets answer every check in chat and in the tab.
 *
 * A failed refresh keeps the last members read (and the id lists always work): a Graph outage
 * must not lock the admins out, nor hand a role to anyone new.
 */

/** Reads a group's user members, nested groups flattened (Graph `transitiveMembers`). */
export interface GroupMembers {
  transitiveUserIds(groupId: string): Promise<string[]>;
}

/** A role's members now. `ReadonlySet` so existing checks (`isAdmin(id, set)`) take it as it is. */
export class RoleSet implements ReadonlySet<string> {
  private members: Set<string>;

  constructor(private readonly fixed: ReadonlySet<string>) {
    this.members = new Set(fixed);
  }

  /** Replace the group part; the configured ids stay. */
  setGroupMembers(ids: Iterable<string>): void {
    const next = new Set(this.fixed);
    for (const id of ids) next.add(id.trim().toLowerCase());
    this.members = next;
  }

  /** A snapshot as a list (who to notify, the tab's "me"). */
  list(): string[] {
    return [...this.members];
  }

  has(id: string): boolean {
    return this.members.has(id.toLowerCase());
  }
  get size(): number {
    return this.members.size;
  }
  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    this.members.forEach((v) => callback.call(thisArg, v, v, this));
  }
  entries(): SetIterator<[string, string]> {
    return this.members.entries();
  }
  keys(): SetIterator<string> {
    return this.members.keys();
  }
  values(): SetIterator<string> {
    return this.members.values();
  }
  [Symbol.iterator](): SetIterator<string> {
    return this.members[Symbol.iterator]();
  }
}

export interface RoleRefreshReport {
  admins: number;
  approvers: number;
  failed: { groupId: string; code: string }[];
}

export interface Roles {
  admins: RoleSet;
  approvers: RoleSet;
  /** Read the groups again now (the timer calls this; tests and the tab's "refresh roles" too). */
  refresh(): Promise<RoleRefreshReport>;
  /** Who is a group-based role configured for (for the README's "needs GroupMember.Read.All"). */
  usesGroups: boolean;
}

export function createRoles(deps: {
  adminIds: ReadonlySet<string>;
  approverIds: ReadonlySet<string>;
  adminGroupId?: string;
  approverGroupId?: string;
  /** Approvers default to the admins when neither approver ids nor an approver group is configured. */
  approversDefaultToAdmins: boolean;
  groups: GroupMembers;
  logger: Logger;
}): Roles {
  const admins = new RoleSet(deps.adminIds);
  const approvers = new RoleSet(deps.approverIds);

  async function read(groupId: string | undefined, failed: RoleRefreshReport['failed']): Promise<string[] | undefined> {
    if (groupId === undefined) return [];
    try {
      return await deps.groups.transitiveUserIds(groupId);
    } catch (error) {
      const { code, message } = describeError(error);
      failed.push({ groupId, code });
      deps.logger.warn({ groupId, code, message }, 'role group could not be read; keeping its last known members');
      return undefined;
    }
  }

  return {
    admins,
    approvers,
    usesGroups: deps.adminGroupId !== undefined || deps.approverGroupId !== undefined,
    async refresh() {
      const failed: RoleRefreshReport['failed'] = [];
      const before = { admins: new Set(admins), approvers: new Set(approvers) };
      const [adminMembers, approverMembers] = await Promise.all([read(deps.adminGroupId, failed), read(deps.approverGroupId, failed)]);
      if (adminMembers !== undefined) admins.setGroupMembers(adminMembers);
      if (approverMembers !== undefined) {
        approvers.setGroupMembers(deps.approversDefaultToAdmins && deps.approverGroupId === undefined ? (adminMembers ?? admins.list()) : approverMembers);
      }
      // Who gained or lost a role: in the logs, for the security team's own audit of Entra.
      for (const [role, set] of [['admin', admins], ['approver', approvers]] as const) {
        const was = role === 'admin' ? before.admins : before.approvers;
        const gained = set.list().filter((id) => !was.has(id));
        const lost = [...was].filter((id) => !set.has(id));
        if (gained.length > 0 || lost.length > 0) deps.logger.info({ role, gained, lost }, 'role members changed (Entra group)');
      }
      return { admins: admins.size, approvers: approvers.size, failed };
    },
  };
}
