import { BaseProvider } from '@venizia/ignis';

/**
 * Default of the optional keys (connected, disconnected, message, removed, events): resolves to
 * `undefined`, which the helper treats exactly like an option that was never set. Bind your own
 * provider to the key to fill it.
 */
export class UnsetProvider extends BaseProvider<undefined> {
  constructor() {
    super({ scope: UnsetProvider.name });
  }

  value(): undefined {
    return undefined;
  }
}
