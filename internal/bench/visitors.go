package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"
)

// The visitors are the redirect load's generator: browsers following
// short links on a fixed schedule. They run in a process of their own
// (herald bench visitors, Config.VisitorsCommand) so that what is
// measured is the server's latency: run inside the server's process
// they would share its Go scheduler, and a request would wait once to
// leave the generator and again to be read by the server. In production
// the visitors are elsewhere. Without a command (go test) they run in
// the benchmark's own process.

// VisitorsPlan is what the visitors are to send: GET /l/{code} to Addr,
// round-robin over Codes, Rate requests a second, the i-th due at
// From + i/Rate, until Until.
type VisitorsPlan struct {
	Addr  string    `json:"addr"`
	Codes []string  `json:"codes"`
	Rate  int       `json:"rate"`
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// VisitorsResult is each request's latency, from the time it was due to
// be sent to its answer read, and its lag, from the time it was due to
// the time a visitor took it, in schedule order (nanoseconds in JSON); Failed
// counts the answers that were not a 302 with a Location, FirstError
// says what the first one was.
type VisitorsResult struct {
	Latency    []time.Duration `json:"latency_ns"`
	Lag        []time.Duration `json:"lag_ns"`
	Failed     int             `json:"failed"`
	FirstError string          `json:"first_error,omitempty"`
}

// Visit sends the plan's requests, open loop: the i-th is handed to one
// of redirectConns visitors (one keep-alive connection each) when it is
// due, whether or not earlier ones were answered, and a request waiting
// for a free visitor has its wait counted.
func Visit(ctx context.Context, plan VisitorsPlan) VisitorsResult {
	every := time.Second / time.Duration(max(plan.Rate, 1))
	n := max(0, int(plan.Until.Sub(plan.From)/every)+1)
	if len(plan.Codes) == 0 {
		n = 0
	}
	lat, lag := make([]time.Duration, n), make([]time.Duration, n)
	type due struct {
		i  int
		at time.Time
	}
	queue := make(chan due, n)
	var failed atomic.Int64
	var first sync.Once
	var firstErr string
	var wg sync.WaitGroup
	for range redirectConns {
		wg.Go(func() {
			v := &visitor{addr: plan.Addr}
			defer v.close()
			for d := range queue {
				lag[d.i] = time.Since(d.at)
				if err := v.get(plan.Codes[d.i%len(plan.Codes)]); err != nil {
					failed.Add(1)
					first.Do(func() { firstErr = err.Error() })
				}
				lat[d.i] = time.Since(d.at)
			}
		})
	}
	sent := 0
	for ; sent < n; sent++ {
		at := plan.From.Add(time.Duration(sent) * every)
		if wait := time.Until(at); wait > 0 && sleep(ctx, wait) != nil {
			break
		}
		queue <- due{sent, at}
	}
	close(queue)
	wg.Wait()
	return VisitorsResult{Latency: lat[:sent], Lag: lag[:sent], Failed: int(failed.Load()), FirstError: firstErr}
}

// RunVisitors reads a VisitorsPlan as JSON from in, sends it and writes
// the VisitorsResult as JSON to out: the visitors' process.
func RunVisitors(ctx context.Context, in io.Reader, out io.Writer) error {
	var plan VisitorsPlan
	if err := json.NewDecoder(in).Decode(&plan); err != nil {
		return fmt.Errorf("bench: read the visitors' plan: %w", err)
	}
	if err := json.NewEncoder(out).Encode(Visit(ctx, plan)); err != nil {
		return fmt.Errorf("bench: write the visitors' result: %w", err)
	}
	return nil
}

// visitElsewhere runs the plan in the visitors' process started by
// command.
func visitElsewhere(ctx context.Context, command []string, plan VisitorsPlan) (VisitorsResult, error) {
	in, err := json.Marshal(plan)
	if err != nil {
		return VisitorsResult{}, fmt.Errorf("bench: the visitors' plan: %w", err)
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, &stderr
	if err := cmd.Run(); err != nil {
		return VisitorsResult{}, fmt.Errorf("bench: the visitors' process: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	var res VisitorsResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return VisitorsResult{}, fmt.Errorf("bench: the visitors' result: %w", err)
	}
	return res, nil
}

// visitor is one browser's keep-alive connection to the redirect. It
// writes each request and reads its answer on the calling goroutine:
// net/http's client would add two goroutines a connection and hand every
// request between them, CPU and scheduling taken from the server it
// measures on the same cores (the visitors are elsewhere in production).
type visitor struct {
	addr string
	conn net.Conn
	br   *bufio.Reader
}

// get follows a short link once, as a browser would, and reads the
// answer, which must be a 302 with a Location.
func (v *visitor) get(code string) error {
	if v.conn == nil {
		c, err := net.Dial("tcp", v.addr)
		if err != nil {
			return fmt.Errorf("bench: connect for redirects: %w", err)
		}
		v.conn, v.br = c, bufio.NewReader(c)
	}
	err := v.roundTrip(code)
	if err != nil {
		v.close() // the next request connects again
	}
	return err
}

func (v *visitor) roundTrip(code string) error {
	if err := v.conn.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		return fmt.Errorf("bench: follow /l/%s: %w", code, err)
	}
	req := "GET /l/" + code + " HTTP/1.1\r\nHost: " + v.addr + "\r\nUser-Agent: " + redirectUA +
		"\r\nAccept: text/html\r\n\r\n"
	if _, err := io.WriteString(v.conn, req); err != nil {
		return fmt.Errorf("bench: follow /l/%s: %w", code, err)
	}
	res, err := http.ReadResponse(v.br, nil)
	if err != nil {
		return fmt.Errorf("bench: follow /l/%s: %w", code, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") == "" {
		return fmt.Errorf("bench: GET /l/%s answered HTTP %d, Location %q", code, res.StatusCode, res.Header.Get("Location"))
	}
	if res.Close {
		v.close()
	}
	return nil
}

// close drops the connection.
func (v *visitor) close() {
	if v.conn != nil {
		_ = v.conn.Close()
		v.conn, v.br = nil, nil
	}
}
