/**
 * The reason codes of a denied request: the only thing the authorizer logs about a rejected
 * request. Its own module because every stage (token parsing, claims, key sources, the adapter)
 * returns them.
 */

export type DenyReason =
  | 'config_invalid'
  | 'no_token'
  | 'bad_method_arn'
  | 'token_too_large'
  | 'malformed_token'
  | 'bad_encoding'
  | 'bad_header'
  | 'bad_alg'
  | 'bad_typ'
  | 'bad_kid'
  | 'forbidden_header'
  | 'bad_payload'
  | 'no_keys'
  | 'keys_unavailable'
  | 'unknown_kid'
  | 'bad_signature'
  | 'bad_exp'
  | 'expired'
  | 'bad_nbf'
  | 'not_yet_valid'
  | 'bad_iat'
  | 'iat_in_future'
  | 'token_too_old'
  | 'lifetime_too_long'
  | 'bad_iss'
  | 'bad_aud'
  | 'bad_sub'
  | 'bad_role'
  | 'unknown_role'
  | 'internal_error'
  // Asymmetric (JWKS) verification only: see asymmetric.ts.
  | 'key_alg_mismatch'
  | 'too_many_roles'
  // The token's kid names a key the set holds but this verifier refuses (jwks.ts): its `use` is
  // not `sig`, its `key_ops` lack `verify`, or it is weak (weak-keys.ts, RSA under 2048 bits).
  | 'key_use_not_sig'
  | 'key_ops_not_verify'
  | 'weak_key';
