package connector

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// MaxEventLine bounds one line of a server-sent event stream.
const MaxEventLine = 1 << 20

// ReadEvents reads a server-sent event stream (the text/event-stream
// format) from r and calls fn with each event's name ("message" when it
// has none) and data (its data lines joined by newlines). Comment lines
// (":thump") are skipped. It returns fn's error, the reader's, a line over
// MaxEventLine, or io.EOF when the stream ends.
func ReadEvents(r io.Reader, fn func(event, data string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxEventLine)
	var event string
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if len(data) > 0 {
				name := event
				if name == "" {
					name = "message"
				}
				if err := fn(name, strings.Join(data, "\n")); err != nil {
					return err
				}
			}
			event, data = "", nil
		case strings.HasPrefix(line, ":"):
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				event = value
			case "data":
				data = append(data, value)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read the event stream: %w", err)
	}
	return io.EOF
}

// WatchEvents sends req (a GET of an event stream) with client, without
// the client's overall timeout, and reads the stream with ReadEvents until
// ctx ends (nil) or the stream fails or closes (an error). An answer of
// 404, 405 or 501 is ErrNoStream; other answers are classified as any
// call's (Classify).
func WatchEvents(ctx context.Context, client *http.Client, req *http.Request, fn func(event, data string) error) error {
	cl := *client
	cl.Timeout = 0
	req = req.WithContext(ctx)
	req.Header.Set("Accept", "text/event-stream")
	res, err := cl.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return &Error{Class: Transient, Message: "the event stream could not be opened: " + err.Error(), Err: err}
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return fmt.Errorf("HTTP %d: %w", res.StatusCode, ErrNoStream)
	}
	if res.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		if e := Classify(res.StatusCode, res.Header, body, time.Now()); e != nil {
			return e
		}
		return &Error{Class: Transient, Status: res.StatusCode, Message: fmt.Sprintf("the event stream answered HTTP %d", res.StatusCode)}
	}
	err = ReadEvents(res.Body, fn)
	if ctx.Err() != nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		return &Error{Class: Transient, Message: "the server closed the event stream", Err: err}
	}
	return err
}
