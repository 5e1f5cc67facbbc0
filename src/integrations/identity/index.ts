export { decodeJwtPayload, tokenHasMfa } from './jwt';
export { createNetworkClient, rewriteIdentityUrl, ENTRA_ORIGIN, type NetworkClientOptions } from './network-client';
export { createPartnerCenterAuth, PARTNER_CENTER_SCOPE, TOKEN_CACHE_SECRET, type PartnerCenterAuthOptions } from './partner-center-auth';
export { createAppTokenProvider, GRAPH_DEFAULT_SCOPE, type AppTokenOptions, type AppTokenProvider } from './app-token';
export { createAzureCredential, createManagedIdentityTokenProvider } from './azure-credential';
