/**
 * The token segments' UTF-8 decoding (core.ts decodeJsonObject) must be exactly a fatal
 * TextDecoder's: the same texts accepted (byte-order mark dropped), the same byte sequences
 * refused. Seeded generated segments mix valid text, every kind of malformed sequence (stray
 * continuation bytes, overlong forms, surrogates, code points above U+10FFFF, truncated
 * sequences) and byte-order marks, each inside a JSON object.
 */
import { decodeJsonObject } from '../../../lambda-src/authorizer/core';
import { prng } from '../../helpers/prng';

const SEED = 0x07f8c0de;
const RUNS = 20_000;

const PIECES: ReadonlyArray<readonly number[]> = [
  [0x61], [0x7a, 0x31], [0xc3, 0xa9], [0xe2, 0x9c, 0x93], [0xf0, 0x9f, 0x94, 0x91], [0xef, 0xbb, 0xbf],
  [0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xf0, 0x80, 0x80, 0x80],
  [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff], [0xfe],
  [0xc3], [0xe2, 0x9c], [0xf0, 0x9f, 0x94], [0x00], [0x5c, 0x22], [0x22],
];

function reference(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Buffer.from(segment, 'base64url')));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

test(`decodes ${RUNS} generated segments exactly as a fatal TextDecoder (seed ${SEED.toString(16)})`, () => {
  const rand = prng(SEED);
  let accepted = 0;
  let refused = 0;
  let withBom = 0;
  for (let i = 0; i < RUNS; i++) {
    const bytes: number[] = [];
    if (rand() < 0.2) bytes.push(0xef, 0xbb, 0xbf);
    bytes.push(...Buffer.from('{"k":"'));
    const n = Math.floor(rand() * 6);
    for (let j = 0; j < n; j++) bytes.push(...PIECES[Math.floor(rand() * (rand() < 0.6 ? 6 : PIECES.length))]);
    bytes.push(...Buffer.from('"}'));
    const segment = Buffer.from(bytes).toString('base64url');
    const expected = reference(segment);
    expect([i, decodeJsonObject(segment)]).toEqual([i, expected]);
    if (expected) accepted++;
    else refused++;
    if (expected && bytes[0] === 0xef) withBom++;
  }
  // The generator exercises both outcomes and the byte-order mark.
  expect(Math.min(accepted, refused, withBom)).toBeGreaterThan(500);
});
