import {
  Authentication,
  BaseProvider,
  BindingKeys,
  BindingNamespaces,
  JWKSIssuerTokenService,
  JWKSVerifierTokenService,
  JWSTokenService,
  type AbstractBearerTokenService,
  type Container,
  type IJWTTokenPayload,
} from '@venizia/ignis';
import { getError } from '@venizia/ignis-helpers';
import type { AnyObject } from '../../protocol';
import type { TWebSocketAuthenticateFn } from '../../server/types';
import { WebSocketBindingKeys } from '../keys';

/** Token services Ignis's `AuthenticateComponent` registers, in the order they are looked for. */
const TOKEN_SERVICES = [JWSTokenService, JWKSIssuerTokenService, JWKSVerifierTokenService];

/** The app's bearer token service, if it set up Ignis JWT authentication (JWS or JWKS). */
export const findBearerTokenService = (container: Container): AbstractBearerTokenService | undefined => {
  for (const service of TOKEN_SERVICES) {
    const key = BindingKeys.build({ namespace: BindingNamespaces.SERVICE, key: service.name });
    if (container.isBound({ key })) return container.get<AbstractBearerTokenService>({ key });
  }
  return undefined;
};

const NO_JWT_AUTH =
  `[WebSocketComponent] Nothing can authenticate sockets: '${WebSocketBindingKeys.AUTHENTICATE_HANDLER}' uses the ` +
  `default JwtAuthenticateProvider, which needs Ignis JWT authentication (AuthenticateComponent with jwtOptions), ` +
  `and the app has none. Either set up JWT authentication, or bind your own provider:\n` +
  `  app.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(MyAuthenticateProvider);`;

/**
 * Default `AUTHENTICATE_HANDLER`: the socket sends `{ type: 'Bearer', token }`, the app's own
 * Ignis token service verifies it, so the token that authenticates HTTP routes authenticates
 * the socket. The verified payload becomes the client's metadata; `userId` (or `sub`) its user.
 * A wrong type, a forged, expired or userless token is a rejection (close 4003).
 */
export class JwtAuthenticateProvider extends BaseProvider<TWebSocketAuthenticateFn> {
  constructor() {
    super({ scope: JwtAuthenticateProvider.name });
  }

  value(container: Container): TWebSocketAuthenticateFn {
    const service = findBearerTokenService(container);
    if (!service) throw getError({ message: NO_JWT_AUTH });

    return async data => {
      const { type, token } = data;
      if (typeof type !== 'string' || type.toLowerCase() !== Authentication.TYPE_BEARER.toLowerCase()) return null;
      if (typeof token !== 'string' || token.length === 0) return null;
      let payload: IJWTTokenPayload;
      try {
        payload = await service.verify({ type, token });
      } catch {
        return null;
      }
      const userId = payload.userId ?? payload.sub;
      if (userId === undefined || userId === null || userId === '') return null;
      return { userId: String(userId), metadata: { ...payload } as AnyObject };
    };
  }
}
