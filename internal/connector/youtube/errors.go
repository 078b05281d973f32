package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"google.golang.org/api/googleapi"

	"github.com/heraldsocial/herald/internal/connector"
)

// apiError is Google's error body:
//
//	{"error":{"code":403,"message":"…","errors":[{"message":"…","domain":"youtube.quota","reason":"quotaExceeded"}]}}
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Errors  []struct {
			Message string `json:"message"`
			Domain  string `json:"domain"`
			Reason  string `json:"reason"`
		} `json:"errors"`
	} `json:"error"`
}

// Reasons that mean "wait": the daily quota (reset at midnight Pacific
// time), the upload limit and the short-term rate limits.
var (
	quotaReasons = map[string]bool{"quotaExceeded": true, "dailyLimitExceeded": true, "uploadLimitExceeded": true}
	rateReasons  = map[string]bool{"rateLimitExceeded": true, "userRateLimitExceeded": true}
)

// classify maps a YouTube answer to a class (nil below 400):
//
//	quotaExceeded, dailyLimitExceeded,
//	uploadLimitExceeded                 → RateLimited until midnight Pacific time
//	rateLimitExceeded,
//	userRateLimitExceeded, 429          → RateLimited (Retry-After, else a minute)
//	401                                 → AuthExpired (access tokens live an hour)
//	403 insufficientPermissions         → AuthRevoked: a scope was not granted
//	403 otherwise (forbidden, …)        → Invalid with YouTube's message
//	400, 404, 409 …                     → Invalid
//	5xx                                 → Transient
func (c *Connector) classify(status int, h http.Header, body []byte) *connector.Error {
	e := connector.Classify(status, h, body, c.now())
	if e == nil {
		return nil
	}
	var b apiError
	if json.Unmarshal(body, &b) != nil || (b.Error.Message == "" && len(b.Error.Errors) == 0) {
		return e
	}
	if b.Error.Message != "" {
		e.Message = b.Error.Message
	}
	reason := ""
	if len(b.Error.Errors) > 0 {
		reason = b.Error.Errors[0].Reason
		if e.Message == "" {
			e.Message = b.Error.Errors[0].Message
		}
	}
	switch {
	case quotaReasons[reason]:
		e.Class, e.RetryAfter = connector.RateLimited, untilPacificMidnight(c.now())
		e.Message += " (YouTube's quota resets at midnight Pacific time)"
	case rateReasons[reason] || status == http.StatusTooManyRequests:
		e.Class = connector.RateLimited
		if e.RetryAfter = connector.ParseRetryAfter(h, c.now()); e.RetryAfter <= 0 {
			e.RetryAfter = time.Minute
		}
	case status >= 500:
		e.Class = connector.Transient
	case status == http.StatusUnauthorized:
		e.Class = connector.AuthExpired
	case status == http.StatusForbidden && reason == "insufficientPermissions":
		e.Class = connector.AuthRevoked
		e.Message += " (Herald lacks a permission on the channel; reconnect the account and allow everything it asks for)"
	case status == http.StatusForbidden:
		e.Class = connector.Invalid
	case status == http.StatusConflict:
		e.Class = connector.Invalid
	}
	return e
}

// untilPacificMidnight is the wait until YouTube's daily quota resets.
func untilPacificMidnight(now time.Time) time.Duration {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		loc = time.FixedZone("PST", -8*3600)
	}
	t := now.In(loc)
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
	return next.Sub(now)
}

// apiErr classifies an error of the client library: Google's answer
// (*googleapi.Error) or a failure to get one. create marks a call that
// makes something (a comment): a lost answer may mean it was made.
func (c *Connector) apiErr(what string, err error, create bool) error {
	if err == nil {
		return nil
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		body := []byte(ge.Body)
		if len(body) == 0 {
			body, _ = json.Marshal(map[string]any{"error": map[string]any{"code": ge.Code, "message": ge.Message}})
		}
		e := c.classify(ge.Code, ge.Header, body)
		if e == nil {
			e = &connector.Error{Class: connector.Transient, Status: ge.Code, Message: ge.Message}
		}
		e.Err = err
		return fmt.Errorf("youtube: %s: %w", what, e)
	}
	class, msg := connector.Transient, "YouTube could not be reached or did not answer"
	if create {
		class, msg = connector.Ambiguous, "YouTube did not answer; it may have carried the request out"
	}
	if errors.Is(err, context.Canceled) {
		class = connector.Transient
	}
	return fmt.Errorf("youtube: %s: %w", what, &connector.Error{Class: class, Message: msg, Err: err})
}

// reasonOf returns the first reason of Google's error in err, "" if none.
func reasonOf(err error) string {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		for _, it := range ge.Errors {
			if it.Reason != "" {
				return it.Reason
			}
		}
		var b apiError
		if json.Unmarshal([]byte(ge.Body), &b) == nil && len(b.Error.Errors) > 0 {
			return b.Error.Errors[0].Reason
		}
	}
	return ""
}

// statusOf returns the HTTP status in err, 0 if none.
func statusOf(err error) int {
	var e *connector.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

func hasAll(granted string, want []string) []string {
	have := map[string]bool{}
	for _, s := range strings.Fields(granted) {
		have[s] = true
	}
	var missing []string
	for _, s := range want {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	return missing
}
