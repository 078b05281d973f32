// Package herald holds Herald's domain: the types every other package speaks
// in, their validation and state machines, the permission table, the error
// codes, and the store interfaces that the storage packages implement.
//
// It imports only the standard library.
package herald

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Code classifies an error. The HTTP layer maps each code to one status; the
// code itself is part of the public error body.
type Code string

// Error codes. Each maps to exactly one HTTP status in the server package.
const (
	CodeBadRequest         Code = "bad_request"         // 400: malformed input (syntax, types)
	CodeUnauthorized       Code = "unauthorized"        // 401: no or bad credentials
	CodeForbidden          Code = "forbidden"           // 403: role does not allow the action
	CodeNotFound           Code = "not_found"           // 404: absent, or not visible to the caller
	CodeConflict           Code = "conflict"            // 409: state or uniqueness conflict
	CodePreconditionFailed Code = "precondition_failed" // 412: stale If-Match
	CodeTooLarge           Code = "too_large"           // 413: body or file over the limit
	CodeInvalid            Code = "invalid"             // 422: well-formed but semantically wrong
	CodeRateLimited        Code = "rate_limited"        // 429: too many attempts
	CodeUnavailable        Code = "unavailable"         // 503: a social platform did not answer; try again
	CodeInternal           Code = "internal"            // 500: our fault; message is generic
)

// FieldProblem names one field of the input and what is wrong with it.
type FieldProblem struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// Error is Herald's error value. Message is safe to show to the caller; the
// wrapped Err (if any) is for logs only and never reaches a client.
type Error struct {
	Code    Code
	Message string
	Details []FieldProblem
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message)
	for _, d := range e.Details {
		fmt.Fprintf(&b, "; %s: %s", d.Field, d.Problem)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is one of the sentinel errors with the same code,
// so errors.Is(err, herald.ErrNotFound) matches any not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.sentinel() && t.Code == e.Code
}

func (e *Error) sentinel() bool {
	for _, s := range sentinels {
		if s == e {
			return true
		}
	}
	return false
}

// Sentinel errors, one per code. Compare with errors.Is.
var (
	ErrBadRequest         = &Error{Code: CodeBadRequest, Message: "bad request"}
	ErrUnauthorized       = &Error{Code: CodeUnauthorized, Message: "authentication required"}
	ErrForbidden          = &Error{Code: CodeForbidden, Message: "your role does not allow this"}
	ErrNotFound           = &Error{Code: CodeNotFound, Message: "not found"}
	ErrConflict           = &Error{Code: CodeConflict, Message: "conflict"}
	ErrPreconditionFailed = &Error{Code: CodePreconditionFailed, Message: "the object changed since you read it; reload and try again"}
	ErrTooLarge           = &Error{Code: CodeTooLarge, Message: "too large"}
	ErrInvalid            = &Error{Code: CodeInvalid, Message: "invalid input"}
	ErrRateLimited        = &Error{Code: CodeRateLimited, Message: "too many attempts; wait and try again"}
	ErrUnavailable        = &Error{Code: CodeUnavailable, Message: "the platform did not answer; try again in a moment"}
	ErrInternal           = &Error{Code: CodeInternal, Message: "internal error"}
)

var sentinels = []*Error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict,
	ErrPreconditionFailed, ErrTooLarge, ErrInvalid, ErrRateLimited, ErrUnavailable, ErrInternal}

// Errorf returns an *Error with the given code and a formatted, client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns a not-found error naming the kind of object, e.g. "post".
func NotFound(kind string) *Error {
	return &Error{Code: CodeNotFound, Message: kind + " not found"}
}

// ErrorCode returns the code of err: the code of the first *Error in its
// chain, or CodeInternal for any other error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Problems collects field problems during validation.
type Problems []FieldProblem

// Add records a problem with field.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, FieldProblem{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// Err returns nil when there are no problems, or a CodeInvalid error listing them.
func (p Problems) Err(message string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: message, Details: p}
}

// HTTPStatus is the one HTTP status the API and every other HTTP answer
// give an error of code c.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeBadRequest:
		return http.StatusBadRequest
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict:
		return http.StatusConflict
	case CodePreconditionFailed:
		return http.StatusPreconditionFailed
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeInvalid:
		return http.StatusUnprocessableEntity
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
