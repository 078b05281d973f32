package postgres

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, id := range []int64{1, 42, 1 << 40} {
		got, err := decodeCursor(encodeCursor(id))
		if err != nil || got != id {
			t.Fatalf("decodeCursor(encodeCursor(%d)) = %d, %v", id, got, err)
		}
	}
	if got, err := decodeCursor(""); got != 0 || err != nil {
		t.Fatalf(`decodeCursor("") = %d, %v; want 0, nil`, got, err)
	}
}

func TestBadCursor(t *testing.T) {
	tests := []struct {
		name, cursor string
	}{
		{"not base64", "not a cursor!"},
		{"not a number", encodeText("abc")},
		{"negative", encodeText("-5")},
		{"zero", encodeText("0")},
		{"json", "{}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeCursor(tc.cursor)
			if herald.ErrorCode(err) != herald.CodeBadRequest {
				t.Fatalf("decodeCursor(%q) = %v, want %s", tc.cursor, err, herald.CodeBadRequest)
			}
		})
	}
}

func encodeText(s string) string {
	return encodeCursorBytes([]byte(s))
}

func TestDBErr(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		code    herald.Code
		message string
	}{
		{"unique email", &pgconn.PgError{Code: "23505", ConstraintName: "users_email_key"},
			herald.CodeConflict, "a user with this e-mail address already exists"},
		{"foreign key account", &pgconn.PgError{Code: "23503", ConstraintName: "targets_account_fkey"},
			herald.CodeConflict, "a target's account does not exist in this workspace"},
		{"unknown constraint", &pgconn.PgError{Code: "23505", ConstraintName: "something_new"},
			herald.CodeConflict, "the change clashes with existing data"},
		{"bad date", &pgconn.PgError{Code: "22008"}, herald.CodeInvalid, ""},
		{"not null", &pgconn.PgError{Code: "23502", ColumnName: "name"}, herald.CodeInvalid, ""},
		{"other driver error", &pgconn.PgError{Code: "57014"}, herald.CodeInternal, ""},
		{"plain error", errors.New("connection reset"), herald.CodeInternal, ""},
		{"herald error passes through", herald.NotFound("post"), herald.CodeNotFound, "post not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := dbErr("op", fmt.Errorf("wrapped: %w", tc.err))
			if got := herald.ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q, want %q (%v)", got, tc.code, err)
			}
			var he *herald.Error
			if tc.message != "" && (!errors.As(err, &he) || he.Message != tc.message) {
				t.Fatalf("message of %v, want %q", err, tc.message)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("%v does not wrap the driver error", err)
			}
		})
	}
	if dbErr("op", nil) != nil {
		t.Fatal("dbErr(nil) != nil")
	}
}

func TestNotFound(t *testing.T) {
	err := notFound("post", "get post", pgx.ErrNoRows)
	if !errors.Is(err, herald.ErrNotFound) || !errors.Is(err, pgx.ErrNoRows) {
		t.Fatalf("notFound(ErrNoRows) = %v, want not found wrapping ErrNoRows", err)
	}
	var he *herald.Error
	if !errors.As(err, &he) || he.Message != "post not found" {
		t.Fatalf("notFound message = %v", err)
	}
}
