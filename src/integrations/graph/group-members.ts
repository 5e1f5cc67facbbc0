import { z } from 'zod';
import type { GroupMembers } from '../../app/roles';
import { AppError, ErrorCodes } from '../../domain/errors';
import type { HttpClient } from '../http';

/**
 * Graph `GET /v1.0/groups/{id}/transitiveMembers` for group-based roles: user members, nested
 * groups flattened by Graph, following `@odata.nextLink`. Application permission
 * GroupMember.Read.All. Kept apart from the registration client: it runs on its own timer, not
 * in a user's turn.
 */

const PERMISSION = 'GroupMember.Read.All';
const MAX_PAGES = 200;

const pageSchema = z.object({
  value: z.array(z.object({ '@odata.type': z.string().optional(), id: z.string() }).passthrough()),
  '@odata.nextLink': z.string().optional(),
});

export function createGroupMembersClient(options: { baseUrl: string; getToken: () => Promise<string>; http: HttpClient }): GroupMembers {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const origin = new URL(baseUrl).origin;
  return {
    async transitiveUserIds(groupId) {
      const ids: string[] = [];
      let url: string | undefined = `${baseUrl}/v1.0/groups/${encodeURIComponent(groupId)}/transitiveMembers?$select=id&$top=999`;
      for (let page = 0; url !== undefined; page++) {
        if (page >= MAX_PAGES) throw new AppError(ErrorCodes.GraphBadResponse, `Graph's member list of group ${groupId} did not end after ${MAX_PAGES} pages`, { expected: false });
        // A next link must stay on Graph's own host: never send the app's token elsewhere.
        if (new URL(url).origin !== origin) throw new AppError(ErrorCodes.GraphBadResponse, 'Graph sent a next link to another host', { expected: false });
        const response = await options.http.send({ method: 'GET', url, headers: { Authorization: `Bearer ${await options.getToken()}`, Accept: 'application/json' } });
        if (response.status === 401 || response.status === 403) {
          throw new AppError(ErrorCodes.GraphForbidden, `Graph refused to list the members of group ${groupId}: the app needs the application permission ${PERMISSION} with admin consent (HTTP ${response.status})`, { expected: false, status: response.status });
        }
        if (response.status === 404) throw new AppError(ErrorCodes.GraphNotFound, `Graph has no group ${groupId} (check ADMIN_GROUP_ID / APPROVER_GROUP_ID)`, { status: 404 });
        if (response.status === 429) throw new AppError(ErrorCodes.GraphThrottled, 'Graph is throttling the group member list', { retryable: true, retryAfterSeconds: response.retryAfterSeconds });
        if (response.status !== 200) throw new AppError(ErrorCodes.GraphUnavailable, `Graph answered HTTP ${response.status} to the group member list`, { retryable: true, status: response.status });
        let parsed: z.infer<typeof pageSchema>;
        try {
          parsed = pageSchema.parse(JSON.parse(response.text));
        } catch {
          throw new AppError(ErrorCodes.GraphBadResponse, `Graph's member list of group ${groupId} was not understood`, { expected: false });
        }
        for (const member of parsed.value) {
          const type = member['@odata.type'];
          if (type === undefined || type === '#microsoft.graph.user') ids.push(member.id.toLowerCase());
        }
        url = parsed['@odata.nextLink'];
      }
      return ids;
    },
  };
}
