import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The process logger: JSON lines on stderr (stdout carries command output), level from
 * PRESCALE_LOG_LEVEL (default info). Components take a child logger with their own bindings.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'prescale',
      level: options.level ?? process.env.PRESCALE_LOG_LEVEL ?? 'info',
      base: undefined,
    },
    pino.destination(2),
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
