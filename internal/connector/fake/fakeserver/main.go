package fakeserver

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/heraldsocial/herald/internal/herald"
)

// Main runs the fake platform as a program until SIGINT or SIGTERM; args
// are its flags (see Run).
func Main(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, os.Stdout, os.Stderr)
}

// DefaultAddr is where `herald dev fake-platform` listens unless told
// otherwise: a fixed port, so the address people type into Herald's
// connect form is the same every time (the Accounts page and the README
// name it).
const DefaultAddr = "127.0.0.1:8181"

// Run serves the fake platform until ctx ends. Flags:
//
//	--addr ADDR          where to listen (default DefaultAddr; 127.0.0.1:0 picks a free port)
//	--print-url          print the base URL as the first line of stdout
//	--config FILE        the configuration as JSON (the body of PUT /_admin/config)
//	--latency D, --error-rate F, --timeout-rate F, --timeout-delay D,
//	--rate-limit N, --rate-window D, --idempotency, --lookup, --max-chars N,
//	--processing-delay D   override single fields of the configuration
//
// Logs go to stderr.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fake-platform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", DefaultAddr, "address to listen on (127.0.0.1:0 picks a free port)")
	printURL := fs.Bool("print-url", false, "print the base URL on the first line of stdout")
	file := fs.String("config", "", "JSON configuration file")
	def := DefaultConfig()
	latency := fs.Duration("latency", 0, "delay of every answer")
	errorRate := fs.Float64("error-rate", 0, "fraction of requests answered 5xx")
	timeoutRate := fs.Float64("timeout-rate", 0, "fraction of posts recorded and then not answered")
	timeoutDelay := fs.Duration("timeout-delay", 0, "how long a timed-out answer is held (0: close the connection)")
	rateLimit := fs.Int("rate-limit", 0, "requests per account per window (0: unlimited)")
	rateWindow := fs.Duration("rate-window", 0, "rate limit window (default 5m)")
	idem := fs.Bool("idempotency", def.Idempotency, "honour Idempotency-Key")
	lookup := fs.Bool("lookup", def.Lookup, "list recent statuses per account")
	maxChars := fs.Int("max-chars", 0, "longest status (default 500)")
	processing := fs.Duration("processing-delay", 0, "how long uploads stay processing")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &herald.Error{Code: herald.CodeBadRequest, Message: "fake-platform: " + err.Error(), Err: err}
	}
	if fs.NArg() > 0 {
		return herald.Errorf(herald.CodeBadRequest, "fake-platform takes no arguments, only flags; got %q", fs.Args())
	}
	cfg := def
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err != nil {
			return fmt.Errorf("fake-platform: read the configuration: %w", err)
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return fmt.Errorf("fake-platform: %s: %w", *file, err)
		}
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "latency":
			cfg.Latency = *latency
		case "error-rate":
			cfg.ErrorRate = *errorRate
		case "timeout-rate":
			cfg.TimeoutRate = *timeoutRate
		case "timeout-delay":
			cfg.TimeoutDelay = *timeoutDelay
		case "rate-limit":
			cfg.RateLimit = *rateLimit
		case "rate-window":
			cfg.RateWindow = *rateWindow
		case "idempotency":
			cfg.Idempotency = *idem
		case "lookup":
			cfg.Lookup = *lookup
		case "max-chars":
			cfg.MaxChars = *maxChars
		case "processing-delay":
			cfg.ProcessingDelay = *processing
		}
	})
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	s := New(cfg, WithLogger(log))
	url, err := s.Start(*addr)
	if err != nil {
		return err
	}
	if *printURL {
		if _, err := fmt.Fprintln(stdout, url); err != nil {
			_ = s.Close()
			return fmt.Errorf("fake-platform: print the URL: %w", err)
		}
	}
	log.InfoContext(ctx, "fake platform listening", "url", url)
	<-ctx.Done()
	log.InfoContext(ctx, "fake platform stopping", "posts", s.Ledger().Count())
	return s.Close()
}
