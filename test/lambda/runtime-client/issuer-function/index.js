/**
 * An issuer function as a user writes one with the shipped signing helper: it reads the ring's
 * AWSCURRENT version and signs the caller's claims with `issueToken`. Its zip holds this file and
 * the helper (assets/issuer/index.js, copied in as `issuer.js` by the test, as a user's bundle
 * would include it); the AWS SDK comes from the runtime, as on Lambda's Node.js runtimes.
 */
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const { issueToken } = require('./issuer');

const sm = new SecretsManagerClient({});

exports.handler = async (event) => {
  const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ID, VersionStage: 'AWSCURRENT' }));
  const claims = { iss: process.env.ISSUER, aud: process.env.AUDIENCE, sub: event.sub, role: event.role };
  return { token: issueToken(SecretString, claims, { ttlSeconds: event.ttlSeconds }) };
};
