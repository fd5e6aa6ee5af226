"""The Python example app (examples/python) against the built wheel, in the consumer venv.

The `examples` task runs this, then build-tools/check-example.ts on the template it writes."""
import base64
import importlib.util
import json
import os
import shutil
import subprocess

import jwt
import pytest

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "python"


def test_python_example_app_synthesizes(consumer_python):
    out = EXAMPLE / "cdk.out"
    shutil.rmtree(out, ignore_errors=True)
    proc = subprocess.run(
        [consumer_python, "app.py"], cwd=str(EXAMPLE), capture_output=True, text=True,
        env={**os.environ, "CDK_OUTDIR": str(out)},
    )
    assert proc.returncode == 0, proc.stderr
    template = json.loads((out / "OrdersApi.template.json").read_text())
    runtimes = {r["Properties"]["Runtime"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"}
    assert runtimes == {"python3.13", "nodejs24.x"}


def test_python_example_issuer_signs_what_the_token_contract_asks(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    spec = importlib.util.spec_from_file_location("example_issuer", EXAMPLE / "lambda" / "issuer" / "index.py")
    issuer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(issuer)
    key = os.urandom(32)
    ring = {"version": 1, "algorithm": "HS256",
            "current": {"kid": "k1-current", "key": base64.urlsafe_b64encode(key).rstrip(b"=").decode(), "createdAt": "2026-11-24T10:00:00.000Z"},
            "previous": []}
    claims = {"iss": "https://auth.example.com", "aud": "orders-api", "sub": "user-42", "role": "customer"}

    token = issuer.sign(ring, claims, 900, 1_800_000_000)

    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT", "kid": "k1-current"}
    decoded = jwt.decode(token, key, algorithms=["HS256"], audience="orders-api", issuer="https://auth.example.com",
                         options={"verify_exp": False, "verify_iat": False})
    assert decoded == {**claims, "iat": 1_800_000_000, "exp": 1_800_000_900}
    # The key is the decoded bytes, never the base64url text (the contract's most common mistake).
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, ring["current"]["key"], algorithms=["HS256"], options={"verify_aud": False})
