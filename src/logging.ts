import { trace } from '@opentelemetry/api';
import pino from 'pino';
import type { Logger } from './app/ports';

/** JSON logs (pino); secrets are redacted by path wherever they could appear. */
export function createLogger(options: { level: string; pretty?: boolean; name?: string }): Logger & pino.Logger {
  return pino({
    name: options.name ?? 'mfa-shepherd',
    level: options.level,
    // Correlation: each line inside a request or an instrumented call carries its trace and span
    // ids, so App Service's console logs join Application Insights' requests and dependencies.
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span === undefined || span.traceId === '00000000000000000000000000000000' ? {} : { trace_id: span.traceId, span_id: span.spanId };
    },
    redact: {
      paths: ['*.token', '*.accessToken', '*.refreshToken', '*.password', '*.secret', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
    transport: options.pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,name' } } : undefined,
  });
}
