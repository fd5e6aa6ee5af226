"""Builds a fresh virtualenv with the library's wheel (from dist/python, built by
`npx projen package:python`) and aws-cdk-lib, the way a Python platform team installs it."""
import glob
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".tools" / "python-consumer"


@pytest.fixture(scope="session")
def consumer_python() -> str:
    wheels = sorted(glob.glob(str(ROOT / "dist" / "python" / "*.whl")))
    if not wheels:
        pytest.fail("no wheel in dist/python: run `npx projen package:python` first")
    WORK.mkdir(parents=True, exist_ok=True)
    env_dir = WORK / "venv"
    if not (env_dir / "bin" / "python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--force-reinstall", "--no-deps", wheels[-1]],
        check=True,
    )
    # The wheel's own dependency ranges pick aws-cdk-lib, constructs and the jsii runtime.
    subprocess.run([python, "-m", "pip", "install", "--disable-pip-version-check", "-q", wheels[-1]], check=True)
    return python


def run_consumer(python: str, script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "-c", script], capture_output=True, text=True, cwd=str(WORK), env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
    )
