import { LogLevel, type INetworkModule, type NodeSystemOptions } from '@azure/msal-node';
import type { Logger } from '../../app/ports';
import { ENTRA_ORIGIN } from './network-client';

export function authorityFor(tenantId: string): string {
  return `${ENTRA_ORIGIN}/${encodeURIComponent(tenantId)}`;
}

/** msal's system options: our network client, and msal's log lines (never PII) at warning and above. */
export function msalSystemOptions(networkClient: INetworkModule | undefined, logger: Logger | undefined): NodeSystemOptions {
  return {
    ...(networkClient === undefined ? {} : { networkClient }),
    loggerOptions: {
      piiLoggingEnabled: false,
      logLevel: LogLevel.Warning,
      loggerCallback: (level: LogLevel, message: string, containsPii: boolean): void => {
        if (containsPii || logger === undefined) return;
        if (level === LogLevel.Error) logger.warn({ source: 'msal' }, message);
        else logger.debug({ source: 'msal' }, message);
      },
    },
  };
}
