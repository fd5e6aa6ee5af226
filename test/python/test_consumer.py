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
    assert "package/assets/authorizer/index.js" in names
    assert "package/assets/issuer/index.js" in names and "package/assets/issuer/index.d.ts" in names
    assert not any(n.startswith("package/lambda-src/") for n in names)


def test_security_audit_trail_synthesizes_from_python(consumer_python):
    template = synth(
        consumer_python,
        """
        trail = csb.SecurityAuditTrail(stack, "Audit", disabled_controls=["CloudWatch.3"])
        assert "CloudWatch.3" not in trail.control_ids
        assert trail.alarm("CloudWatch.1") is not None
        """,
    )
    (cfn_trail,) = resources_of(template, "AWS::CloudTrail::Trail")
    assert cfn_trail["Properties"]["IsMultiRegionTrail"] is True
    assert cfn_trail["Properties"]["EnableLogFileValidation"] is True
    assert len(resources_of(template, "AWS::Logs::MetricFilter")) == 14


def test_security_notifications_from_python(consumer_python):
    template = synth(
        consumer_python,
        """
        notifications = csb.SecurityNotifications(stack, "Notifications", email_addresses=["soc@example.com"])
        trail = csb.SecurityAuditTrail(stack, "Audit")
        assert csb.SecurityNotifications.of(stack).node.path == notifications.node.path
        """,
    )
    assert len(resources_of(template, "AWS::SNS::Topic")) == 1
    (subscription,) = resources_of(template, "AWS::SNS::Subscription")
    assert subscription["Properties"]["Endpoint"] == "soc@example.com"
    (bucket,) = [b for b in resources_of(template, "AWS::S3::Bucket") if "ObjectLockConfiguration" in b["Properties"]]
    assert bucket["Properties"]["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 365}


def test_least_privilege_lambda_policies_from_python(consumer_python):
    template = synth(
        consumer_python,
        """
        from aws_cdk import aws_lambda as lambda_, aws_dynamodb as ddb
        table = ddb.Table(stack, "Table", partition_key=ddb.Attribute(name="pk", type=ddb.AttributeType.STRING))
        fn = lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.NODEJS_24_X, handler="index.handler",
                              code=lambda_.Code.from_inline("exports.handler=async()=>1"))
        csb.LeastPrivilegeLambdaPolicies(stack, "Perms", function=fn,
            tables=[csb.TablePermission(table=table, access=csb.TableAccessLevel.READ)])
        """,
    )
    (role,) = resources_of(template, "AWS::IAM::Role")
    assert "ManagedPolicyArns" not in role["Properties"] or all(
        "aws:policy" not in str(arn) for arn in role["Properties"]["ManagedPolicyArns"]
    )
    assert resources_of(template, "AWS::IAM::Policy") == []
    statements = [s for p in resources_of(template, "AWS::IAM::ManagedPolicy") for s in p["Properties"]["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert "dynamodb:GetItem" in actions and "dynamodb:Scan" not in actions and "dynamodb:PutItem" not in actions


def test_jwt_authorizer_from_python(consumer_python):
    template = synth(
        consumer_python,
        """
        from aws_cdk import aws_apigateway as apigw
        keys = csb.RotatingJwtSecret(stack, "Keys")
        authz = csb.JwtAuthorizer(stack, "Authz", signing_keys=keys, issuer="https://issuer", audience="api",
            role_permissions={"user": ["read"]}, permission_methods={"read": ["GET /items"]})
        api = apigw.RestApi(stack, "Api", cloud_watch_role=False)
        api.root.add_resource("items").add_method("GET", apigw.MockIntegration(), authorizer=authz.authorizer)
        """,
    )
    (authorizer,) = resources_of(template, "AWS::ApiGateway::Authorizer")
    assert authorizer["Properties"]["Type"] == "TOKEN"
    assert authorizer["Properties"]["AuthorizerResultTtlInSeconds"] == 300


def test_hardened_rest_api_from_python(consumer_python):
    template = synth(
        consumer_python,
        """
        from aws_cdk import aws_apigateway as apigw
        keys = csb.RotatingJwtSecret(stack, "Keys")
        api = csb.HardenedRestApi(stack, "Api", signing_keys=keys, issuer="https://issuer", audience="api",
            role_permissions={"user": ["read"]}, permission_methods={"read": ["GET /items"]})
        api.add_method("/items", "GET", apigw.MockIntegration())
        key = api.add_api_key("Partner")
        assert key.secret is not None
        """,
    )
    (acl,) = resources_of(template, "AWS::WAFv2::WebACL")
    assert acl["Properties"]["Scope"] == "REGIONAL"
    (method,) = [m for m in resources_of(template, "AWS::ApiGateway::Method") if m["Properties"]["HttpMethod"] == "GET"]
    assert method["Properties"]["AuthorizationType"] == "CUSTOM"
    (api_key,) = resources_of(template, "AWS::ApiGateway::ApiKey")
    assert "resolve:secretsmanager" in json.dumps(api_key["Properties"]["Value"])
