package io.github.cdksecurityblocks.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Synthesizes every construct of the library from Java and checks what matters to security. */
class OrdersStackTest {
  // One synthesis for all tests: starting the jsii kernel and loading aws-cdk-lib dominates the run.
  private static OrdersStack stack;
  private static Template template;

  @BeforeAll
  static void synth() {
    stack = new OrdersStack(new App(), "JavaOrders");
    template = Template.fromStack(stack);
  }

  @Test
  void rotatingJwtSecretRotatesItsKeysMonthlyUnderACustomerManagedKey() {
    template.hasResourceProperties("AWS::SecretsManager::RotationSchedule", Map.of(
        "RotateImmediatelyOnUpdate", true,
        "RotationRules", Map.of("ScheduleExpression", "rate(30 days)")));
    template.hasResourceProperties("AWS::SecretsManager::Secret", Map.of(
        "KmsKeyId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Keys"), "Arn"))));
    template.hasResourceProperties("AWS::SecretsManager::ResourcePolicy", Map.of("BlockPublicPolicy", true));
    assertNotNull(stack.keys.getRotationFunction());
    assertNotNull(stack.keys.getSecret());
  }

  @Test
  void jwtAuthorizerIsATokenAuthorizerThatCachesFiveMinutes() {
    template.resourceCountIs("AWS::ApiGateway::Authorizer", 1);
    template.hasResourceProperties("AWS::ApiGateway::Authorizer", Map.of(
        "Type", "TOKEN",
        "IdentitySource", "method.request.header.Authorization",
        "AuthorizerResultTtlInSeconds", 300));
    template.hasResourceProperties("AWS::Lambda::Function", Map.of(
        "Environment", Map.of("Variables", Match.objectLike(Map.of(
            "JWT_ISSUER", "https://auth.example.com",
            "JWT_AUDIENCE", "orders-api",
            "PERMISSION_METHODS", "{\"orders:read\":[\"GET /orders\"]}")))));
  }

  @Test
  void hardenedRestApiPutsTheUsersRouteBehindTheAuthorizerAndTheWaf() {
    template.hasResourceProperties("AWS::ApiGateway::Method", Map.of(
        "HttpMethod", "GET",
        "AuthorizationType", "CUSTOM",
        "AuthorizerId", Map.of("Ref", Match.stringLikeRegexp("^Authz"))));
    template.resourceCountIs("AWS::WAFv2::WebACL", 1);
    template.hasResourceProperties("AWS::WAFv2::WebACL", Map.of("Scope", "REGIONAL"));
    template.resourceCountIs("AWS::WAFv2::WebACLAssociation", 1);
    template.hasResourceProperties("AWS::ApiGateway::Stage", Map.of(
        "TracingEnabled", true,
        "MethodSettings", List.of(Match.objectLike(Map.of("LoggingLevel", "ERROR", "DataTraceEnabled", false)))));
    assertTrue(stack.api.getWebAclCapacity().doubleValue() > 0, "webAclCapacity is the WCU sum of the rules");
  }

  @Test
  @SuppressWarnings("unchecked")
  void leastPrivilegeLambdaPoliciesGrantTheUsersFunctionReadsOnly() {
    assertFalse(stack.policies.getPolicies().isEmpty(), "LeastPrivilegeLambdaPolicies created no managed policy");
    // Every permission in the stack is a managed policy: no inline policy is left on any role.
    template.resourceCountIs("AWS::IAM::Policy", 0);

    List<String> actions = new ArrayList<>();
    Map<String, Map<String, Object>> functionPolicies = template.findResources("AWS::IAM::ManagedPolicy", Map.of(
        "Properties", Map.of("Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("^ListOrdersServiceRole"))))));
    for (Map<String, Object> policy : functionPolicies.values()) {
      Map<String, Object> document = (Map<String, Object>) ((Map<String, Object>) policy.get("Properties")).get("PolicyDocument");
      for (Map<String, Object> statement : (List<Map<String, Object>>) document.get("Statement")) {
        Object action = statement.get("Action");
        if (action instanceof String) {
          actions.add((String) action);
        } else {
          actions.addAll((List<String>) action);
        }
      }
    }
    assertTrue(actions.contains("dynamodb:GetItem"), "the function's managed policies lack dynamodb:GetItem: " + actions);
    for (String forbidden : List.of("dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteItem", "*")) {
      assertFalse(actions.contains(forbidden), "the function's managed policies grant " + forbidden + ": " + actions);
    }
  }

  @Test
  void securityAuditTrailIsMultiRegionValidatedAndAlarmed() {
    template.resourceCountIs("AWS::CloudTrail::Trail", 1);
    template.hasResourceProperties("AWS::CloudTrail::Trail", Map.of(
        "IsMultiRegionTrail", true,
        "EnableLogFileValidation", true,
        "KMSKeyId", Match.anyValue()));
    // One CIS metric filter (and alarm) per control on the trail's log group.
    Map<String, Map<String, Object>> trailFilters = template.findResources("AWS::Logs::MetricFilter", Map.of(
        "Properties", Map.of("LogGroupName", Map.of("Ref", Match.stringLikeRegexp("^Audit")))));
    assertEquals(15, stack.trail.getControlIds().size());
    assertEquals(stack.trail.getControlIds().size(), trailFilters.size());
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyLambdaFunctionRunsOnNode24() {
    Map<String, Map<String, Object>> functions = template.findResources("AWS::Lambda::Function");
    assertTrue(functions.size() >= 3, "want the rotation, authorizer and user functions, found " + functions.size());
    for (Map<String, Object> function : functions.values()) {
      assertEquals("nodejs24.x", ((Map<String, Object>) function.get("Properties")).get("Runtime"));
    }
  }
}
