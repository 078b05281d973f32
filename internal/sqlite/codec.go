package sqlite

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/heraldsocial/herald/internal/herald"
)

// Times are stored as INTEGER unix microseconds: exact to the microsecond,
// zone-free, and ordered as numbers.

func micros(t time.Time) int64 { return t.UnixMicro() }

// microsOrNil returns the column value for an optional time.
func microsOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// stamp returns t as the store keeps it (UTC, microseconds), or now for a
// zero time.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return t.UTC().Truncate(time.Microsecond)
}

// stampPtr is stamp for an optional time.
func stampPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC().Truncate(time.Microsecond)
	return &v
}

func nullInt(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

func fromNullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

// toJSON encodes a value for a TEXT column.
func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlite: encode JSON: %w", err)
	}
	return string(b), nil
}

// rawOrNil returns the column value for optional raw JSON.
func rawOrNil(m json.RawMessage) any {
	if len(m) == 0 {
		return nil
	}
	return string(m)
}

func fromNullRaw(v sql.NullString) json.RawMessage {
	if !v.Valid || v.String == "" {
		return nil
	}
	return json.RawMessage(v.String)
}

// Cursors are the last id of a page, base64 (URL alphabet) of its decimal
// form: opaque to clients, trivial to check.

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

// decodeCursor returns the id after which the page starts, 0 for none.
func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	bad := &herald.Error{Code: herald.CodeBadRequest,
		Message: "cursor is not valid: use the next value a previous page returned",
		Details: []herald.FieldProblem{{Field: "cursor", Problem: "is not a cursor this server returned"}}}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, bad
	}
	id, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != string(b) {
		return 0, bad
	}
	return id, nil
}

// constraint classifies a driver error as a uniqueness or reference
// violation, or neither.
func constraint(err error) (unique, reference bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false, false
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true, false
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return false, true
	}
	return false, false
}

// dbErr turns a driver error into a domain error: a uniqueness violation
// becomes a conflict with the message clash, a reference violation a
// conflict with the message missing, anything else an internal error
// naming op.
func dbErr(err error, op, clash, missing string) error {
	if err == nil {
		return nil
	}
	unique, reference := constraint(err)
	switch {
	case unique:
		if clash == "" {
			clash = "it already exists"
		}
		return &herald.Error{Code: herald.CodeConflict, Message: clash, Err: err}
	case reference:
		if missing == "" {
			missing = "it refers to something that does not exist"
		}
		return &herald.Error{Code: herald.CodeConflict, Message: missing, Err: err}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// getErr maps a single-row read error: no row is not found.
func getErr(err error, kind string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &herald.Error{Code: herald.CodeNotFound, Message: kind + " not found", Err: err}
	}
	return fmt.Errorf("sqlite: get %s: %w", kind, err)
}

// affected returns not found when res changed no row.
func affected(res sql.Result, kind string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: rows affected: %w", err)
	}
	if n == 0 {
		return herald.NotFound(kind)
	}
	return nil
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// likeEscape escapes LIKE wildcards so q matches literally (ESCAPE '\').
func likeEscape(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(q)
}

// pageLimit returns the normalised page size.
func pageLimit(p herald.Page) int { return p.Normalize().Limit }
