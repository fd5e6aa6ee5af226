"""A Python platform team's `cdk synth` assertion test, run against the built wheel."""
import glob
import json
import tarfile
import textwrap
import zipfile

from conftest import ROOT, run_consumer

PRELUDE = textwrap.dedent(
    """
    import json
    import aws_cdk as cdk
    from aws_cdk import assertions, Duration
    import cdk_security_blocks as csb

    app = cdk.App()
    stack = cdk.Stack(app, "PyStack", env=cdk.Environment(account="123456789012", region="us-east-1"))
    """
)


def synth(python: str, body: str) -> dict:
    script = PRELUDE + textwrap.dedent(body) + "\nprint(json.dumps(assertions.Template.from_stack(stack).to_json()))\n"
    proc = run_consumer(python, script)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def resources_of(template: dict, type_name: str) -> list:
    return [r for r in template["Resources"].values() if r["Type"] == type_name]


def test_rotating_jwt_secret_synthesizes_from_python(consumer_python):
    template = synth(
        consumer_python,
        """
        secret = csb.RotatingJwtSecret(stack, "Jwt", rotation_interval=Duration.days(7))
        assert secret.rotation_function is not None
        """,
    )
    (schedule,) = resources_of(template, "AWS::SecretsManager::RotationSchedule")
    assert schedule["Properties"]["RotationRules"] == {"ScheduleExpression": "rate(7 days)"}
    (fn,) = resources_of(template, "AWS::Lambda::Function")
    assert fn["Properties"]["Runtime"] == "nodejs24.x"
    # The handler asset ships inside the wheel: no esbuild or Docker ran at synth time.
    assert fn["Properties"]["Code"]["S3Key"].endswith(".zip")
    keys = resources_of(template, "AWS::KMS::Key")
    assert keys and all(k["Properties"]["EnableKeyRotation"] is True for k in keys)
    (permission,) = resources_of(template, "AWS::Lambda::Permission")
    assert permission["Properties"]["SourceAccount"] == "123456789012"


def test_bad_props_raise_a_validation_error_in_python(consumer_python):
    proc = run_consumer(
        consumer_python,
        PRELUDE + 'csb.RotatingJwtSecret(stack, "Jwt", rotation_interval=Duration.hours(1))\n',
    )
    assert proc.returncode != 0
    assert "rotationInterval must be between 4 hours and 1000 days, got 1 hour" in proc.stderr


def test_the_wheel_ships_the_bundled_handlers():
    (wheel,) = glob.glob(str(ROOT / "dist" / "python" / "*.whl"))
    with zipfile.ZipFile(wheel) as whl:
        (inner,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
        with whl.open(inner) as raw, tarfile.open(fileobj=raw, mode="r:gz") as tgz:
            names = set(tgz.getnames())
    assert "package/assets/rotation/index.js" in names
    assert not any(n.startswith("package/lambda-src/") for n in names)
