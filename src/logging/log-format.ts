/**
 * The two shapes of the helper's log lines (option `logFormat`, docs: wiki/logging.md):
 * `text` writes through the app's Ignis logger as every Ignis line does, an event's fields
 * appended as ` | key: value`; `json` writes one JSON object per line to the console, an event's
 * fields as top-level keys, through an Ignis `Logger` over Ignis's own JSON formatter. Every
 * field value is escaped and cut like any log text (`log-text.ts`), so a client-chosen value
 * (a close reason, a forwarded address) can neither forge a line nor grow one.
 */
import { Defaults, Logger, defineCustomLogger, defineJsonLoggerFormatter } from '@venizia/ignis-helpers';
import { escapeLogText } from './log-text.js';

/** The values of the `logFormat` option. */
export class LogFormats {
  /** Lines through the app's Ignis logger, fields as ` | key: value` (the default). */
  static readonly TEXT = 'text';
  /** One JSON object per line on the console, fields as top-level keys. */
  static readonly JSON = 'json';

  static readonly SCHEME_SET = new Set<string>([this.TEXT, this.JSON]);

  static isValid(input: unknown): input is TLogFormat {
    return typeof input === 'string' && this.SCHEME_SET.has(input);
  }
}
/** `'text' | 'json'`. */
export type TLogFormat = typeof LogFormats.TEXT | typeof LogFormats.JSON;

/** The fields of one event line; `undefined` fields are left out. */
export type TLogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Characters kept of one field value. */
const FIELD_LIMIT = 256;

/** Keys winston sets itself; a field of that name is renamed rather than overwrite them. */
const RESERVED_KEYS = new Set(['level', 'message', 'label', 'timestamp', 'stack', 'cause']);

type TJsonWinston = ReturnType<typeof defineCustomLogger>;
let jsonWinston: TJsonWinston | undefined;

/**
 * One winston logger for every JSON line of the process: Ignis's JSON formatter, the console
 * transport only (Ignis's log files keep their text lines). Ignis's `defineCustomLogger` also
 * installs an uncaught-exception handler; the application logger has one already, so this one
 * is removed and an uncaught exception is still logged once.
 */
const sharedJsonWinston = (): TJsonWinston => {
  if (!jsonWinston) {
    jsonWinston = defineCustomLogger({
      loggerFormatter: defineJsonLoggerFormatter({ label: Defaults.APPLICATION_NAME }),
      transports: { info: {}, error: {} },
    });
    jsonWinston.exceptions.unhandle();
  }
  return jsonWinston;
};

/** An Ignis logger of `scope` that writes JSON lines (see `sharedJsonWinston`). */
export const jsonLogger = (scope: string): Logger => Logger.get(scope, sharedJsonWinston());

/** The fields, undefined ones dropped, strings escaped and cut, reserved keys prefixed with `field_`. */
export const safeFields = (fields: TLogFields): Record<string, string | number | boolean> => {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const name = RESERVED_KEYS.has(key) ? `field_${key}` : key;
    out[name] = typeof value === 'string' ? escapeLogText(value, FIELD_LIMIT) : value;
  }
  return out;
};

/** `message | key: value | key: value` for a text line (every value already safe). */
export const renderTextFields = (message: string, fields: TLogFields): string => {
  const parts = Object.entries(safeFields(fields)).map(([key, value]) => `${key}: ${value}`);
  return parts.length === 0 ? message : `${message} | ${parts.join(' | ')}`;
};

/**
 * Writes one event line in `format`. The message must be the caller's own words: client text
 * goes in `fields` only (a JSON line keeps the message apart from the fields, and winston reads
 * `%` tokens in a message that comes with fields).
 */
export const writeLogEvent = (opts: {
  logger: Logger;
  format: TLogFormat;
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: TLogFields;
}): void => {
  const { logger, format, level, message, fields } = opts;
  if (format === LogFormats.JSON) logger[level](escapeLogText(message), safeFields(fields));
  else logger[level](renderTextFields(escapeLogText(message), fields));
};
