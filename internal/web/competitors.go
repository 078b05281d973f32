package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/competitor"
	"github.com/heraldsocial/herald/internal/herald"
)

// competitorRoutes registers the competitors page under listening: the
// comparison, share of voice, and the forms that add, edit and remove
// competitors and set the own brand's topic. They answer not found while
// the server has no competitor service.
func (h *Handler) competitorRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/listen/competitors", h.inWorkspace(h.competing(h.competitorsPage)))
	m.Handle("GET /w/{ws}/listen/competitors.csv", h.inWorkspace(h.competing(h.competitorsCSV)))
	m.Handle("POST /w/{ws}/listen/competitors/new", h.inWorkspace(h.competing(h.competitorCreate)))
	m.Handle("POST /w/{ws}/listen/competitors/settings", h.inWorkspace(h.competing(h.competitorSettings)))
	m.Handle("GET /w/{ws}/listen/competitors/{competitor}/edit", h.inWorkspace(h.competing(h.competitorEdit)))
	m.Handle("POST /w/{ws}/listen/competitors/{competitor}/edit", h.inWorkspace(h.competing(h.competitorUpdate)))
	m.Handle("POST /w/{ws}/listen/competitors/{competitor}/delete", h.inWorkspace(h.competing(h.competitorDelete)))
}

// competing serves fn when competitor tracking is on.
func (h *Handler) competing(fn workspaceFunc) workspaceFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		if h.d.Competitors == nil {
			return herald.Errorf(herald.CodeNotFound, "competitor tracking is not set up on this server")
		}
		return fn(w, r, p)
	}
}

// competitorsURL is the competitors page; competitorURL a competitor's
// edit or delete address.
func competitorsURL(ws int64) string { return wsURL(ws) + "listen/competitors" }

func competitorURL(ws, id int64, verb string) string {
	return competitorsURL(ws) + "/" + itoa(id) + "/" + verb
}

// competitorPeriods are the page's periods in days.
var competitorPeriods = []int{7, 30, 90}

// competitorRows is how many account rows the form offers beyond those
// filled in.
const competitorRows = 3

// competitorRow is one account row of the form.
type competitorRow struct {
	Platform string
	Handle   string
}

// competitorForm is the add or edit form (ID 0: add).
type competitorForm struct {
	ID      int64
	Name    string
	TopicID int64
	Rows    []competitorRow
	Err     *herald.Error
}

// competitorsData is the page.
type competitorsData struct {
	Days        int
	Competitors []herald.Competitor
	Topics      []herald.ListenTopic
	Settings    herald.CompetitorSettings
	Compare     competitor.Comparison
	Voice       competitor.ShareOfVoice
	Platforms   []herald.Platform
	CanManage   bool
	Form        competitorForm
	SettingsErr *herald.Error
}

// competitorFormFrom reads the posted form: name, topic and the rows of
// platform and handle (rows with neither are left out).
func competitorFormFrom(r *http.Request) competitorForm {
	f := competitorForm{Name: r.PostFormValue("name")}
	f.TopicID, _ = strconv.ParseInt(r.PostFormValue("topic_id"), 10, 64)
	platforms, handles := r.PostForm["platform"], r.PostForm["handle"]
	for i := range max(len(platforms), len(handles)) {
		var row competitorRow
		if i < len(platforms) {
			row.Platform = strings.TrimSpace(platforms[i])
		}
		if i < len(handles) {
			row.Handle = handles[i]
		}
		if row.Platform == "" && strings.TrimSpace(row.Handle) == "" {
			continue
		}
		f.Rows = append(f.Rows, row)
	}
	return f
}

// input is the form as the service takes it.
func (f competitorForm) input() competitor.Input {
	in := competitor.Input{Name: f.Name, TopicID: f.TopicID}
	for _, row := range f.Rows {
		in.Accounts = append(in.Accounts, competitor.AccountInput{Platform: herald.Platform(row.Platform), Handle: row.Handle})
	}
	return in
}

// withBlankRows adds empty rows to fill in.
func (f competitorForm) withBlankRows() competitorForm {
	f.Rows = append(f.Rows[:len(f.Rows):len(f.Rows)], make([]competitorRow, competitorRows)...)
	return f
}

func competitorFormOf(c herald.Competitor) competitorForm {
	f := competitorForm{ID: c.ID, Name: c.Name, TopicID: c.TopicID}
	for _, a := range c.Accounts {
		f.Rows = append(f.Rows, competitorRow{Platform: string(a.Platform), Handle: a.Handle})
	}
	return f
}

// competitorDays reads ?days= (one of competitorPeriods; 30 otherwise).
func competitorDays(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("days"))
	for _, d := range competitorPeriods {
		if d == n {
			return n
		}
	}
	return 30
}

// competitorPeriod is the last days UTC days, today included.
func competitorPeriod(days int) (from, to time.Time) {
	to = herald.ListenDay(time.Now()).Add(24 * time.Hour)
	return to.AddDate(0, 0, -days), to
}

// competitorsCSV downloads the page's comparison and share of voice for
// its period (?days=) as CSV.
func (h *Handler) competitorsCSV(w http.ResponseWriter, r *http.Request, p *page) error {
	from, to := competitorPeriod(competitorDays(r))
	c, err := h.d.Competitors.Compare(r.Context(), p.Actor, from, to)
	if err != nil {
		return err
	}
	v, err := h.d.Competitors.ShareOfVoice(r.Context(), p.Actor, from, to)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="competitors-%s-%s.csv"`,
		from.Format("20060102"), to.AddDate(0, 0, -1).Format("20060102")))
	return competitor.WriteCSV(w, c, v)
}

// load fills the page's figures for the last d.Days UTC days, today
// included.
func (h *Handler) loadCompetitors(r *http.Request, p *page, d *competitorsData) error {
	ctx := r.Context()
	svc := h.d.Competitors
	var err error
	if d.Competitors, err = svc.List(ctx, p.Actor); err != nil {
		return err
	}
	if d.Settings, err = svc.Settings(ctx, p.Actor); err != nil {
		return err
	}
	if h.d.Listen != nil {
		if d.Topics, err = h.d.Listen.Topics(ctx, p.Actor); err != nil {
			return err
		}
	}
	from, to := competitorPeriod(d.Days)
	if d.Compare, err = svc.Compare(ctx, p.Actor, from, to); err != nil {
		return err
	}
	if d.Voice, err = svc.ShareOfVoice(ctx, p.Actor, from, to); err != nil {
		return err
	}
	d.Platforms = svc.Platforms()
	d.CanManage = p.Actor.Require(herald.ActListenManage) == nil
	return nil
}

func (h *Handler) renderCompetitors(w http.ResponseWriter, r *http.Request, p *page, status int, d competitorsData) error {
	if d.Days == 0 {
		d.Days = competitorDays(r)
	}
	if err := h.loadCompetitors(r, p, &d); err != nil {
		return err
	}
	d.Form = d.Form.withBlankRows()
	p.Title = "Competitors"
	h.render(w, r, status, competitorsPage(p, d))
	return nil
}

func (h *Handler) competitorsPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderCompetitors(w, r, p, http.StatusOK, competitorsData{})
}

func (h *Handler) competitorCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	f := competitorFormFrom(r)
	c, err := h.d.Competitors.Create(r.Context(), p.Actor, f.input())
	if err != nil {
		if f.Err, err = competitorRefusal(err); err != nil {
			return err
		}
		return h.renderCompetitors(w, r, p, statusOf(f.Err), competitorsData{Form: f})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Added the competitor “%s”. Its accounts are read once a day.", c.Name))
	http.Redirect(w, r, competitorsURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// competitorRefusal is refusal that also shows a platform that did not
// answer on the form.
func competitorRefusal(err error) (*herald.Error, error) {
	he := publicError(err)
	if he.Code == herald.CodeUnavailable {
		return he, nil
	}
	return refusal(err)
}

func (h *Handler) competitorSettings(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	id, perr := strconv.ParseInt(r.PostFormValue("own_topic_id"), 10, 64)
	if perr != nil {
		he := &herald.Error{Code: herald.CodeInvalid, Message: "choose a listening topic, or none",
			Details: []herald.FieldProblem{{Field: "own_topic_id", Problem: "is not a topic"}}}
		return h.renderCompetitors(w, r, p, statusOf(he), competitorsData{SettingsErr: he})
	}
	if _, err := h.d.Competitors.SetOwnTopic(r.Context(), p.Actor, id); err != nil {
		he, err := refusal(err)
		if err != nil {
			return err
		}
		return h.renderCompetitors(w, r, p, statusOf(he), competitorsData{SettingsErr: he})
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Saved the topic that counts your brand's mentions.")
	http.Redirect(w, r, competitorsURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// competitorFormData is the edit page.
type competitorFormData struct {
	Form      competitorForm
	Topics    []herald.ListenTopic
	Platforms []herald.Platform
}

func (h *Handler) renderCompetitorForm(w http.ResponseWriter, r *http.Request, p *page, status int, f competitorForm) error {
	d := competitorFormData{Form: f.withBlankRows(), Platforms: h.d.Competitors.Platforms()}
	if h.d.Listen != nil {
		var err error
		if d.Topics, err = h.d.Listen.Topics(r.Context(), p.Actor); err != nil {
			return err
		}
	}
	p.Title = "Edit competitor"
	h.render(w, r, status, competitorFormPage(p, d))
	return nil
}

func (h *Handler) competitorEdit(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	id, err := pathID(r, "competitor", "competitor")
	if err != nil {
		return err
	}
	c, err := h.d.Competitors.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	return h.renderCompetitorForm(w, r, p, http.StatusOK, competitorFormOf(c))
}

func (h *Handler) competitorUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	id, err := pathID(r, "competitor", "competitor")
	if err != nil {
		return err
	}
	f := competitorFormFrom(r)
	f.ID = id
	c, err := h.d.Competitors.Update(r.Context(), p.Actor, id, f.input())
	if err != nil {
		if f.Err, err = competitorRefusal(err); err != nil {
			return err
		}
		return h.renderCompetitorForm(w, r, p, statusOf(f.Err), f)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the competitor “%s”.", c.Name))
	http.Redirect(w, r, competitorsURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) competitorDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	id, err := pathID(r, "competitor", "competitor")
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, err := h.d.Competitors.Get(ctx, p.Actor, id)
	if err != nil {
		return err
	}
	if err := h.d.Competitors.Delete(ctx, p.Actor, id); err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, fmt.Sprintf("Removed the competitor “%s” and its history.", c.Name))
	http.Redirect(w, r, competitorsURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// voiceChart is the share-of-voice chart's data: per brand, its share of
// each day's mentions in percent (null on days without any mention).
type voiceChart struct {
	Days   []int64      `json:"days"` // Unix seconds, UTC midnights
	Brands []voiceSerie `json:"brands"`
}

type voiceSerie struct {
	Label   string     `json:"label"`
	Percent []*float64 `json:"percent"`
}

func voiceChartOf(v competitor.ShareOfVoice) voiceChart {
	c := voiceChart{Days: []int64{}, Brands: []voiceSerie{}}
	for _, d := range v.Days {
		c.Days = append(c.Days, d.Day.Unix())
	}
	for i, b := range v.Brands {
		s := voiceSerie{Label: b.Name, Percent: []*float64{}}
		for _, d := range v.Days {
			if d.NoMentions {
				s.Percent = append(s.Percent, nil)
				continue
			}
			pc := d.Shares[i].Percent
			s.Percent = append(s.Percent, &pc)
		}
		c.Brands = append(c.Brands, s)
	}
	return c
}

// compCount shows a count, "–" for -1 (not given).
func compCount(n int64) string {
	if n < 0 {
		return "–"
	}
	return strconv.FormatInt(n, 10)
}

// compSigned shows a change with its sign.
func compSigned(n int64) string {
	if n > 0 {
		return "+" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// compAvg shows an average with one decimal, "–" for -1 (not known).
func compAvg(v float64) string {
	if v < 0 {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// topicName names a topic by id, "" for none.
func topicName(ts []herald.ListenTopic, id int64) string {
	for _, t := range ts {
		if t.ID == id {
			return t.Name
		}
	}
	if id != 0 {
		return "topic " + itoa(id)
	}
	return ""
}

// joinNames lists names for a sentence.
func joinNames(names []string) string { return strings.Join(names, ", ") }

// voiceTotal is every brand's mentions over the period.
func voiceTotal(v competitor.ShareOfVoice) int {
	n := 0
	for _, d := range v.Days {
		n += d.Total
	}
	return n
}

// hasPlatform reports whether p is one of ps.
func hasPlatform(ps []herald.Platform, p string) bool {
	for _, x := range ps {
		if string(x) == p {
			return true
		}
	}
	return false
}
