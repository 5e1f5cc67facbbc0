import { SandboxError } from './types';

/**
 * Entra security groups: members are users or other groups (nesting), as Graph's
 * `transitiveMembers` flattens them. Cleared with the rest of the state on reset.
 */
export class Groups {
  private groups = new Map<string, { displayName: string; members: Set<string> }>();

  clear(): void {
    this.groups = new Map();
  }

  ensure(groupId: string, displayName?: string): void {
    if (!this.groups.has(groupId)) this.groups.set(groupId, { displayName: displayName ?? `Group ${groupId}`, members: new Set() });
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  addMember(groupId: string, memberId: string): string[] {
    this.ensure(groupId);
    const group = this.groups.get(groupId);
    group?.members.add(memberId);
    return [...(group?.members ?? [])];
  }

  removeMember(groupId: string, memberId: string): string[] {
    const group = this.groups.get(groupId);
    if (group === undefined) throw new SandboxError('user_not_found', `no group "${groupId}" in the sandbox directory`, 404);
    group.members.delete(memberId);
    return [...group.members];
  }

  /** Every member, nested groups included (each once), as `{ id, kind }`; cycles are safe. */
  transitiveMembers(groupId: string): { id: string; kind: 'user' | 'group' }[] {
    const out = new Map<string, 'user' | 'group'>();
    const visit = (id: string) => {
      for (const member of this.groups.get(id)?.members ?? []) {
        if (out.has(member)) continue;
        const isGroup = this.groups.has(member);
        out.set(member, isGroup ? 'group' : 'user');
        if (isGroup) visit(member);
      }
    };
    visit(groupId);
    return [...out].map(([id, kind]) => ({ id, kind }));
  }

  list(): { id: string; displayName: string; members: string[] }[] {
    return [...this.groups].map(([id, g]) => ({ id, displayName: g.displayName, members: [...g.members] }));
  }
}
