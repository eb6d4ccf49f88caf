/** What `LogThrottle` does to every piece of a log line (src/logging/log-text.ts). */
import { describe, expect, test } from 'bun:test';
import { LOG_TEXT_LIMIT, escapeLogText, formatLogLine, renderLogError } from '../../src/logging/log-text';

describe('escapeLogText', () => {
  test('escapes C0 and C1 controls, DEL, line/paragraph separators and bidi overrides; leaves other text alone', () => {
    expect(escapeLogText('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeLogText('\u0000\u001b[31m\u007f\u0085\u009b')).toBe('\\u0000\\u001b[31m\\u007f\\u0085\\u009b');
    expect(escapeLogText('x\u2028y\u2029z\u202ev\u2066')).toBe('x\\u2028y\\u2029z\\u202ev\\u2066');
    expect(escapeLogText('plain ünïcode 😀 \\n stays')).toBe('plain ünïcode 😀 \\n stays');
  });

  test('cuts after the limit with a marker counting what was left out', () => {
    expect(escapeLogText('a'.repeat(LOG_TEXT_LIMIT))).toBe('a'.repeat(LOG_TEXT_LIMIT));
    expect(escapeLogText('a'.repeat(90_000))).toBe(`${'a'.repeat(LOG_TEXT_LIMIT)}…(+${90_000 - LOG_TEXT_LIMIT} chars)`);
    // Escapes count toward the limit, so a string of controls cannot grow past it either.
    expect(escapeLogText('\n'.repeat(10_000)).length).toBeLessThan(LOG_TEXT_LIMIT + 30);
    // Never half a surrogate pair before the marker.
    expect(escapeLogText(`${'a'.repeat(9)}😀😀`, 10)).toBe(`${'a'.repeat(9)}…(+4 chars)`);
  });
});

describe('renderLogError', () => {
  test('name and message escaped, the engine’s stack frames kept on their own lines', () => {
    const error = new Error('bad event x\nFORGED');
    const lines = renderLogError(error).split('\n');
    expect(lines[0]).toBe('Error: bad event x\\nFORGED');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every(line => /^\s+at\s/.test(line))).toBe(true);
  });

  test('a message that imitates stack frames stays on the first line', () => {
    const error = new Error('boom\n    at FORGED (/etc/passwd:1:1)');
    const rendered = renderLogError(error);
    expect(rendered.split('\n').filter(line => line.includes('FORGED'))).toEqual(['Error: boom\\n    at FORGED (/etc/passwd:1:1)']);
  });

  test('a stack that does not start with the error’s own name and message is not trusted: no frames', () => {
    const error = new Error('first');
    error.stack = 'Error: other\n    at FORGED (/etc/passwd:1:1)';
    expect(renderLogError(error)).toBe('Error: first');
  });
});

describe('formatLogLine', () => {
  test('fills %s placeholders and appends the rest, each piece escaped; no piece can add a line', () => {
    expect(formatLogLine('client %s sent', ['a\nb'])).toBe('client a\\nb sent');
    expect(formatLogLine('routing failed:', [new TypeError('x\ny')]).split('\n')[0]).toBe('routing failed: TypeError: x\\ny');
    expect(formatLogLine('detail', [{ name: 'a\nb', nested: { deep: true } }])).not.toContain('\n');
    expect(formatLogLine(`handler for 'x\nFORGED' threw`, [])).toBe("handler for 'x\\nFORGED' threw");
  });

  test('a value whose getters throw is logged as unprintable, never thrown', () => {
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'message', { get: () => { throw new Error('gotcha'); } });
    expect(formatLogLine('failed:', [hostile])).toBe('failed: [unprintable value]');
  });
});
