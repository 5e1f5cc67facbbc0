/** Public pages the cards link to. The bot passes the configured ones; these are the defaults. */
export const Links = {
  mfaSetup: 'https://aka.ms/mfasetup',
  securityInfo: 'https://mysignins.microsoft.com/security-info',
  secureAppModel: 'https://learn.microsoft.com/partner-center/developer/enable-secure-app-model',
} as const;
