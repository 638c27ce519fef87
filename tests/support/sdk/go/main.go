// Test runner: builds the client from the exported wxpayconfig package (copied into
// ./wxpayconfig by the test) and prints what the SDK was given.
package main

import (
	"context"
	"fmt"
	"os"

	"wxpaytest/wxpayconfig"
)

func main() {
	client, err := wxpayconfig.NewClient(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Print(client.Describe())
}
