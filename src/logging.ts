import pino from 'pino';
import type { Logger } from './app/ports';

/** JSON logs (pino); secrets are redacted by path wherever they could appear. */
export function createLogger(options: { level: string; pretty?: boolean; name?: string }): Logger & pino.Logger {
  return pino({
    name: options.name ?? 'mfa-shepherd',
    level: options.level,
    redact: {
      paths: ['*.token', '*.accessToken', '*.refreshToken', '*.password', '*.secret', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
    transport: options.pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,name' } } : undefined,
  });
}
