"""An orders API built from cdk-security-blocks: your two order functions behind HardenedRestApi
(JWT authorizer, WAF, usage plan), an issuer function that signs tokens with the rotating key
ring, least-privilege roles for all three, and the account's audit trail.

    python -m venv .venv && .venv/bin/pip install -r requirements.txt && npx cdk synth
"""
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway, aws_dynamodb as dynamodb, aws_lambda as lambda_
from constructs import Construct

import cdk_security_blocks as csb

ISSUER = "https://auth.example.com"
AUDIENCE = "orders-api"
LAMBDA = Path(__file__).parent / "lambda"


class OrdersApiStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        # Every alarm and security event of the stack goes to this one topic; the constructs find it.
        csb.SecurityNotifications(self, "SecurityNotifications", email_addresses=["security-oncall@example.com"])

        orders = dynamodb.TableV2(self, "Orders",
            partition_key=dynamodb.Attribute(name="customerId", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="orderId", type=dynamodb.AttributeType.STRING),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
        )

        def fn(name: str, handler: str, code: str, environment: dict) -> lambda_.Function:
            return lambda_.Function(self, name, runtime=lambda_.Runtime.PYTHON_3_13, handler=handler,
                                    code=lambda_.Code.from_asset(str(LAMBDA / code)), environment=environment)

        list_orders = fn("ListOrders", "index.list_orders", "orders", {"TABLE_NAME": orders.table_name})
        create_order = fn("CreateOrder", "index.create_order", "orders", {"TABLE_NAME": orders.table_name})

        # The issuer signs tokens with the current key of the ring; the API's authorizer verifies them.
        signing_keys = csb.RotatingJwtSecret(self, "SigningKeys")
        issuer = fn("IssueToken", "index.handler", "issuer",
                    {"JWT_SECRET_ARN": signing_keys.secret.secret_arn, "ISSUER": ISSUER, "AUDIENCE": AUDIENCE})

        # Each function's role gets exactly what it uses, on exact ARNs, and nothing else.
        csb.LeastPrivilegeLambdaPolicies(self, "ListOrdersPermissions", function=list_orders,
            tables=[csb.TablePermission(table=orders, access=csb.TableAccessLevel.READ)])
        csb.LeastPrivilegeLambdaPolicies(self, "CreateOrderPermissions", function=create_order,
            tables=[csb.TablePermission(table=orders, access=csb.TableAccessLevel.WRITE)])
        csb.LeastPrivilegeLambdaPolicies(self, "IssuerPermissions", function=issuer,
            secrets=[signing_keys.secret])

        api = csb.HardenedRestApi(self, "OrdersApi",
            signing_keys=signing_keys,
            # The account-level role API Gateway needs for stage logs: one per account and Region.
            cloud_watch_account=csb.ApiGatewayCloudWatchRole(self, "ApiGatewayAccount"),
            issuer=ISSUER,
            audience=AUDIENCE,
            role_permissions={"customer": ["orders:read", "orders:write"], "support": ["orders:read"]},
            permission_methods={"orders:read": ["GET /orders"], "orders:write": ["POST /orders"]},
        )
        api.add_method("/orders", "GET", apigateway.LambdaIntegration(list_orders))
        api.add_method("/orders", "POST", apigateway.LambdaIntegration(create_order),
            request_schema=apigateway.JsonSchema(
                type=apigateway.JsonSchemaType.OBJECT,
                required=["item", "quantity"],
                additional_properties=False,
                properties={
                    "item": apigateway.JsonSchema(type=apigateway.JsonSchemaType.STRING, max_length=64),
                    "quantity": apigateway.JsonSchema(type=apigateway.JsonSchemaType.INTEGER, minimum=1, maximum=100),
                },
            ),
        )

        csb.SecurityAuditTrail(self, "AuditTrail")


app = cdk.App()
OrdersApiStack(app, "OrdersApi", env=cdk.Environment(account="123456789012", region="us-east-1"))
app.synth()
