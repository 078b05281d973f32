package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/herald"
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequestID returns a context carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// chain wraps the mux in the middleware, outermost first.
func (s *Server) chain() http.Handler {
	var h http.Handler = s.mux
	h = s.bodyLimits(h)
	h = s.d.Auth.Middleware(s.d.Sessions)(h)
	h = s.d.Sessions.LoadAndSave(h)
	h = s.crossOrigin(h)
	if s.d.Links != nil {
		// Short links are public and answer at once: no session, no
		// authentication, no body.
		h = shortLinks(s.d.Links, h)
	}
	h = s.realIP(h)
	h = s.observe(h)
	h = s.readDeadline(h)
	h = s.requestID(h)
	h = s.recoverPanics(h)
	return h
}

// shortLinks sends /l/… (the short links and the conversion pixel) and
// the signed conversions (POST /api/v1/conversions, from the workspace's
// own servers, never a browser session) to links, everything else to next.
func shortLinks(links, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/l/") || r.URL.Path == "/api/v1/conversions" {
			links.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics answers a panicking handler with a 500 and Herald's error
// body, logging the panic once with its stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v) // the handler asked to abort the response
			}
			s.logger.ErrorContext(r.Context(), "panic serving request", "panic", v,
				"method", r.Method, "path", r.URL.Path, "stack", string(debug.Stack()))
			writeError(w, http.StatusInternalServerError, herald.ErrInternal)
		}()
		next.ServeHTTP(w, r)
	})
}

// requestID accepts a sane incoming X-Request-Id or makes one, echoes it in
// the response and puts it in the context (and so in every log line).
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// saneRequestID accepts 1 to 64 letters, digits, '-', '_', '.' and ':'.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return hex.EncodeToString(b)
}

// observe logs each request (JSON: method, route, status, duration_ms,
// bytes, request_id) and counts it in the metrics, by route pattern.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := s.route(r)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			if v := recover(); v != nil {
				status = http.StatusInternalServerError
				defer panic(v)
			}
			d := time.Since(start)
			s.metrics.observe(route, status, d)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			s.logger.LogAttrs(r.Context(), level, "http request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(d.Microseconds())/1000),
				slog.Int64("bytes", rec.bytes))
		}()
		next.ServeHTTP(rec, r)
	})
}

// crossOrigin refuses cross-origin state-changing requests from browsers
// (those carry cookies). Requests with an API token carry no ambient
// credentials and are exempt.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	if origin, ok := trustedOrigin(s.cfg.BaseURL); ok {
		if err := cop.AddTrustedOrigin(origin); err != nil {
			s.logger.Warn("base URL not usable as a trusted origin", "origin", origin, "error", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, &herald.Error{Code: herald.CodeForbidden,
			Message: "cross-origin request refused: send it from Herald's own pages, or use an API token (Authorization: Bearer)"})
	}))
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth.BearerToken(r); ok {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// recorder notes the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
