package web

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Platform options the connectors describe (connector.OptionDescriber): a
// Pinterest board, YouTube's title and privacy, a silent Telegram message.
// Each is a field of the account's tab named v_opt_<account>_<key>, kept
// in the variant's options under its key. Mastodon's visibility and
// content warning have their own fields (see compose.templ).

// accountOptions are one account's option fields, or why they could not
// be listed.
type accountOptions struct {
	Fields []connector.OptionField
	Err    string
}

// optionPrefix starts the form names of account id's options.
func optionPrefix(id int64) string { return "v_opt_" + itoa(id) + "_" }

// ownOptionKeys are the options with fields of their own in the composer,
// for the platforms that have them (platformOptions); a described option
// of another platform may share the key (LinkedIn's visibility).
var ownOptionKeys = map[string]bool{"visibility": true, "spoiler_text": true}

// readExtraOptions reads account id's described options from the form.
func readExtraOptions(v url.Values, id int64) map[string]string {
	prefix := optionPrefix(id)
	var out map[string]string
	for name, vals := range v {
		key, ok := strings.CutPrefix(name, prefix)
		if !ok || key == "" || len(vals) == 0 {
			continue
		}
		val := strings.TrimSpace(vals[len(vals)-1])
		if val == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[key] = val
	}
	return out
}

// extraOptions are a stored variant's options, for the described fields;
// those with fields of their own are left out where the platform has them
// (withoutOwnOptions).
func extraOptions(opts map[string]string) map[string]string {
	var out map[string]string
	for k, val := range opts {
		if val == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = val
	}
	return out
}

// withoutOwnOptions is extra without the options that have fields of
// their own, which win on the platforms that have them.
func withoutOwnOptions(extra map[string]string) map[string]string {
	var out map[string]string
	for k, val := range extra {
		if ownOptionKeys[k] {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = val
	}
	return out
}

// loadOptions asks each account's connector for its option fields, a few
// accounts at a time, so that platforms asked over the network (boards,
// categories) do not add up one after the other.
func (h *Handler) loadOptions(ctx context.Context, p *page, accts []herald.Account) map[int64]accountOptions {
	out := make(map[int64]accountOptions, len(accts))
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, 4)
	)
	for _, a := range accts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fields, err := h.d.Posts.OptionFields(ctx, p.Actor, a.ID)
			var o accountOptions
			var he *herald.Error
			switch {
			case errors.As(err, &he):
				o = accountOptions{Err: he.Message}
			case err != nil:
				h.d.Logger.ErrorContext(ctx, "listing an account's options failed", "account_id", a.ID, "error", err)
				o = accountOptions{Err: "This account's options could not be listed."}
			case len(fields) > 0:
				o = accountOptions{Fields: fields}
			default:
				return
			}
			mu.Lock()
			out[a.ID] = o
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// optionValue is the value shown for field f of account id: as typed, or
// the field's default.
func (f composeForm) optionValue(id int64, o connector.OptionField) string {
	if v, ok := f.variant(id).Extra[o.Key]; ok {
		return v
	}
	return o.Default
}
