export { createPartnerCenterClient, DEFAULT_MAX_PAGES, type PartnerCenterClient, type PartnerCenterClientOptions, type PartnerCenterListing } from './partner-center-client';
export { isMfaRejection, MFA_REQUIRED_CODE } from './errors';
export { parsePrincipalsPage, parsePartnerCenterTime, type ParsedPage, type PageParseResult } from './wire';
