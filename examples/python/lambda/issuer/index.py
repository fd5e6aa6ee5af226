"""Signs a 15-minute token for a user your sign-in flow has already authenticated, following the
library's token contract: HS256 with the ring's current key (decoded from base64url), its kid
in the header."""
import base64
import hashlib
import hmac
import json
import os
import time

import boto3

secrets = boto3.client("secretsmanager")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(ring: dict, claims: dict, ttl_seconds: int, now: int) -> str:
    key = ring["current"]["key"]
    header = {"alg": "HS256", "typ": "JWT", "kid": ring["current"]["kid"]}
    payload = {**claims, "iat": now, "exp": now + ttl_seconds}
    signing_input = ".".join(b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload))
    secret = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    return signing_input + "." + b64url(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def handler(event, _context):
    ring = json.loads(secrets.get_secret_value(SecretId=os.environ["JWT_SECRET_ARN"])["SecretString"])
    claims = {"iss": os.environ["ISSUER"], "aud": os.environ["AUDIENCE"], "sub": event["sub"], "role": event["role"]}
    return {"token": sign(ring, claims, 900, int(time.time()))}
