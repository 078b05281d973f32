package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// ErrorBody is the one error body of the API:
// {"error":{"code":"…","message":"…","details":[{"field":"…","problem":"…"}]}}.
type ErrorBody struct {
	status int
	Error_ ErrorPayload `json:"error"`
}

// ErrorPayload is the inside of ErrorBody.
type ErrorPayload struct {
	Code    herald.Code           `json:"code" doc:"Machine-readable error code" enum:"bad_request,unauthorized,forbidden,not_found,conflict,precondition_failed,too_large,invalid,rate_limited,unavailable,internal"`
	Message string                `json:"message" doc:"What went wrong and how to fix it; safe to show to people"`
	Details []herald.FieldProblem `json:"details" doc:"One entry per field with a problem"`
}

// Error returns the message.
func (e *ErrorBody) Error() string { return e.Error_.Message }

// GetStatus returns the HTTP status (huma.StatusError).
func (e *ErrorBody) GetStatus() int { return e.status }

// StatusFor maps a domain error code to its one HTTP status
// (herald.Code.HTTPStatus).
func StatusFor(code herald.Code) int { return code.HTTPStatus() }

func codeFor(status int) herald.Code {
	switch status {
	case http.StatusBadRequest:
		return herald.CodeBadRequest
	case http.StatusUnauthorized:
		return herald.CodeUnauthorized
	case http.StatusForbidden:
		return herald.CodeForbidden
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return herald.CodeNotFound
	case http.StatusConflict:
		return herald.CodeConflict
	case http.StatusPreconditionFailed:
		return herald.CodePreconditionFailed
	case http.StatusRequestEntityTooLarge:
		return herald.CodeTooLarge
	case http.StatusUnprocessableEntity:
		return herald.CodeInvalid
	case http.StatusTooManyRequests:
		return herald.CodeRateLimited
	case http.StatusServiceUnavailable:
		return herald.CodeUnavailable
	}
	if status >= 400 && status < 500 {
		return herald.CodeBadRequest
	}
	return herald.CodeInternal
}

// fromDomain converts any error a service returned into the API's error body.
// Internal errors are logged here, once, and answered with a generic message.
func fromDomain(ctx context.Context, logger *slog.Logger, err error) *ErrorBody {
	var he *herald.Error
	if !errors.As(err, &he) || he.Code == herald.CodeInternal {
		logger.ErrorContext(ctx, "request failed", slog.Any("error", err))
		return &ErrorBody{status: http.StatusInternalServerError, Error_: ErrorPayload{
			Code: herald.CodeInternal, Message: "internal error: the problem was logged; try again later",
			Details: []herald.FieldProblem{}}}
	}
	details := he.Details
	if details == nil {
		details = []herald.FieldProblem{}
	}
	return &ErrorBody{status: StatusFor(he.Code), Error_: ErrorPayload{Code: he.Code, Message: he.Message, Details: details}}
}

// newHumaError replaces huma's error constructor so that errors huma makes
// itself (malformed JSON, schema validation, body limits) use Herald's body.
func newHumaError(status int, msg string, errs ...error) huma.StatusError {
	body := &ErrorBody{status: status, Error_: ErrorPayload{Code: codeFor(status), Details: []herald.FieldProblem{}}}
	for _, e := range errs {
		if e == nil {
			continue
		}
		var eb *ErrorBody
		if errors.As(e, &eb) {
			return eb
		}
		var d *huma.ErrorDetail
		if errors.As(e, &d) {
			body.Error_.Details = append(body.Error_.Details, herald.FieldProblem{
				Field: fieldName(d.Location), Problem: d.Message})
			continue
		}
		body.Error_.Details = append(body.Error_.Details, herald.FieldProblem{Problem: e.Error()})
	}
	if status == http.StatusInternalServerError && msg == "cannot read request body" {
		// The client went away or stopped sending: its doing, not a failure
		// of Herald's to log as one.
		status = http.StatusBadRequest
		body = &ErrorBody{status: status, Error_: ErrorPayload{Code: herald.CodeBadRequest, Details: []herald.FieldProblem{},
			Message: "the request body was cut off before its end: send it again"}}
		return body
	}
	switch {
	case status == http.StatusUnprocessableEntity:
		body.Error_.Message = "the request is not valid: see details for each field"
	case status == http.StatusBadRequest && msg == "validation failed":
		body.Error_.Message = "the request is malformed (not valid JSON, or a parameter of the wrong type): see details"
	case status == http.StatusRequestEntityTooLarge:
		body.Error_.Message = "the request body is too large: " + msg
	case msg != "":
		body.Error_.Message = msg
	default:
		body.Error_.Message = http.StatusText(status)
	}
	return body
}

// fieldName turns huma's "body.targets[0].text" into "targets[0].text".
func fieldName(loc string) string {
	loc = strings.TrimPrefix(loc, "body.")
	if loc == "body" {
		return ""
	}
	return loc
}
