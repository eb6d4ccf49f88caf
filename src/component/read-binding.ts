/**
 * Typed reads of the component's bindings: the key says what it holds (`IWebSocketBindingValues`),
 * so readers need no casts. Docs: wiki/component.md#binding-keys
 *
 * @example
 * const keys = readWebSocketBinding(app, WebSocketBindingKeys.ENCRYPTION_KEYS); // ClientKeyStore | undefined
 */
import type { Container } from '@venizia/ignis';
import type { TWebSocketBindingKey, TWebSocketBindingValue } from './keys.js';

/** Anything that can read a binding: the application or another Ignis container. */
export type TBindingReader = Pick<Container, 'get'>;

/** The value bound at `key`, typed by the key; unbound, `undefined` and `null` all read as `undefined`. */
export const readWebSocketBinding = <K extends TWebSocketBindingKey>(
  container: TBindingReader,
  key: K,
): TWebSocketBindingValue<K> | undefined => container.get<TWebSocketBindingValue<K> | null>({ key, isOptional: true }) ?? undefined;
