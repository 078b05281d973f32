package main

import (
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

// DevCmd groups tools for developing and benchmarking Herald; it is hidden
// from the help.
type DevCmd struct {
	FakePlatform DevFakePlatformCmd `cmd:"" name:"fake-platform" passthrough:"" help:"Run the fake social platform (flags: --addr, --print-url, --config FILE, --latency, --error-rate, --timeout-rate, --timeout-delay, --rate-limit, --rate-window, --idempotency, --lookup, --max-chars, --processing-delay)."`
}

// DevFakePlatformCmd runs the fake platform that tests and `herald bench
// publish` publish to, until interrupted.
type DevFakePlatformCmd struct {
	Args []string `arg:"" optional:"" help:"The fake platform's flags."`
}

// Run serves the fake platform until the process is interrupted.
func (c *DevFakePlatformCmd) Run(env *Env) error {
	return fakeserver.Run(env.Ctx, c.Args, env.Stdout, env.Stderr)
}
