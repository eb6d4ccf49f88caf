import { Authentication, BaseProvider, type Container, type IJWTTokenPayload } from '@venizia/ignis';
import { getError } from '@venizia/ignis-helpers';
import { LogThrottle } from '../../logging/log-throttle.js';
import type { AnyObject } from '../../protocol/index.js';
import type { TWebSocketAuthenticateFn } from '../../server/types.js';
import { WebSocketBindingKeys } from '../keys.js';
import { readWebSocketBinding } from '../read-binding.js';
import { JwtVerifier, type IJwtRejection } from './jwt-verifier.js';

const NO_JWT_AUTH =
  `[WebSocketComponent] Nothing can authenticate sockets: '${WebSocketBindingKeys.AUTHENTICATE_HANDLER}' uses the ` +
  `default JwtAuthenticateProvider, which needs Ignis JWT authentication (AuthenticateComponent with jwtOptions), ` +
  `and the app has none. Either set up JWT authentication, or bind your own provider:\n` +
  `  app.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(MyAuthenticateProvider);`;

/** The user a verified payload names: `userId`, else `sub`; a non-empty string or a finite number (stringified). */
const userIdOf = (payload: IJWTTokenPayload): string | undefined => {
  const id: unknown = payload.userId ?? payload.sub;
  if (typeof id === 'string') return id === '' ? undefined : id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
};

/**
 * Default `AUTHENTICATE_HANDLER`: the socket sends `{ type: 'Bearer', token }`, verified against
 * the app's own Ignis JWT settings, so the token that authenticates HTTP routes authenticates
 * the socket. Claims are pinned by `JWT_OPTIONS` (algorithm allow-list, audience, issuer,
 * required `exp`, clock tolerance, maximum length). The verified payload becomes the client's
 * metadata; `userId` (or `sub`) its user. Anything else is a rejection (close 4003), logged at
 * most once per reason per 10 s, escaped and cut — never a line per attempt.
 */
export class JwtAuthenticateProvider extends BaseProvider<TWebSocketAuthenticateFn> {
  constructor() {
    super({ scope: JwtAuthenticateProvider.name });
  }

  value(container: Container): TWebSocketAuthenticateFn {
    const verifier = JwtVerifier.forApp(container, readWebSocketBinding(container, WebSocketBindingKeys.JWT_OPTIONS));
    if (!verifier) throw getError({ message: NO_JWT_AUTH });
    const logs = new LogThrottle(this.logger);
    const refuse = ({ code, detail }: IJwtRejection): null => {
      logs.warn(`jwt-rejected:${code}`, `socket authentication refused (${code}): ${detail}`);
      return null;
    };

    return async data => {
      const { type, token } = data;
      if (typeof type !== 'string' || type.toLowerCase() !== Authentication.TYPE_BEARER.toLowerCase()) {
        return refuse({ code: 'ERR_NOT_BEARER', detail: `authenticate data must be { type: 'Bearer', token }` });
      }
      if (typeof token !== 'string' || token.length === 0) return refuse({ code: 'ERR_NO_TOKEN', detail: 'no token was sent' });
      const verdict = await verifier.verify(token);
      if ('rejected' in verdict) return refuse(verdict.rejected);
      const userId = userIdOf(verdict.payload);
      if (userId === undefined) {
        return refuse({ code: 'ERR_USER_ID', detail: `the token's userId (or sub) is not a non-empty string or a finite number` });
      }
      return { userId, metadata: { ...verdict.payload } as AnyObject };
    };
  }
}
