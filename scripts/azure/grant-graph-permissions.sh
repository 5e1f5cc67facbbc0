#!/usr/bin/env bash
# Grants MFA Shepherd's managed identity the Microsoft Graph application permissions it uses.
# No tool can do this for a managed identity (there is no "API permissions" page and no consent
# prompt for one): an Entra admin (Privileged Role Administrator or Global Administrator) runs it
# once per environment, after provision, signed in with `az login` to the partner tenant.
#
#   scripts/azure/grant-graph-permissions.sh <MANAGED_IDENTITY_PRINCIPAL_ID>
#   (the value provision wrote to env/.env.<environment>)
#
# The permissions, and the code that needs each (src/integrations/graph/graph-client.ts):
#   AuditLog.Read.All                              userRegistrationDetails and sign-in logs (need Entra ID P1/P2)
#   UserAuthenticationMethod.Read.All              authentication methods (the fallback without P1/P2)
#   User.Read.All                                  a user's manager (escalations) and UPN
#   Domain.Read.All                                whether a user's domain is federated
#   TeamsAppInstallation.ReadWriteSelfForUser.All  install the app for users who do not have it
set -euo pipefail

principal_id="${1:?usage: $0 <MANAGED_IDENTITY_PRINCIPAL_ID>}"
graph_app_id=00000003-0000-0000-c000-000000000000
permissions=(AuditLog.Read.All UserAuthenticationMethod.Read.All User.Read.All Domain.Read.All TeamsAppInstallation.ReadWriteSelfForUser.All)

graph_sp=$(az ad sp show --id "${graph_app_id}" --query id -o tsv)
existing=$(az rest --method GET --url "https://graph.microsoft.com/v1.0/servicePrincipals/${principal_id}/appRoleAssignments" --query "value[].appRoleId" -o tsv)

for permission in "${permissions[@]}"; do
  role_id=$(az ad sp show --id "${graph_app_id}" --query "appRoles[?value=='${permission}' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)
  if [ -z "${role_id}" ]; then
    echo "Microsoft Graph has no application permission ${permission}" >&2
    exit 1
  fi
  if grep -qx "${role_id}" <<<"${existing}"; then
    echo "already granted: ${permission}"
    continue
  fi
  az rest --method POST --url "https://graph.microsoft.com/v1.0/servicePrincipals/${principal_id}/appRoleAssignments" \
    --headers 'Content-Type=application/json' \
    --body "{\"principalId\":\"${principal_id}\",\"resourceId\":\"${graph_sp}\",\"appRoleId\":\"${role_id}\"}" >/dev/null
  echo "granted: ${permission}"
done
