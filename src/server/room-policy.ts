/**
 * Which rooms a per-room feature applies to (presence, presence events): `true` (every room),
 * `false` (none), a list of names and patterns where `*` stands for any run of characters
 * (`['lobby', 'chat:*']`), or a predicate. Compiled once into one function, so asking costs a
 * regular-expression test at most. Docs: wiki/presence.md#which-rooms
 */

/** What an option of a per-room feature accepts. */
export type TWebSocketRoomPolicy = boolean | readonly string[] | ((room: string) => boolean);

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The policy as one test; `undefined` for a policy that matches no room (so callers can skip all work). */
export const compileRoomPolicy = (policy: TWebSocketRoomPolicy): ((room: string) => boolean) | undefined => {
  if (policy === false) return undefined;
  if (policy === true) return () => true;
  if (typeof policy === 'function') return policy;
  if (policy.length === 0) return undefined;
  const exact = new Set(policy.filter(pattern => !pattern.includes('*')));
  const wild = policy.filter(pattern => pattern.includes('*'));
  if (wild.length === 0) return room => exact.has(room);
  const re = new RegExp(`^(?:${wild.map(pattern => pattern.split('*').map(escapeRegExp).join('.*')).join('|')})$`, 's');
  return room => exact.has(room) || re.test(room);
};
