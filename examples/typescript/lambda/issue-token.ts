// Signs a 15-minute token for a user your sign-in flow has already authenticated.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { issueToken } from 'cdk-security-blocks/assets/issuer';

const sm = new SecretsManagerClient({});

export async function handler(event: { sub: string; role: 'customer' | 'support' }) {
  const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: process.env.JWT_SECRET_ARN }));
  const token = issueToken(SecretString!, {
    iss: process.env.ISSUER, aud: process.env.AUDIENCE, sub: event.sub, role: event.role,
  }, { ttlSeconds: 900 });
  return { token };
}
