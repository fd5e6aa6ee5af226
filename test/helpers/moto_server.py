"""moto_server, with PutSecretValue holding to Secrets Manager's documented rule.

PutSecretValue's reference: a version whose ClientRequestToken already exists with a different
SecretString "fails because you can't modify an existing version". RotateSecret creates the
rotation's version empty, and PutSecretValue may fill it once. moto also overwrites a version
that already holds a value as long as it is labelled AWSPENDING, and replaces its labels with
the request's; two rotation steps racing to fill the same version then leave a state Secrets
Manager never produces (a version that lost AWSCURRENT). This keeps the exemption for the empty
version only. Usage: python moto_server.py -H 127.0.0.1 -p PORT (moto_server's arguments).
"""
import sys

from moto.secretsmanager import models
from moto.server import main

_check = models.SecretsManagerBackend._check_with_existing_secrets_and_versions


def _check_as_documented(self, secret_name, client_request_token, secret_string, secret_binary, on_create=False):
    secret = self.secrets.get(secret_name)
    version = secret.versions.get(client_request_token) if secret is not None and client_request_token else None
    filled = version is not None and ("secret_string" in version or "secret_binary" in version)
    if filled and "AWSPENDING" in version.get("version_stages", []):
        if version.get("secret_string") == secret_string and version.get("secret_binary") == secret_binary:
            return secret
        raise models.ResourceExistsException(
            f"You can't use ClientRequestToken {client_request_token} because that value is already in use for a version of secret {secret.arn}."
        )
    return _check(self, secret_name, client_request_token, secret_string, secret_binary, on_create)


models.SecretsManagerBackend._check_with_existing_secrets_and_versions = _check_as_documented

if __name__ == "__main__":
    main(sys.argv[1:])
