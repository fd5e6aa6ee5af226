package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// `cdk synth` with `"app": "go run ."` runs this; run alone, it synthesizes into a temporary directory.
func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	orders := NewOrdersStack(app, "GoOrders")
	assembly := app.Synth(nil)
	fmt.Printf("synthesized %s into %s\n", *orders.Stack.StackName(), *assembly.Directory())
}
