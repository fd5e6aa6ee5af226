/**
 * An asymmetric JWS algorithm a JwtAuthorizer may accept from an identity provider. There is no
 * `none` and no HS*: a public key is never used as an HMAC key.
 */
export enum JwtAlgorithm {
  /** RSASSA-PKCS1-v1_5 with SHA-256 (Cognito, Auth0, Okta, Entra ID); keys of at least 2048 bits. */
  RS256 = 'RS256',
  /** RSASSA-PSS with SHA-256; keys of at least 2048 bits. */
  PS256 = 'PS256',
  /** ECDSA on P-256 with SHA-256. */
  ES256 = 'ES256',
  /** EdDSA with Ed25519. */
  EDDSA = 'EdDSA',
}

/**
 * Where a JwtAuthorizer gets the public keys of an external identity provider (or of any issuer
 * that publishes a JWK Set, RFC 7517). The function then reads no secret and has no secret read
 * permission: it only fetches the JWK Set over HTTPS.
 */
export interface JwtIdentityProvider {
  /**
   * The https:// URL of the provider's JWK Set, e.g.
   * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>/.well-known/jwks.json`. The
   * `jwks_uri` of the provider's `/.well-known/openid-configuration`. Keys in the set that are
   * not RSA of at least 2048 bits, EC P-256 or Ed25519 signing keys are ignored (logged with a
   * reason code).
   */
  readonly jwksUrl: string;

  /**
   * The algorithms a token may be signed with. A token whose `alg` is not listed is refused
   * before any key is fetched.
   *
   * @default - RS256, PS256, ES256 and EdDSA
   */
  readonly algorithms?: JwtAlgorithm[];
}
