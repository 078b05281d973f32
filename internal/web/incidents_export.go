package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"time"

	"github.com/heraldsocial/herald/internal/postcsv"
)

// incidentCSV downloads an incident's log: a row for the incident itself,
// then every timeline entry, oldest first, with the time in the
// workspace's zone and UTC, the kind, who and what.
func (h *Handler) incidentCSV(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "incident", "incident")
	if err != nil {
		return err
	}
	in, events, err := h.d.Crisis.Incident(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	if ms, err := h.d.Workspaces.ListMembers(r.Context(), p.Actor); err == nil {
		for _, m := range ms {
			names[m.UserID] = m.Name
			if m.Name == "" {
				names[m.UserID] = m.Email
			}
		}
	}
	loc := p.location()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="incident-%d-%s.csv"`, in.ID,
		in.OpenedAt.In(loc).Format("20060102")))
	cw := csv.NewWriter(w)
	row := func(at time.Time, kind, who, message string) {
		// A cell starting with = + - @ would be a formula in a spreadsheet.
		_ = cw.Write([]string{at.In(loc).Format("2006-01-02 15:04:05"), at.UTC().Format(time.RFC3339), kind, postcsv.Neutralise(who), postcsv.Neutralise(message)})
	}
	_ = cw.Write([]string{"time (" + loc.String() + ")", "time (UTC)", "kind", "who", "what"})
	title := in.Title
	if in.Drill {
		title += " (drill)"
	}
	row(in.OpenedAt, "opened", "Herald", title+": "+in.Why)
	for _, e := range events {
		who := "Herald"
		if e.ActorID != 0 {
			if who = names[e.ActorID]; who == "" {
				who = fmt.Sprintf("member %d", e.ActorID)
			}
		}
		row(e.At, string(e.Kind), who, e.Message)
	}
	cw.Flush()
	return cw.Error()
}
