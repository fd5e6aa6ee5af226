package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// One synthesis for every test: starting the jsii kernel and loading aws-cdk-lib dominates the run.
var (
	orders   *OrdersStack
	template assertions.Template
)

func TestMain(m *testing.M) {
	orders = NewOrdersStack(awscdk.NewApp(nil), "GoOrders")
	template = assertions.Template_FromStack(orders.Stack, nil)
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// must turns the assertion library's panic (a failed match) into a test failure with its message.
func must(t *testing.T, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%v", r)
		}
	}()
	assertion()
}

// resourcesOf returns the resources of a type that match props (nil: all of them).
func resourcesOf(t *testing.T, cfnType string, props interface{}) []map[string]interface{} {
	t.Helper()
	found := template.FindResources(jsii.String(cfnType), props)
	var out []map[string]interface{}
	for _, r := range *found {
		out = append(out, *r)
	}
	return out
}

func TestRotatingJwtSecretRotatesItsKeysMonthlyUnderACustomerManagedKey(t *testing.T) {
	must(t, func() {
		template.HasResourceProperties(jsii.String("AWS::SecretsManager::RotationSchedule"), map[string]interface{}{
			"RotateImmediatelyOnUpdate": true,
			"RotationRules":             map[string]interface{}{"ScheduleExpression": "rate(30 days)"},
		})
		template.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), map[string]interface{}{
			"KmsKeyId": map[string]interface{}{"Fn::GetAtt": []interface{}{assertions.Match_StringLikeRegexp(jsii.String("^Keys")), "Arn"}},
		})
		template.HasResourceProperties(jsii.String("AWS::SecretsManager::ResourcePolicy"), map[string]interface{}{
			"BlockPublicPolicy": true,
		})
	})
	if orders.Keys.RotationFunction() == nil || orders.Keys.Secret() == nil {
		t.Fatal("RotatingJwtSecret does not expose its rotation function and secret to Go")
	}
}

func TestJwtAuthorizerIsATokenAuthorizerThatCachesFiveMinutes(t *testing.T) {
	must(t, func() {
		template.ResourceCountIs(jsii.String("AWS::ApiGateway::Authorizer"), jsii.Number(1))
		template.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]interface{}{
			"Type":                         "TOKEN",
			"IdentitySource":               "method.request.header.Authorization",
			"AuthorizerResultTtlInSeconds": 300,
		})
		template.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]interface{}{
			"Environment": map[string]interface{}{"Variables": assertions.Match_ObjectLike(&map[string]interface{}{
				"JWT_ISSUER":         "https://auth.example.com",
				"JWT_AUDIENCE":       "orders-api",
				"PERMISSION_METHODS": `{"orders:read":["GET /orders"]}`,
			})},
		})
	})
}

func TestHardenedRestApiPutsTheUsersRouteBehindTheAuthorizerAndTheWaf(t *testing.T) {
	must(t, func() {
		template.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]interface{}{
			"HttpMethod":        "GET",
			"AuthorizationType": "CUSTOM",
			"AuthorizerId":      map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Authz"))},
		})
		template.ResourceCountIs(jsii.String("AWS::WAFv2::WebACL"), jsii.Number(1))
		template.HasResourceProperties(jsii.String("AWS::WAFv2::WebACL"), map[string]interface{}{"Scope": "REGIONAL"})
		template.ResourceCountIs(jsii.String("AWS::WAFv2::WebACLAssociation"), jsii.Number(1))
		template.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]interface{}{
			"TracingEnabled": true,
			"MethodSettings": []interface{}{assertions.Match_ObjectLike(&map[string]interface{}{
				"LoggingLevel":     "ERROR",
				"DataTraceEnabled": false,
			})},
		})
	})
	if *orders.Api.WebAclCapacity() <= 0 {
		t.Fatalf("webAclCapacity = %v, want the WCU sum of the rules", *orders.Api.WebAclCapacity())
	}
}

func TestLeastPrivilegeLambdaPoliciesGrantTheUsersFunctionReadsOnly(t *testing.T) {
	if n := len(*orders.Policies.Policies()); n == 0 {
		t.Fatal("LeastPrivilegeLambdaPolicies created no managed policy")
	}
	// Every permission in the stack is a managed policy: no inline policy is left on any role.
	must(t, func() { template.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(0)) })

	var actions []string
	for _, policy := range resourcesOf(t, "AWS::IAM::ManagedPolicy", nil) {
		doc, _ := json.Marshal(policy["Properties"])
		if !strings.Contains(string(doc), "ListOrders") {
			continue
		}
		var props struct {
			PolicyDocument struct {
				Statement []struct {
					Action interface{}
				}
			}
		}
		if err := json.Unmarshal(doc, &props); err != nil {
			t.Fatal(err)
		}
		for _, s := range props.PolicyDocument.Statement {
			switch a := s.Action.(type) {
			case string:
				actions = append(actions, a)
			case []interface{}:
				for _, x := range a {
					actions = append(actions, x.(string))
				}
			}
		}
	}
	joined := strings.Join(actions, " ")
	if !strings.Contains(joined, "dynamodb:GetItem") {
		t.Fatalf("the function's managed policies lack dynamodb:GetItem: %s", joined)
	}
	for _, forbidden := range []string{"dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteItem", "*"} {
		for _, a := range actions {
			if a == forbidden {
				t.Fatalf("the function's managed policies grant %s: %s", forbidden, joined)
			}
		}
	}
}

func TestSecurityAuditTrailIsMultiRegionValidatedAndAlarmed(t *testing.T) {
	must(t, func() {
		template.ResourceCountIs(jsii.String("AWS::CloudTrail::Trail"), jsii.Number(1))
		template.HasResourceProperties(jsii.String("AWS::CloudTrail::Trail"), map[string]interface{}{
			"IsMultiRegionTrail":      true,
			"EnableLogFileValidation": true,
			"KMSKeyId":                assertions.Match_AnyValue(),
		})
	})
	// One CIS metric filter (and alarm) per control on the trail's log group.
	trailFilters := resourcesOf(t, "AWS::Logs::MetricFilter", map[string]interface{}{
		"Properties": map[string]interface{}{"LogGroupName": map[string]interface{}{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Audit"))}},
	})
	controls := *orders.Trail.ControlIds()
	if len(controls) != 15 || len(trailFilters) != len(controls) {
		t.Fatalf("found %d controls and %d metric filters on the trail's log group, want 15 of each", len(controls), len(trailFilters))
	}
}

func TestEveryLambdaFunctionRunsOnNode24(t *testing.T) {
	functions := resourcesOf(t, "AWS::Lambda::Function", nil)
	if len(functions) < 3 {
		t.Fatalf("found %d functions, want the rotation, authorizer and user functions", len(functions))
	}
	for _, fn := range functions {
		if runtime := fn["Properties"].(map[string]interface{})["Runtime"]; runtime != "nodejs24.x" {
			t.Fatalf("a function runs on %v", runtime)
		}
	}
}
