package web

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// positiveID parses an optional id filter; "" is 0.
func positiveID(q url.Values, name string, pr *herald.Problems) int64 {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		pr.Add(name, "%q is not one of the choices", v)
		return 0
	}
	return id
}

// calendarQuery is what the page's URL asks for.
type calendarQuery struct {
	View, Color string
	Date        time.Time // in the viewer's zone
	Filter      calFilter
}

// parseCalendarQuery reads q, falling back on the view and colour the
// viewer chose last.
func (h *Handler) parseCalendarQuery(ctx context.Context, q url.Values, loc *time.Location, now time.Time) (calendarQuery, error) {
	var pr herald.Problems
	c := calendarQuery{View: q.Get("view"), Color: q.Get("color")}
	switch c.View {
	case viewMonth, viewWeek, viewList:
		if h.d.Sessions.GetString(ctx, calendarViewKey) != c.View {
			h.d.Sessions.Put(ctx, calendarViewKey, c.View)
		}
	case "":
		c.View = h.d.Sessions.GetString(ctx, calendarViewKey)
		if c.View != viewWeek && c.View != viewList {
			c.View = viewMonth
		}
	default:
		pr.Add("view", "%q is not a view: choose month, week or list", c.View)
		c.View = viewMonth
	}
	switch c.Color {
	case "account", "label":
		if h.d.Sessions.GetString(ctx, calendarColorKey) != c.Color {
			h.d.Sessions.Put(ctx, calendarColorKey, c.Color)
		}
	case "":
		if c.Color = h.d.Sessions.GetString(ctx, calendarColorKey); c.Color != "label" {
			c.Color = "account"
		}
	default:
		pr.Add("color", "%q is not a colouring: choose account or label", c.Color)
		c.Color = "account"
	}
	n := now.In(loc)
	c.Date = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	if v := strings.TrimSpace(q.Get("date")); v != "" {
		d, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil || d.Year() < 1970 || d.Year() > 9999 {
			pr.Add("date", "%q is not a date such as 2026-03-31", v)
		} else {
			c.Date = d
		}
	}
	c.Filter.AccountID = positiveID(q, "account", &pr)
	c.Filter.LabelID = positiveID(q, "label", &pr)
	c.Filter.CampaignID = positiveID(q, "campaign", &pr)
	for _, s := range q["state"] {
		if s == "" {
			continue
		}
		st := herald.TargetState(s)
		if !st.Valid() {
			pr.Add("state", "%q is not a state", s)
			continue
		}
		if !slices.Contains(c.Filter.States, st) {
			c.Filter.States = append(c.Filter.States, st)
		}
	}
	return c, pr.Err("the calendar address is not valid")
}

// query is c as the page's URL query.
func (c calendarQuery) query() url.Values {
	q := url.Values{}
	q.Set("view", c.View)
	q.Set("date", c.Date.Format(time.DateOnly))
	if c.Filter.AccountID != 0 {
		q.Set("account", itoa(c.Filter.AccountID))
	}
	if c.Filter.LabelID != 0 {
		q.Set("label", itoa(c.Filter.LabelID))
	}
	if c.Filter.CampaignID != 0 {
		q.Set("campaign", itoa(c.Filter.CampaignID))
	}
	for _, s := range c.Filter.States {
		q.Add("state", string(s))
	}
	return q
}

// with is the page's query with key set to value.
func with(q url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	out.Set(key, value)
	return out
}
