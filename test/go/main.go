package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// `go run .` synthesizes the app into cdk.out/, as `cdk synth` would with `"app": "go run ."`.
func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	orders := NewOrdersStack(app, "GoOrders")
	assembly := app.Synth(nil)
	fmt.Printf("synthesized %s into %s\n", *orders.Stack.StackName(), *assembly.Directory())
}
