// Package main is a Go team's CDK app built on the generated Go module: one stack with every
// construct of the library, synthesized by `main` and asserted on by the tests beside it.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-security-blocks/cdk-security-blocks-go/cdksecurityblocks"
)

// OrdersStack holds the stack and the constructs a test looks into.
type OrdersStack struct {
	Stack      awscdk.Stack
	Keys       cdksecurityblocks.RotatingJwtSecret
	Authorizer cdksecurityblocks.JwtAuthorizer
	Api        cdksecurityblocks.HardenedRestApi
	Policies   cdksecurityblocks.LeastPrivilegeLambdaPolicies
	Trail      cdksecurityblocks.SecurityAuditTrail
}

// NewOrdersStack builds an orders API: the user's own function behind the hardened API and the
// JWT authorizer, its permissions as least-privilege managed policies, and the account's audit trail.
func NewOrdersStack(app awscdk.App, id string) *OrdersStack {
	stack := awscdk.NewStack(app, jsii.String(id), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")},
	})

	keys := cdksecurityblocks.NewRotatingJwtSecret(stack, jsii.String("Keys"), nil)
	authorizer := cdksecurityblocks.NewJwtAuthorizer(stack, jsii.String("Authz"), &cdksecurityblocks.JwtAuthorizerProps{
		SigningKeys:       keys,
		Issuer:            jsii.String("https://auth.example.com"),
		Audience:          jsii.String("orders-api"),
		RolePermissions:   &map[string]*[]*string{"user": jsii.Strings("orders:read")},
		PermissionMethods: &map[string]*[]*string{"orders:read": jsii.Strings("GET /orders")},
	})
	api := cdksecurityblocks.NewHardenedRestApi(stack, jsii.String("Api"), &cdksecurityblocks.HardenedRestApiProps{
		Authorizer: authorizer.Authorizer(),
	})

	table := awsdynamodb.NewTable(stack, jsii.String("Orders"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("pk"), Type: awsdynamodb.AttributeType_STRING},
	})
	listOrders := awslambda.NewFunction(stack, jsii.String("ListOrders"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_24_X(),
		Handler: jsii.String("index.handler"),
		Code:    awslambda.Code_FromInline(jsii.String("exports.handler = async () => ({ statusCode: 200, body: '[]' });")),
	})
	policies := cdksecurityblocks.NewLeastPrivilegeLambdaPolicies(stack, jsii.String("ListOrdersPermissions"), &cdksecurityblocks.LeastPrivilegeLambdaPoliciesProps{
		Function: listOrders,
		Tables:   &[]*cdksecurityblocks.TablePermission{{Table: table, Access: cdksecurityblocks.TableAccessLevel_READ()}},
	})
	api.AddMethod(jsii.String("/orders"), jsii.String("GET"), awsapigateway.NewLambdaIntegration(listOrders, nil), nil)

	trail := cdksecurityblocks.NewSecurityAuditTrail(stack, jsii.String("Audit"), nil)

	return &OrdersStack{Stack: stack, Keys: keys, Authorizer: authorizer, Api: api, Policies: policies, Trail: trail}
}
