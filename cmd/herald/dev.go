package main

import (
	"fmt"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

// DevCmd groups tools for developing, trying and benchmarking Herald.
type DevCmd struct {
	FakePlatform DevFakePlatformCmd `cmd:"" name:"fake-platform" passthrough:"" help:"Run the test platform, a fake social network to try Herald with, on http://${fake_platform_addr} (flags: --addr HOST:PORT, --print-url, --config FILE, --latency, --error-rate, --timeout-rate, --timeout-delay, --rate-limit, --rate-window, --idempotency, --lookup, --max-chars, --processing-delay)."`
}

// DevFakePlatformCmd runs the fake platform that tests and `herald bench
// publish` publish to, until interrupted.
type DevFakePlatformCmd struct {
	Args []string `arg:"" optional:"" help:"The fake platform's flags."`
}

// Run serves the fake platform until the process is interrupted. It
// listens on the local machine, so it says how to let Herald reach it.
func (c *DevFakePlatformCmd) Run(env *Env) error {
	fmt.Fprintln(env.Stderr, "Herald reaches this server with HERALD_TEST_PLATFORM=true and HERALD_ALLOW_PRIVATE_NETWORKS=true (it is on your own machine).")
	return fakeserver.Run(env.Ctx, c.Args, env.Stdout, env.Stderr)
}
