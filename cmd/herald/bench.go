package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/bench"
	"github.com/heraldsocial/herald/internal/herald"
)

// BenchCmd groups the benchmarks.
type BenchCmd struct {
	Publish  BenchPublishCmd  `cmd:"" help:"Measure publishing: the real dispatcher and store against the fake platform on loopback; prints one JSON line."`
	Visitors BenchVisitorsCmd `cmd:"" hidden:"" help:"The redirect load's visitors, started by bench publish --redirects: reads a plan as JSON on standard input, writes the latencies as JSON."`
}

// BenchVisitorsCmd runs the redirect load's visitors in their own process.
type BenchVisitorsCmd struct{}

// Run sends the plan read from standard input.
func (c *BenchVisitorsCmd) Run(env *Env) error {
	return bench.RunVisitors(env.Ctx, env.Stdin, env.Stdout)
}

// BenchPublishCmd runs the publishing benchmark.
type BenchPublishCmd struct {
	DB             string        `name:"db" enum:"sqlite,postgres" default:"sqlite" help:"Database: sqlite (a fresh file in a temporary folder) or postgres (a fresh schema in --database-url, dropped at the end)."`
	DatabaseURL    string        `name:"database-url" help:"PostgreSQL database the benchmark creates and drops its own schema in (--db postgres)." placeholder:"URL"`
	Posts          int           `name:"posts" default:"10000" help:"Posts to schedule, one target each."`
	Window         time.Duration `name:"window" default:"10s" help:"Span the due times are spread evenly over."`
	Lead           time.Duration `name:"lead" default:"5s" help:"Time from the start to the first due time; storing the posts must end well before."`
	Latency        time.Duration `name:"latency" default:"0s" help:"How long the fake platform takes to answer each post."`
	Accounts       int           `name:"accounts" default:"50" help:"Accounts the posts are spread over, round-robin."`
	Concurrency    int           `name:"concurrency" default:"0" help:"Platform calls in flight (0: the dispatcher's default, 512)."`
	Instances      int           `name:"instances" default:"1" help:"Dispatchers publishing the posts, each named and pooled as a separate Herald instance (--db postgres for more than 1)."`
	PlatformURL    string        `name:"platform-url" help:"An external fake platform (herald dev fake-platform) instead of one in this process; its ledger is reset." placeholder:"URL"`
	Platforms      []string      `name:"platforms" sep:"," help:"Mix platforms (fake, mastodon, x, bluesky, facebook): each one's fake server runs in this process behind Herald's own connector for it, the accounts spread over them. Default: the fake platform alone." placeholder:"LIST"`
	MaxWait        time.Duration `name:"max-wait" default:"2m" help:"How long after the last due time to wait for missing posts before counting them lost."`
	MeasureIdleRSS bool          `name:"measure-idle-rss" help:"Schedule the posts an hour ahead, start the dispatcher, wait until it holds them all, and report the RSS; nothing is published."`
	Redirects      int           `name:"redirects" default:"0" help:"Also run the tracked-links service on the same store (its click recorder writing) and send its redirect, GET /l/{code} over loopback HTTP, this many requests a second, open loop, while the posts are due; reported under \"redirect\"."`
	Visitors       string        `name:"visitors" enum:"apart,here" default:"apart" help:"Where the redirect load's requests come from: apart (a process of their own, as visitors' browsers are) or here (this process, sharing its Go scheduler with the server)."`
	Ingest         int           `name:"ingest" default:"0" help:"Also run the listening ingest on the same store, with topics in the benchmark's workspace, and deliver it this many generated public posts a second (each one match), in batches as the Bluesky firehose source does, open loop, while the posts are due; reported under \"ingest\"."`
	JSON           string        `name:"json" help:"Also append the result line to FILE." placeholder:"FILE"`
	CPUProfile     string        `name:"cpuprofile" help:"Write a CPU profile of the dispatch phase to FILE (read it with go tool pprof)." placeholder:"FILE"`
	Verbose        bool          `name:"verbose" short:"v" help:"Log progress and the dispatcher's messages to stderr."`
}

// Run runs the benchmark and prints its result.
func (c *BenchPublishCmd) Run(env *Env) (err error) {
	level := slog.LevelWarn
	if c.Verbose {
		level = slog.LevelInfo
	}
	cfg := bench.Config{
		DB: c.DB, DatabaseURL: c.DatabaseURL, Posts: c.Posts, Window: c.Window, Lead: c.Lead,
		Latency: c.Latency, Accounts: c.Accounts, Concurrency: c.Concurrency, Instances: c.Instances,
		PlatformURL: c.PlatformURL, MaxWait: c.MaxWait, MeasureIdleRSS: c.MeasureIdleRSS, Redirects: c.Redirects,
		Ingest: c.Ingest,
		Logger: slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level})),
	}
	for _, p := range c.Platforms {
		cfg.Platforms = append(cfg.Platforms, herald.Platform(strings.TrimSpace(p)))
	}
	if c.Redirects > 0 && c.Visitors == "apart" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench: find this program to start the visitors: %w", err)
		}
		cfg.VisitorsCommand = []string{exe, "bench", "visitors"}
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return fmt.Errorf("create the CPU profile file: %w", err)
		}
		defer func() { err = errors.Join(err, f.Close()) }()
		cfg.CPUProfile = f
	}
	res, err := bench.Run(env.Ctx, cfg)
	if err != nil {
		return err
	}
	line, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode the result: %w", err)
	}
	line = append(line, '\n')
	if _, err := env.Stdout.Write(line); err != nil {
		return fmt.Errorf("print the result: %w", err)
	}
	if c.JSON != "" {
		f, err := os.OpenFile(c.JSON, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("open %s to append the result: %w", c.JSON, err)
		}
		if _, err := f.Write(line); err != nil {
			_ = f.Close()
			return fmt.Errorf("append the result to %s: %w", c.JSON, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("append the result to %s: %w", c.JSON, err)
		}
	}
	return nil
}
