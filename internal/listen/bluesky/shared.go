package bluesky

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// shared is what the Firehose and Jetstream sources keep between runs:
// their counts and the handles their identity events taught them.
type shared struct {
	stats   counters
	handles handleCache
	once    sync.Once
}

// sourceName is a stream's name: its kind and the host's host:port.
func sourceName(kind, host string) string {
	u, err := streamURL(host, "")
	if err != nil {
		return kind + ":" + host
	}
	return kind + ":" + u.Host
}

// run checks the host and runs the stream until ctx ends or the sink
// fails, connecting with connect and reconnecting with backoff.
func (sh *shared) run(ctx context.Context, sink source.Sink, what, host, name string, lg *slog.Logger, cursors source.Cursors,
	tune Tuning, connect func(ctx context.Context, cursor string, out chan<- item) error) error {
	if _, err := streamURL(host, ""); err != nil {
		return fmt.Errorf("bluesky: %s: %w", what, err)
	}
	sh.once.Do(func() { sh.handles.init(handleCacheSize) })
	s := &stream{name: name, log: logger(lg), cursors: cursors, tune: tune.withDefaults(), stats: &sh.stats, connect: connect}
	return s.run(ctx, sink)
}
