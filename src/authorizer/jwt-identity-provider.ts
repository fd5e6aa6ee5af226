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
 * that publishes a JWK Set, RFC 7517): give exactly one of `issuerUrl` (OpenID Connect discovery)
 * and `jwksUrl`. The function then reads no secret and has no secret read permission: it only
 * fetches public documents over HTTPS.
 */
export interface JwtIdentityProvider {
  /**
   * The provider's issuer, to find its JWK Set through OpenID Connect discovery: the function
   * reads `<issuerUrl>/.well-known/openid-configuration` (one trailing `/` dropped first) and
   * fetches the key set at its `jwks_uri`. Must equal the authorizer's `issuer` byte for byte,
   * be an https:// URL without query or fragment, e.g.
   * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`.
   *
   * The document is refused (every token denied, reason logged) unless its `issuer` is exactly
   * this URL and its `jwks_uri` is an https:// URL on the same origin (scheme, host and port):
   * the discovery document, read at run time, must not be able to send the verifier to keys on
   * a host nobody reviewed. Cognito, Auth0, Okta, Entra ID (v2.0 issuer) and Keycloak serve their
   * keys on the issuer's origin; for a provider that does not (Google, Entra ID v1 tokens), give
   * `jwksUrl` instead. The discovered URL is kept for `keyCacheTtl`.
   *
   * @default - use `jwksUrl`
   */
  readonly issuerUrl?: string;

  /**
   * The https:// URL of the provider's JWK Set, e.g.
   * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>/.well-known/jwks.json`: the
   * `jwks_uri` of the provider's `/.well-known/openid-configuration`. Keys in the set that are
   * not RSA of at least 2048 bits, EC P-256 or Ed25519 signing keys are ignored (logged with a
   * reason code).
   *
   * @default - use `issuerUrl`
   */
  readonly jwksUrl?: string;

  /**
   * The algorithms a token may be signed with. A token whose `alg` is not listed is refused
   * before any key is fetched.
   *
   * @default - RS256, PS256, ES256 and EdDSA
   */
  readonly algorithms?: JwtAlgorithm[];
}
