/**
 * Verifies a bearer token against the app's own Ignis JWT settings (JWS secret, JWKS issuer
 * keys or a remote JWKS), with `jose` directly rather than through the token service's
 * `verify()`, which logs a stack trace and jose's error text (echoing the token header) for
 * every rejected token. Claims are pinned by `IWebSocketJwtOptions`; a rejection is returned
 * with a reason from a small fixed set, for the caller to log through its throttle.
 * Docs: wiki/component.md#authentication
 */
import {
  AuthenticateBindingKeys,
  BindingKeys,
  BindingNamespaces,
  JWKSIssuerTokenService,
  JWKSVerifierTokenService,
  JWSTokenService,
  type AbstractBearerTokenService,
  type Container,
  type IJWSTokenServiceOptions,
  type IJWTTokenPayload,
  type TJWKSTokenServiceOptions,
  type TJWTTokenServiceOptions,
} from '@venizia/ignis';
import { getError } from '@venizia/ignis-helpers';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';

/** Value of `WebSocketBindingKeys.JWT_OPTIONS`: how strictly `JwtAuthenticateProvider` checks a token. Every field optional. */
export interface IWebSocketJwtOptions {
  /** Accepted `alg` values. Default: the one the app signs with (JWS `headerAlgorithm`, else HS256; JWKS issuer `algorithm`); a JWKS verifier: ES256, RS256, EdDSA. */
  algorithms?: readonly string[];
  /** Required `aud`: the token must name this audience (or one of these). Default: not checked. */
  audience?: string | readonly string[];
  /** Required `iss`: the token must come from this issuer (or one of these). Default: not checked. */
  issuer?: string | readonly string[];
  /** Refuse tokens without `exp` (tokens that never expire). Default `true`. */
  requireExpiration?: boolean;
  /** Seconds of clock skew tolerated when checking `exp` and `nbf`. Default `0`. */
  clockToleranceSeconds?: number;
  /** Longer tokens are refused before anything parses them. Default 8192 characters. */
  maxTokenLength?: number;
}

export type TResolvedWebSocketJwtOptions = Required<Omit<IWebSocketJwtOptions, 'algorithms' | 'audience' | 'issuer'>> &
  Pick<IWebSocketJwtOptions, 'algorithms' | 'audience' | 'issuer'>;

/** Defaults of `IWebSocketJwtOptions` (`algorithms` defaults to the app's, `audience` / `issuer` are not checked). */
export const WEBSOCKET_JWT_DEFAULTS: Readonly<TResolvedWebSocketJwtOptions> = Object.freeze({
  requireExpiration: true,
  clockToleranceSeconds: 0,
  maxTokenLength: 8192,
});

/** What a JWKS verifier accepts by default: the algorithms an Ignis JWKS issuer signs with. */
const JWKS_VERIFIER_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;

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

type TVerifyKey = Uint8Array | JWTVerifyGetKey;

/** How the app verifies its tokens, read from its Ignis JWT settings. */
interface IAppJwtKey {
  algorithms: readonly string[];
  /** Resolved on first use (a JWKS issuer imports its keys lazily). */
  resolve: () => Promise<TVerifyKey>;
}

const missingSettings = (what: string) =>
  getError({ message: `[JwtAuthenticateProvider] The app's ${what} token service is bound but its options are not; set up JWT authentication with AuthenticateComponent.` });

const badOption = (name: string, expected: string) =>
  getError({ message: `[JwtAuthenticateProvider] JWT_OPTIONS.${name} must be ${expected}.` });

/** The JWS options: `AuthenticateComponent` rebinds `JWT_OPTIONS` to the inner options; before that it is the `{ standard, options }` pair. */
const readJwsOptions = (container: Container): IJWSTokenServiceOptions | undefined => {
  const bound = container.get<IJWSTokenServiceOptions | TJWTTokenServiceOptions | null>({ key: AuthenticateBindingKeys.JWT_OPTIONS, isOptional: true });
  if (!bound) return undefined;
  if (!('standard' in bound)) return bound;
  return 'jwtSecret' in bound.options ? bound.options : undefined;
};

const appJwtKey = (container: Container, service: AbstractBearerTokenService): IAppJwtKey => {
  if (service instanceof JWSTokenService) {
    const options = readJwsOptions(container);
    if (!options?.jwtSecret) throw missingSettings('JWS');
    const secret = new TextEncoder().encode(options.jwtSecret);
    return { algorithms: [options.headerAlgorithm ?? 'HS256'], resolve: async () => secret };
  }
  const jwks = container.get<TJWKSTokenServiceOptions | null>({ key: AuthenticateBindingKeys.JWKS_OPTIONS, isOptional: true });
  if (!jwks) throw missingSettings('JWKS');
  if (service instanceof JWKSIssuerTokenService && 'algorithm' in jwks) {
    return { algorithms: [jwks.algorithm], resolve: async () => createLocalJWKSet(await service.getJWKSAsync()) };
  }
  if ('jwksUrl' in jwks) {
    const remote = createRemoteJWKSet(new URL(jwks.jwksUrl), { cacheMaxAge: jwks.cacheTtlMs ?? 43_200_000, cooldownDuration: jwks.cooldownMs ?? 30_000 });
    return { algorithms: JWKS_VERIFIER_ALGORITHMS, resolve: async () => remote };
  }
  throw missingSettings('JWKS');
};

/** A refusal: `code` is from a fixed set (jose's error codes and a few of ours), `detail` may quote the token and is logged only through a throttle. */
export interface IJwtRejection {
  code: string;
  detail: string;
}

export type TJwtVerdict = { payload: IJWTTokenPayload } | { rejected: IJwtRejection };

const rejected = (code: string, detail: string): TJwtVerdict => ({ rejected: { code, detail } });

/** Why jose refused a token; for an algorithm refusal, which `alg` the header named. */
const describeFailure = (token: string, error: unknown): IJwtRejection => {
  if (!(error instanceof errors.JOSEError)) return { code: 'ERR_VERIFY', detail: String((error as Error)?.message ?? error) };
  let detail = error.message;
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    try {
      detail += ` (header alg '${String(decodeProtectedHeader(token).alg)}')`;
    } catch {
      // The header did not decode: the message says enough.
    }
  }
  return { code: error.code, detail };
};

/** Verifies tokens for one app: key and options fixed when the provider resolves. */
export class JwtVerifier {
  private key: Promise<TVerifyKey> | undefined;
  private readonly verifyOptions: JWTVerifyOptions;

  private constructor(
    private readonly service: AbstractBearerTokenService,
    private readonly appKey: IAppJwtKey,
    private readonly options: TResolvedWebSocketJwtOptions,
  ) {
    this.verifyOptions = {
      algorithms: [...(options.algorithms ?? appKey.algorithms)],
      audience: typeof options.audience === 'string' ? options.audience : options.audience && [...options.audience],
      issuer: typeof options.issuer === 'string' ? options.issuer : options.issuer && [...options.issuer],
      clockTolerance: options.clockToleranceSeconds,
      requiredClaims: options.requireExpiration ? ['exp'] : [],
    };
  }

  /** The verifier for the app's Ignis JWT authentication; `undefined` when the app has none. */
  static forApp(container: Container, options: IWebSocketJwtOptions = {}): JwtVerifier | undefined {
    const service = findBearerTokenService(container);
    if (!service) return undefined;
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    const resolved: TResolvedWebSocketJwtOptions = { ...WEBSOCKET_JWT_DEFAULTS, ...defined };
    if (!Number.isInteger(resolved.maxTokenLength) || resolved.maxTokenLength < 1) throw badOption('maxTokenLength', 'a positive integer');
    if (!Number.isFinite(resolved.clockToleranceSeconds) || resolved.clockToleranceSeconds < 0) throw badOption('clockToleranceSeconds', 'a number >= 0');
    if (resolved.algorithms?.length === 0) throw badOption('algorithms', 'a non-empty list (leave it out for the app\'s own algorithm)');
    return new JwtVerifier(service, appJwtKey(container, service), resolved);
  }

  async verify(token: string): Promise<TJwtVerdict> {
    if (token.length > this.options.maxTokenLength) {
      return rejected('ERR_TOKEN_TOO_LONG', `token of ${token.length} characters is over maxTokenLength (${this.options.maxTokenLength})`);
    }
    let key: TVerifyKey;
    try {
      key = await this.resolveKey();
    } catch (error) {
      return rejected('ERR_KEY_UNAVAILABLE', `the app's verification key is unavailable: ${(error as Error)?.message ?? error}`);
    }
    try {
      const result =
        key instanceof Uint8Array
          ? await jwtVerify<IJWTTokenPayload>(token, key, this.verifyOptions)
          : await jwtVerify<IJWTTokenPayload>(token, key, this.verifyOptions);
      // Undoes the app's AES payload encryption, if it has one; a plain payload comes back as is.
      return { payload: this.service.decryptPayload({ result }) };
    } catch (error) {
      return { rejected: describeFailure(token, error) };
    }
  }

  /** The key, resolved once; a failed resolution is retried on the next token. */
  private resolveKey(): Promise<TVerifyKey> {
    this.key ??= this.appKey.resolve().catch(error => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }
}
