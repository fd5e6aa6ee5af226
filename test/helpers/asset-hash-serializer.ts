/**
 * Jest snapshot serializer that masks asset hashes, so a snapshot changes only when the
 * template does (not when a bundled handler is rebuilt byte-for-byte differently).
 */
const ASSET_HASH = /[0-9a-f]{64}(\.zip|\.json)?/g;

export function test(value: unknown): boolean {
  return typeof value === 'string' && /[0-9a-f]{64}/.test(value);
}

export function serialize(value: string): string {
  return JSON.stringify(value.replace(ASSET_HASH, (_m, ext: string | undefined) => `[ASSET_HASH]${ext ?? ''}`));
}
