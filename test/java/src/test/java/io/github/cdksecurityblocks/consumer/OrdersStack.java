package io.github.cdksecurityblocks.consumer;

import io.github.cdksecurityblocks.HardenedRestApi;
import io.github.cdksecurityblocks.JwtAuthorizer;
import io.github.cdksecurityblocks.LeastPrivilegeLambdaPolicies;
import io.github.cdksecurityblocks.RotatingJwtSecret;
import io.github.cdksecurityblocks.SecurityAuditTrail;
import io.github.cdksecurityblocks.TableAccessLevel;
import io.github.cdksecurityblocks.TablePermission;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.apigateway.LambdaIntegration;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;

/**
 * An orders API as a Java team writes it: the team's own function behind the hardened API and the
 * JWT authorizer, its permissions as least-privilege managed policies, and the account's audit trail.
 */
final class OrdersStack extends Stack {
  final RotatingJwtSecret keys;
  final JwtAuthorizer authorizer;
  final HardenedRestApi api;
  final LeastPrivilegeLambdaPolicies policies;
  final SecurityAuditTrail trail;

  OrdersStack(final App app, final String id) {
    super(app, id, StackProps.builder()
        .env(Environment.builder().account("123456789012").region("us-east-1").build())
        .build());

    keys = new RotatingJwtSecret(this, "Keys");
    authorizer = JwtAuthorizer.Builder.create(this, "Authz")
        .signingKeys(keys)
        .issuer("https://auth.example.com")
        .audience("orders-api")
        .rolePermissions(Map.of("user", List.of("orders:read")))
        .permissionMethods(Map.of("orders:read", List.of("GET /orders")))
        .build();
    api = HardenedRestApi.Builder.create(this, "Api").authorizer(authorizer.getAuthorizer()).build();

    Table table = Table.Builder.create(this, "Orders")
        .partitionKey(Attribute.builder().name("pk").type(AttributeType.STRING).build())
        .build();
    Function listOrders = Function.Builder.create(this, "ListOrders")
        .runtime(Runtime.NODEJS_24_X)
        .handler("index.handler")
        .code(Code.fromInline("exports.handler = async () => ({ statusCode: 200, body: '[]' });"))
        .build();
    policies = LeastPrivilegeLambdaPolicies.Builder.create(this, "ListOrdersPermissions")
        .function(listOrders)
        .tables(List.of(TablePermission.builder().table(table).access(TableAccessLevel.READ).build()))
        .build();
    api.addMethod("/orders", "GET", new LambdaIntegration(listOrders));

    trail = new SecurityAuditTrail(this, "Audit");
  }
}
