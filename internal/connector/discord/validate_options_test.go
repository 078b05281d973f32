package discord

import (
	"context"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
)

// TestOptionFieldsValidate: every option the composer offers is one the
// validator accepts with a ticked box's value.
func TestOptionFieldsValidate(t *testing.T) {
	c := New(nil)
	fields, err := c.OptionFields(context.Background(), connector.Account{})
	if err != nil || len(fields) == 0 {
		t.Fatalf("fields %v, %v", fields, err)
	}
	for _, f := range fields {
		if f.Kind != connector.OptionCheckbox {
			continue
		}
		_, probs, err := c.Validate(context.Background(), connector.Account{}, connector.Part{Text: "hello",
			Options: map[string]string{f.Key: "true"}})
		if err != nil || len(probs) != 0 {
			t.Errorf("%s ticked: %+v, %v", f.Key, probs, err)
		}
	}
}
