/**
 * Makes text safe to write into a line-oriented log: control characters are escaped, so text a
 * client chose (an event name, a token header, an error message that quotes them) can never
 * start a line of its own, and every piece is cut to a bounded length, so it can never
 * multiply a log line's size. `LogThrottle` runs everything it writes through here; a logger
 * call outside the throttle that may carry client text uses `escapeLogText()`.
 */
import { format, inspect } from 'node:util';

/** Characters of each piece (message, argument, stack frame) kept before the `…(+N chars)` marker. */
export const LOG_TEXT_LIMIT = 512;

/** Stack frames kept from an error logged through the throttle. */
const MAX_STACK_FRAMES = 10;

// C0 and C1 controls, DEL, the Unicode line/paragraph separators and the bidi overrides that
// can make a line read differently from what it holds.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeChar = (ch: string): string => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `text` with control characters escaped, cut after `limit` characters of output with a `…(+N chars)` marker. */
export const escapeLogText = (text: string, limit = LOG_TEXT_LIMIT): string => {
  let out = '';
  let used = 0;
  while (used < text.length && out.length < limit) {
    const ch = text[used]!;
    out += UNSAFE.test(ch) ? escapeChar(ch) : ch;
    used++;
  }
  if (used === text.length) return out;
  // Never leave half a surrogate pair before the marker.
  if (/[\ud800-\udbff]$/.test(out)) {
    out = out.slice(0, -1);
    used--;
  }
  return `${out}…(+${text.length - used} chars)`;
};

/**
 * An error as log text: its `name: message` escaped and cut like any text, then its stack
 * frames, each on its own line. Frames are kept only when the stack starts with exactly that
 * `name: message`, so what follows is the engine's frame list and not text the message forged.
 */
/**
 * A value from the wire (a channel, an event name, a room) for a log line: quoted, so where it
 * begins and ends is unambiguous, and cut to `limit` characters (the throttle escapes the rest).
 */
export const quoteForLog = (text: string, limit = 128): string =>
  JSON.stringify(text.length > limit ? `${text.slice(0, limit)}…` : text);

export const renderLogError = (error: Error): string => {
  const head = error.message ? `${error.name}: ${error.message}` : error.name;
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const frames = stack.startsWith(head)
    ? stack
        .slice(head.length)
        .split('\n')
        .filter(line => /^\s+at\s/.test(line))
        .slice(0, MAX_STACK_FRAMES)
    : [];
  return [escapeLogText(head), ...frames.map(frame => escapeLogText(frame))].join('\n');
};

/**
 * One logger argument as safe text: errors rendered, strings escaped, anything else inspected on
 * one line and escaped. Never throws (a thrown value may have throwing getters).
 */
export const renderLogArg = (arg: unknown): string => {
  try {
    if (arg instanceof Error) return renderLogError(arg);
    if (typeof arg === 'string') return escapeLogText(arg);
    if (arg === null || typeof arg !== 'object') return escapeLogText(String(arg));
    return escapeLogText(inspect(arg, { depth: 2, breakLength: Infinity, maxArrayLength: 20, maxStringLength: LOG_TEXT_LIMIT }));
  } catch {
    return '[unprintable value]';
  }
};

/**
 * A whole log line from a message and its arguments, as `util.format` would build it (`%s`
 * placeholders filled, the rest appended), except every piece is made safe before it is placed.
 */
export const formatLogLine = (message: string, args: readonly unknown[]): string =>
  args.length === 0 ? escapeLogText(message) : format(escapeLogText(message), ...args.map(renderLogArg));
