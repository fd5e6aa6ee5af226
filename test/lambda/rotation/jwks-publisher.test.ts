/**
 * Where the rotation PUTs the JWKS: the very URL it publishes (on the bucket's regional domain),
 * or the same bucket and key path-style under an endpoint override; nothing without a JWKS_URL.
 */
import { putUrl, s3JwksPublisher } from '../../../lambda-src/rotation/jwks-publisher';

const URL_ENV = { JWKS_URL: 'https://my-bucket.s3.eu-west-1.amazonaws.com/.well-known/jwks.json', JWKS_BUCKET: 'my-bucket' };

test('writes to the published URL itself in AWS', () => {
  expect(putUrl(URL_ENV)?.href).toBe('https://my-bucket.s3.eu-west-1.amazonaws.com/.well-known/jwks.json');
});

test('writes path-style to the S3 endpoint override, service-specific first', () => {
  expect(putUrl({ ...URL_ENV, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:5000/', AWS_ENDPOINT_URL: 'http://other:1' })?.href)
    .toBe('http://127.0.0.1:5000/my-bucket/.well-known/jwks.json');
  expect(putUrl({ ...URL_ENV, AWS_ENDPOINT_URL: 'http://127.0.0.1:6000' })?.href).toBe('http://127.0.0.1:6000/my-bucket/.well-known/jwks.json');
});

test('HS256 functions have no JWKS location and no publisher', () => {
  expect(putUrl({})).toBeUndefined();
  expect(s3JwksPublisher({})).toBeUndefined();
});
