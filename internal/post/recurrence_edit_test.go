package post

import (
	"errors"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// A draft's recurrence changes with its edits until its series starts.
func TestMergeRecurrence(t *testing.T) {
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	before := herald.Post{ID: 1, Text: "tips", Recurrence: "FREQ=DAILY"}

	after, err := merge(before, herald.Post{ID: 1, Text: "tips", Recurrence: "RRULE:FREQ=WEEKLY;BYDAY=MO"}, now)
	if err != nil || after.Recurrence != "FREQ=WEEKLY;BYDAY=MO" {
		t.Fatalf("draft edit: recurrence %q, %v", after.Recurrence, err)
	}
	if after, err = merge(before, herald.Post{ID: 1, Text: "tips"}, now); err != nil || after.Recurrence != "" {
		t.Fatalf("clearing: recurrence %q, %v", after.Recurrence, err)
	}
	_, err = merge(before, herald.Post{ID: 1, Recurrence: "FREQ=MINUTELY"}, now)
	var he *herald.Error
	if !errors.As(err, &he) || he.Code != herald.CodeInvalid {
		t.Fatalf("a bad rule: %v", err)
	}

	series := int64(1)
	before.SeriesID = &series
	if after, err = merge(before, herald.Post{ID: 1, Text: "tips", Recurrence: "FREQ=MONTHLY"}, now); err != nil || after.Recurrence != "FREQ=DAILY" {
		t.Fatalf("a started series keeps its rule: %q, %v", after.Recurrence, err)
	}
}
