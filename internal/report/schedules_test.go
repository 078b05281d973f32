package report_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/mail"
	"github.com/heraldsocial/herald/internal/mail/mailtest"
	"github.com/heraldsocial/herald/internal/report"
	"github.com/heraldsocial/herald/internal/teststore"
)

// The schedules' tests send through a real SMTP server (Mailpit, from
// mailtest) and read what it received. The workspace is in Paris, and its
// weeks straddle the change to summer time (Sunday 29 March 2026), so a
// Monday 08:00 is 07:00 UTC before it and 06:00 UTC after.

// waitMail bounds the wait for a sent report to be stored by Mailpit.
const waitMail = 10 * time.Second

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// inParis is a time of 2026 on Paris's clocks.
func inParis(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, paris)
}

// utc is a time of 2026 in UTC, as the stores return them.
func utc(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
}

// testClock is a clock the tests set.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.UTC()
}

// world is a workspace in Paris with a member of each role, an account and
// a campaign, and another workspace with its own.
type world struct {
	st        herald.Store
	clock     *testClock
	analytics *analytics.Service
	logger    *slog.Logger

	ws, other       herald.Workspace
	members         map[herald.Role]herald.User
	otherOwner      herald.User
	acct, otherAcct herald.Account
	camp, otherCamp herald.Campaign
	ids             int // users made so far, for unique e-mails
}

// roles are the roles the tests act as.
var roles = []herald.Role{herald.RoleOwner, herald.RoleManager, herald.RoleEditor, herald.RoleContributor,
	herald.RoleAnalyst, herald.RoleClient}

// newWorld stores the workspaces; the clock starts on Wednesday 25 March
// 2026 at 10:00 in Paris.
func newWorld(t *testing.T, st herald.Store) *world {
	t.Helper()
	w := &world{st: st, clock: &testClock{}, members: map[herald.Role]herald.User{},
		logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}
	w.clock.Set(inParis(time.March, 25, 10, 0))
	w.analytics = analytics.New(st, w.clock)
	w.ws = w.workspace(t, "Acme Bakery")
	for _, r := range roles {
		w.members[r] = w.member(t, w.ws, r)
	}
	w.other = w.workspace(t, "Other Shop")
	w.otherOwner = w.member(t, w.other, herald.RoleOwner)
	w.acct, w.camp = w.accountAndCampaign(t, w.ws, "@acme", "Spring launch")
	w.otherAcct, w.otherCamp = w.accountAndCampaign(t, w.other, "@other", "Their launch")
	return w
}

func (w *world) workspace(t *testing.T, name string) herald.Workspace {
	t.Helper()
	ws := herald.Workspace{Name: name, TimeZone: "Europe/Paris"}
	must(t, w.st.CreateWorkspace(t.Context(), &ws))
	return ws
}

func (w *world) member(t *testing.T, ws herald.Workspace, r herald.Role) herald.User {
	t.Helper()
	w.ids++
	u := herald.User{Email: string(r) + "-" + strconv.Itoa(w.ids) + "@example.com", Name: string(r)}
	must(t, w.st.CreateUser(t.Context(), &u))
	must(t, w.st.AddMember(t.Context(), &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: r, CreatedAt: w.clock.Now()}))
	return u
}

func (w *world) accountAndCampaign(t *testing.T, ws herald.Workspace, handle, campaign string) (herald.Account, herald.Campaign) {
	t.Helper()
	now := w.clock.Now()
	a := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: handle, Handle: handle,
		Status: herald.AccountConnected, Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte(`{}`)},
		CreatedAt: now, UpdatedAt: now}
	must(t, w.st.CreateAccount(t.Context(), &a))
	c := herald.Campaign{WorkspaceID: ws.ID, Name: campaign, CreatedAt: now, UpdatedAt: now}
	must(t, w.st.CreateCampaign(t.Context(), &c))
	return a, c
}

// actor is a member of the workspace acting with role r.
func (w *world) actor(r herald.Role) herald.Actor {
	return herald.Actor{WorkspaceID: w.ws.ID, UserID: w.members[r].ID, Role: r}
}

// outsider is the other workspace's owner.
func (w *world) outsider() herald.Actor {
	return herald.Actor{WorkspaceID: w.other.ID, UserID: w.otherOwner.ID, Role: herald.RoleOwner}
}

// service is a report service on the world's store sending through
// sender; each call is another instance.
func (w *world) service(sender report.Sender) *report.Service {
	return report.NewService(w.st, w.analytics, sender, w.clock, w.logger)
}

// publish stores a post titled title, published on the workspace's
// account at at, counted an hour later with likes likes; campaign 0 is
// none.
func (w *world) publish(t *testing.T, title string, at time.Time, likes int64, campaign int64) {
	t.Helper()
	ctx := t.Context()
	at = at.UTC()
	p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.members[herald.RoleOwner].ID, Title: title, Text: title,
		Targets: []herald.Target{{AccountID: w.acct.ID, State: herald.StatePublished, ScheduledAt: &at, PublishedAt: &at,
			RemoteID: "r-" + title}}}
	if campaign != 0 {
		p.CampaignID = &campaign
	}
	must(t, w.st.CreatePost(ctx, &p))
	must(t, w.st.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: w.ws.ID, TargetID: p.Targets[0].ID,
		At: at.Add(time.Hour), Likes: likes, Reposts: 1, Replies: 1, Quotes: -1, Impressions: -1}}))
}

// weekly is a weekly schedule of the whole workspace to two people.
func weekly(name string) herald.ReportSchedule {
	return herald.ReportSchedule{Name: name, Every: herald.ReportWeekly,
		Recipients: []string{"ana@example.com", "ben@example.org"}}
}

// smtpSender sends to mp in plain text (allowed: it is on 127.0.0.1).
func smtpSender(t *testing.T, mp *mailtest.Server) *mail.Sender {
	t.Helper()
	return mustSender(t, mail.Config{Host: mp.Host, Port: mp.Port, From: "Herald Reports <reports@herald.test>", TLS: mail.TLSNone})
}

// closedSender sends to a port of 127.0.0.1 nothing listens on; it
// returns the sender and the address its errors name.
func closedSender(t *testing.T) (*mail.Sender, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	port, _ := strconv.Atoi(addr[strings.LastIndex(addr, ":")+1:])
	return mustSender(t, mail.Config{Host: "127.0.0.1", Port: port, From: "reports@herald.test", TLS: mail.TLSNone}), addr
}

func mustSender(t *testing.T, cfg mail.Config) *mail.Sender {
	t.Helper()
	s, err := mail.New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mustCreate creates r as the owner.
func (w *world) mustCreate(t *testing.T, svc *report.Service, r herald.ReportSchedule) herald.ReportSchedule {
	t.Helper()
	got, err := svc.Create(t.Context(), w.actor(herald.RoleOwner), r)
	if err != nil {
		t.Fatalf("Create(%+v): %v", r, err)
	}
	return got
}

// stored is the schedule id as the store has it.
func (w *world) stored(t *testing.T, id int64) herald.ReportSchedule {
	t.Helper()
	r, err := w.st.GetReportSchedule(t.Context(), w.ws.ID, id)
	must(t, err)
	return r
}

// runs are the schedule's runs, newest first, as an analyst reads them.
func (w *world) runs(t *testing.T, svc *report.Service, id int64) []herald.ReportRun {
	t.Helper()
	runs, err := svc.Runs(t.Context(), w.actor(herald.RoleAnalyst), id, 50)
	if err != nil {
		t.Fatalf("Runs(%d): %v", id, err)
	}
	return runs
}

// sendDue runs the send_reports job's work once, wanting sent reports and
// no error.
func sendDue(t *testing.T, svc *report.Service, want int) {
	t.Helper()
	n, err := svc.SendDue(t.Context())
	if err != nil || n != want {
		t.Fatalf("SendDue = %d, %v; want %d, nil", n, err, want)
	}
}

// fields is the fields an invalid error names.
func fields(err error) []string {
	var e *herald.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, d := range e.Details {
		out = append(out, d.Field)
	}
	return out
}

var (
	flateRE = regexp.MustCompile(`/Filter /FlateDecode /Length (\d+)>>\nstream\n`)
	showRE  = regexp.MustCompile(`\(((?:[^\\()]|\\.)*)\)Tj`)
)

// pdfText is the text a PDF shows (ASCII only; other letters are in
// cp1252), read from its compressed page streams.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var b strings.Builder
	for _, m := range flateRE.FindAllSubmatchIndex(pdf, -1) {
		n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		if m[1]+n > len(pdf) {
			t.Fatalf("a stream of %d bytes runs past the end of the PDF", n)
		}
		zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
		if err != nil {
			t.Fatalf("a page stream is not zlib: %v", err)
		}
		page, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("inflating a page stream: %v", err)
		}
		for _, s := range showRE.FindAllSubmatch(page, -1) {
			b.WriteString(strings.NewReplacer(`\\`, `\`, `\(`, `(`, `\)`, `)`).Replace(string(s[1])))
			b.WriteByte('\n')
		}
	}
	if b.Len() == 0 {
		t.Fatal("no text in the PDF's page streams")
	}
	return b.String()
}

// onlyMessage is the one message Mailpit holds, failing t if it holds
// another number.
func onlyMessage(t *testing.T, mp *mailtest.Server) mailtest.Message {
	t.Helper()
	got := mp.WaitMessages(t, 1, waitMail)
	if len(got) != 1 {
		t.Fatalf("mailpit holds %d messages, want 1", len(got))
	}
	return got[0]
}

// checkReport checks a report e-mail: to both recipients of weekly, its
// subject naming the workspace, the schedule and the period, a PDF
// attached; it returns the PDF's text.
func checkReport(t *testing.T, m mailtest.Message, schedule, from, to string) string {
	t.Helper()
	var rcpt []string
	for _, a := range m.To {
		rcpt = append(rcpt, a.Address)
	}
	if !slices.Equal(rcpt, []string{"ana@example.com", "ben@example.org"}) {
		t.Errorf("To = %v, want ana@example.com and ben@example.org in one message", rcpt)
	}
	if m.From.Address != "reports@herald.test" {
		t.Errorf("From = %+v", m.From)
	}
	for _, want := range []string{"Acme Bakery", schedule, from, to} {
		if !strings.Contains(m.Subject, want) {
			t.Errorf("subject %q does not name %q", m.Subject, want)
		}
	}
	if !strings.Contains(m.Text, schedule) || !strings.Contains(m.Text, from+" to "+to) {
		t.Errorf("text %q does not name the schedule and the period", m.Text)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("attachments = %d, want the PDF", len(m.Attachments))
	}
	a := m.Attachments[0]
	if a.ContentType != "application/pdf" || !strings.HasSuffix(a.FileName, "-"+from+"-"+to+".pdf") ||
		!strings.HasPrefix(a.FileName, "acme-bakery-") {
		t.Errorf("attachment %q (%s), want acme-bakery-%s-%s.pdf (application/pdf)", a.FileName, a.ContentType, from, to)
	}
	if !bytes.HasPrefix(a.Data, []byte("%PDF-")) {
		t.Fatalf("the attachment starts %q, not %%PDF-", a.Data[:min(len(a.Data), 16)])
	}
	return pdfText(t, a.Data)
}

// checkRun checks a finished run.
func checkRun(t *testing.T, run herald.ReportRun, state herald.ReportRunState, from, to string) {
	t.Helper()
	if run.State != state || run.From != from || run.To != to || run.Recipients != 2 || run.FinishedAt == nil {
		t.Errorf("run = %+v, want %s for %s to %s, 2 recipients, finished", run, state, from, to)
	}
	if state == herald.ReportSent && run.Error != "" {
		t.Errorf("a sent run has the error %q", run.Error)
	}
}

// TestScheduleRefusals: no schedule without e-mail, or by a role that may
// not manage reports, or naming what is not the workspace's.
func TestScheduleRefusals(t *testing.T) {
	t.Parallel()
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := newWorld(t, st)

		off := w.service(mustSender(t, mail.Config{}))
		_, err := off.Create(ctx, w.actor(herald.RoleOwner), weekly("Weekly digest"))
		if herald.ErrorCode(err) != herald.CodeInvalid || !strings.Contains(err.Error(), "HERALD_SMTP_HOST") {
			t.Fatalf("Create without e-mail = %v, want invalid naming HERALD_SMTP_HOST", err)
		}
		if _, err := off.SendNow(ctx, w.actor(herald.RoleOwner), 1); herald.ErrorCode(err) != herald.CodeInvalid ||
			!strings.Contains(err.Error(), "HERALD_SMTP_HOST") {
			t.Fatalf("SendNow without e-mail = %v, want invalid naming HERALD_SMTP_HOST", err)
		}

		sender, _ := closedSender(t) // enabled; nothing here sends
		svc := w.service(sender)
		for _, r := range []herald.Role{herald.RoleEditor, herald.RoleContributor, herald.RoleAnalyst, herald.RoleClient} {
			if _, err := svc.Create(ctx, w.actor(r), weekly("By "+string(r))); herald.ErrorCode(err) != herald.CodeForbidden ||
				!strings.Contains(err.Error(), string(herald.ActReportsManage)) {
				t.Errorf("Create as %s = %v, want forbidden naming %s", r, err, herald.ActReportsManage)
			}
		}
		r, err := svc.Create(ctx, w.actor(herald.RoleManager), weekly("Weekly digest"))
		if err != nil || r.ID == 0 || r.WorkspaceID != w.ws.ID || r.CreatedBy != w.members[herald.RoleManager].ID {
			t.Fatalf("Create as manager = %+v, %v", r, err)
		}
		for _, role := range []herald.Role{herald.RoleContributor, herald.RoleAnalyst} {
			if _, err := svc.SendNow(ctx, w.actor(role), r.ID); herald.ErrorCode(err) != herald.CodeForbidden {
				t.Errorf("SendNow as %s = %v, want forbidden", role, err)
			}
			if err := svc.Delete(ctx, w.actor(role), r.ID); herald.ErrorCode(err) != herald.CodeForbidden {
				t.Errorf("Delete as %s = %v, want forbidden", role, err)
			}
		}
		// Analysts read them; contributors do not read analytics.
		list, err := svc.List(ctx, w.actor(herald.RoleAnalyst))
		if err != nil || len(list) != 1 || list[0].ID != r.ID {
			t.Fatalf("List as analyst = %+v, %v; want the manager's schedule", list, err)
		}
		if runs, err := svc.Runs(ctx, w.actor(herald.RoleAnalyst), r.ID, 10); err != nil || len(runs) != 0 {
			t.Fatalf("Runs as analyst = %+v, %v; want none yet", runs, err)
		}
		if _, err := svc.List(ctx, w.actor(herald.RoleContributor)); herald.ErrorCode(err) != herald.CodeForbidden {
			t.Errorf("List as contributor = %v, want forbidden", err)
		}

		with := func(change func(*herald.ReportSchedule)) herald.ReportSchedule {
			s := weekly("Invalid")
			change(&s)
			return s
		}
		tests := []struct {
			name  string
			r     herald.ReportSchedule
			field string
		}{
			{"bad recipient", with(func(s *herald.ReportSchedule) { s.Recipients = []string{"ana@example.com", "not an address"} }),
				"recipients[1]"},
			{"no recipient", with(func(s *herald.ReportSchedule) { s.Recipients = nil }), "recipients"},
			{"another workspace's account", with(func(s *herald.ReportSchedule) { s.AccountID = w.otherAcct.ID }), "account_id"},
			{"an account that does not exist", with(func(s *herald.ReportSchedule) { s.AccountID = w.otherAcct.ID + 1000 }),
				"account_id"},
			{"another workspace's campaign", with(func(s *herald.ReportSchedule) { s.CampaignID = w.otherCamp.ID }), "campaign_id"},
			{"daily", with(func(s *herald.ReportSchedule) { s.Every = "daily" }), "every"},
		}
		for _, tt := range tests {
			_, err := svc.Create(ctx, w.actor(herald.RoleOwner), tt.r)
			if herald.ErrorCode(err) != herald.CodeInvalid || !slices.Equal(fields(err), []string{tt.field}) {
				t.Errorf("%s: Create = %v, want invalid naming %s", tt.name, err, tt.field)
			}
		}
		if list, err := svc.List(ctx, w.actor(herald.RoleOwner)); err != nil || len(list) != 1 {
			t.Errorf("after the refusals the workspace has %d schedules (%v), want the manager's only", len(list), err)
		}
		if n, err := off.SendDue(ctx); n != 0 || err != nil {
			t.Errorf("SendDue without e-mail = %d, %v; want 0, nil", n, err)
		}
	})
}

// TestScheduleWeekly sends a weekly report on the Monday after it is
// created, once however many instances run the job.
func TestScheduleWeekly(t *testing.T) {
	t.Parallel()
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		mp := mailtest.Start(t)
		sender := smtpSender(t, mp)
		svc := w.service(sender)

		r := w.mustCreate(t, svc, weekly("Weekly digest"))
		// Wednesday 25 March → Monday 30 March, 08:00 summer time.
		if want := utc(time.March, 30, 6); !r.NextRunAt.Equal(want) || !w.stored(t, r.ID).NextRunAt.Equal(want) {
			t.Fatalf("NextRunAt = %s (stored %s), want %s (Monday 08:00 in Paris)", r.NextRunAt, w.stored(t, r.ID).NextRunAt, want)
		}

		w.publish(t, "Friday before", inParis(time.March, 20, 12, 0), 50, 0) // the week before the report's
		w.publish(t, "Tuesday tip", inParis(time.March, 24, 9, 30), 12, 0)
		w.publish(t, "Sunday recap", inParis(time.March, 29, 21, 0), 4, 0)
		w.publish(t, "Monday early", inParis(time.March, 30, 7, 30), 40, 0) // the report's day, not its week

		w.clock.Set(inParis(time.March, 30, 7, 59))
		sendDue(t, svc, 0)
		if n := len(mp.Messages(t)); n != 0 {
			t.Fatalf("%d messages before 08:00", n)
		}

		w.clock.Set(inParis(time.March, 30, 8, 3))
		sendDue(t, svc, 1)
		text := checkReport(t, onlyMessage(t, mp), "Weekly digest", "2026-03-23", "2026-03-29")
		for _, want := range []string{"Acme Bakery", "Analytics report", "Tuesday tip", "Sunday recap"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF does not show %q:\n%s", want, text)
			}
		}
		for _, not := range []string{"Friday before", "Monday early"} {
			if strings.Contains(text, not) {
				t.Errorf("the PDF shows %q, published outside the week", not)
			}
		}
		runs := w.runs(t, svc, r.ID)
		if len(runs) != 1 {
			t.Fatalf("runs = %+v, want one", runs)
		}
		checkRun(t, runs[0], herald.ReportSent, "2026-03-23", "2026-03-29")
		if !runs[0].At.Equal(w.clock.Now()) {
			t.Errorf("run at %s, want %s", runs[0].At, w.clock.Now())
		}
		if want := utc(time.April, 6, 6); !w.stored(t, r.ID).NextRunAt.Equal(want) {
			t.Fatalf("NextRunAt after the run = %s, want %s", w.stored(t, r.ID).NextRunAt, want)
		}

		// Again, and from another instance: nothing more.
		w.clock.Set(inParis(time.March, 30, 8, 4))
		sendDue(t, svc, 0)
		sendDue(t, w.service(sender), 0)
		if n := len(mp.Messages(t)); n != 1 {
			t.Fatalf("%d messages after the job ran again, want still 1", n)
		}
		if n := len(w.runs(t, svc, r.ID)); n != 1 {
			t.Fatalf("%d runs after the job ran again, want still 1", n)
		}

		// The next Monday, two instances at once: one report.
		w.clock.Set(inParis(time.April, 6, 8, 1))
		instances := []*report.Service{svc, w.service(sender), w.service(sender)}
		sent := make([]int, len(instances))
		errs := make([]error, len(instances))
		var wg sync.WaitGroup
		for i, s := range instances {
			wg.Go(func() { sent[i], errs[i] = s.SendDue(ctx) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil || sent[0]+sent[1]+sent[2] != 1 {
			t.Fatalf("three instances sent %v (%v), want one report between them", sent, err)
		}
		got := mp.WaitMessages(t, 2, waitMail)
		if len(got) != 2 {
			t.Fatalf("mailpit holds %d messages, want 2", len(got))
		}
		checkReport(t, got[0], "Weekly digest", "2026-03-30", "2026-04-05")
		runs = w.runs(t, svc, r.ID)
		if len(runs) != 2 {
			t.Fatalf("runs = %+v, want two", runs)
		}
		checkRun(t, runs[0], herald.ReportSent, "2026-03-30", "2026-04-05")
		if want := utc(time.April, 13, 6); !w.stored(t, r.ID).NextRunAt.Equal(want) {
			t.Fatalf("NextRunAt = %s, want %s", w.stored(t, r.ID).NextRunAt, want)
		}
	})
}

// TestScheduleServerDown: a report the SMTP server does not take is
// recorded as failed and waits for its next period, without retrying;
// "Send now" sends it once the server is back.
func TestScheduleServerDown(t *testing.T) {
	t.Parallel()
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		mp := mailtest.Start(t)
		svc := w.service(smtpSender(t, mp))
		r := w.mustCreate(t, svc, weekly("Weekly digest"))
		w.publish(t, "Tuesday tip", inParis(time.March, 24, 9, 30), 12, 0)

		mp.Stop()
		w.clock.Set(inParis(time.March, 30, 8, 3))
		start := time.Now()
		sendDue(t, svc, 0)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("SendDue took %s against a server that refuses connections", d)
		}
		runs := w.runs(t, svc, r.ID)
		if len(runs) != 1 {
			t.Fatalf("runs = %+v, want one", runs)
		}
		checkRun(t, runs[0], herald.ReportFailed, "2026-03-23", "2026-03-29")
		if addr := net.JoinHostPort(mp.Host, strconv.Itoa(mp.Port)); !strings.Contains(runs[0].Error, addr) {
			t.Errorf("the run's error %q does not name %s", runs[0].Error, addr)
		}
		next := utc(time.April, 6, 6)
		if got := w.stored(t, r.ID).NextRunAt; !got.Equal(next) {
			t.Fatalf("NextRunAt after a failed run = %s, want the next Monday %s", got, next)
		}
		// No retry storm: later runs of the job leave it be.
		for _, minute := range []int{4, 10, 30} {
			w.clock.Set(inParis(time.March, 30, 8, minute))
			sendDue(t, svc, 0)
		}
		if n := len(w.runs(t, svc, r.ID)); n != 1 {
			t.Fatalf("%d runs after the job ran again, want the failed one only", n)
		}

		mp.Restart(t)
		w.clock.Set(inParis(time.March, 30, 9, 15))
		run, err := svc.SendNow(ctx, w.actor(herald.RoleManager), r.ID)
		if err != nil {
			t.Fatalf("SendNow: %v", err)
		}
		checkRun(t, run, herald.ReportSent, "2026-03-23", "2026-03-29")
		text := checkReport(t, onlyMessage(t, mp), "Weekly digest", "2026-03-23", "2026-03-29")
		if !strings.Contains(text, "Tuesday tip") {
			t.Errorf("the PDF does not show the week's post:\n%s", text)
		}
		if got := w.stored(t, r.ID).NextRunAt; !got.Equal(next) {
			t.Errorf("SendNow moved NextRunAt to %s; want it left at %s", got, next)
		}
		runs = w.runs(t, svc, r.ID)
		if len(runs) != 2 || runs[0].ID != run.ID || runs[1].State != herald.ReportFailed {
			t.Fatalf("runs = %+v, want the sent one, then the failed one", runs)
		}
		checkRun(t, runs[0], herald.ReportSent, "2026-03-23", "2026-03-29")
		sendDue(t, svc, 0)
		if n := len(mp.Messages(t)); n != 1 {
			t.Errorf("%d messages after SendNow and the job, want 1", n)
		}
	})
}

// TestSendNowTakesTheDueRun: "Send now" after the schedule's run fell due
// but before the job took it is that run: the period goes out once, the
// schedule moves on, and the job finds nothing to send.
func TestSendNowTakesTheDueRun(t *testing.T) {
	t.Parallel()
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		mp := mailtest.Start(t)
		svc := w.service(smtpSender(t, mp))
		r := w.mustCreate(t, svc, weekly("Weekly digest"))
		w.publish(t, "Tuesday tip", inParis(time.March, 24, 9, 30), 12, 0)
		// Due Monday 30 March 08:00; the job has not run yet at 08:00:30.
		w.clock.Set(inParis(time.March, 30, 8, 0).Add(30 * time.Second))
		run, err := svc.SendNow(ctx, w.actor(herald.RoleManager), r.ID)
		if err != nil {
			t.Fatalf("SendNow: %v", err)
		}
		checkRun(t, run, herald.ReportSent, "2026-03-23", "2026-03-29")
		if want := utc(time.April, 6, 6); !w.stored(t, r.ID).NextRunAt.Equal(want) {
			t.Fatalf("NextRunAt after sending the due run by hand = %s, want the next Monday %s", w.stored(t, r.ID).NextRunAt, want)
		}
		w.clock.Set(inParis(time.March, 30, 8, 1))
		sendDue(t, svc, 0)
		if n := len(mp.Messages(t)); n != 1 {
			t.Fatalf("%d messages after SendNow and the job, want 1", n)
		}
		if n := len(w.runs(t, svc, r.ID)); n != 1 {
			t.Fatalf("%d runs, want 1", n)
		}
	})
}

// TestScheduleMonthlyCampaign: a monthly report of one campaign shows that
// campaign's posts of the month before, and no other.
func TestScheduleMonthlyCampaign(t *testing.T) {
	t.Parallel()
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		mp := mailtest.Start(t)
		svc := w.service(smtpSender(t, mp))
		s := weekly("Spring launch monthly")
		s.Every, s.CampaignID = herald.ReportMonthly, w.camp.ID
		r := w.mustCreate(t, svc, s)
		if want := utc(time.April, 1, 6); !r.NextRunAt.Equal(want) {
			t.Fatalf("NextRunAt = %s, want %s (1 April, 08:00 in Paris)", r.NextRunAt, want)
		}

		w.publish(t, "February teaser", inParis(time.February, 20, 10, 0), 30, w.camp.ID)
		w.publish(t, "Campaign kickoff", inParis(time.March, 2, 9, 0), 8, w.camp.ID)
		w.publish(t, "Campaign recipe", inParis(time.March, 26, 18, 0), 5, w.camp.ID)
		w.publish(t, "Unrelated tip", inParis(time.March, 12, 11, 0), 90, 0)
		w.publish(t, "April campaign", inParis(time.April, 1, 7, 0), 70, w.camp.ID)

		w.clock.Set(inParis(time.April, 1, 8, 3))
		sendDue(t, svc, 1)
		m := onlyMessage(t, mp)
		text := checkReport(t, m, "Spring launch monthly", "2026-03-01", "2026-03-31")
		if !strings.Contains(m.Text, "Campaign: Spring launch") {
			t.Errorf("text %q does not name the campaign", m.Text)
		}
		for _, want := range []string{"Campaign: Spring launch", "Campaign kickoff", "Campaign recipe"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF does not show %q:\n%s", want, text)
			}
		}
		for _, not := range []string{"Unrelated tip", "February teaser", "April campaign"} {
			if strings.Contains(text, not) {
				t.Errorf("the PDF shows %q, not the campaign's or not in March:\n%s", not, text)
			}
		}
		runs := w.runs(t, svc, r.ID)
		if len(runs) != 1 {
			t.Fatalf("runs = %+v, want one", runs)
		}
		checkRun(t, runs[0], herald.ReportSent, "2026-03-01", "2026-03-31")
		if want := utc(time.May, 1, 6); !w.stored(t, r.ID).NextRunAt.Equal(want) {
			t.Errorf("NextRunAt = %s, want %s", w.stored(t, r.ID).NextRunAt, want)
		}
	})
}

// TestScheduleDelete removes a schedule with its runs; another workspace
// can neither see nor delete it.
func TestScheduleDelete(t *testing.T) {
	t.Parallel()
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		sender, addr := closedSender(t)
		svc := w.service(sender)
		r := w.mustCreate(t, svc, weekly("Weekly digest"))
		theirs, err := svc.Create(ctx, w.outsider(), weekly("Their digest"))
		must(t, err)

		w.clock.Set(inParis(time.March, 30, 8, 3))
		sendDue(t, svc, 0) // both fail: nothing listens
		run, err := svc.SendNow(ctx, w.actor(herald.RoleOwner), r.ID)
		if err != nil || run.State != herald.ReportFailed || !strings.Contains(run.Error, addr) {
			t.Fatalf("SendNow to a closed port = %+v, %v; want a failed run naming %s", run, err, addr)
		}
		if n := len(w.runs(t, svc, r.ID)); n != 2 {
			t.Fatalf("%d runs, want 2", n)
		}

		out := w.outsider()
		if list, err := svc.List(ctx, out); err != nil || len(list) != 1 || list[0].ID != theirs.ID {
			t.Errorf("the other workspace lists %+v, %v; want its own schedule only", list, err)
		}
		if _, err := svc.Runs(ctx, out, r.ID, 10); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Errorf("Runs from the other workspace = %v, want not found", err)
		}
		if _, err := svc.SendNow(ctx, out, r.ID); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Errorf("SendNow from the other workspace = %v, want not found", err)
		}
		if err := svc.Delete(ctx, out, r.ID); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("Delete from the other workspace = %v, want not found", err)
		}
		if n := len(w.runs(t, svc, r.ID)); n != 2 {
			t.Fatalf("%d runs after the other workspace's Delete, want 2", n)
		}

		if err := svc.Delete(ctx, w.actor(herald.RoleManager), r.ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if list, err := svc.List(ctx, w.actor(herald.RoleOwner)); err != nil || len(list) != 0 {
			t.Errorf("List after Delete = %+v, %v; want none", list, err)
		}
		if _, err := svc.Runs(ctx, w.actor(herald.RoleOwner), r.ID, 10); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Errorf("Runs after Delete = %v, want not found", err)
		}
		if runs, err := st.ListReportRuns(ctx, w.ws.ID, r.ID, 10); err != nil || len(runs) != 0 {
			t.Errorf("the store still has runs %+v (%v) of the deleted schedule", runs, err)
		}
		if err := svc.Delete(ctx, w.actor(herald.RoleOwner), r.ID); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Errorf("Delete again = %v, want not found", err)
		}
		// The other workspace's schedule and run are untouched.
		if runs, err := svc.Runs(ctx, out, theirs.ID, 10); err != nil || len(runs) != 1 {
			t.Errorf("the other workspace's runs = %+v, %v; want its one", runs, err)
		}
	})
}

// brokenFinish is a store that cannot record how a run ended, as when the
// database goes away while a report is being sent.
type brokenFinish struct{ herald.Store }

func (brokenFinish) FinishReportRun(context.Context, int64, int64, herald.ReportRunState, string, time.Time) error {
	return errors.New("the database went away")
}

// staleRead is a store whose reads of a schedule are a week old: the
// schedule as it was just before the job moved it on.
type staleRead struct{ herald.Store }

func (s staleRead) GetReportSchedule(ctx context.Context, workspaceID, id int64) (herald.ReportSchedule, error) {
	r, err := s.Store.GetReportSchedule(ctx, workspaceID, id)
	r.NextRunAt = r.NextRunAt.AddDate(0, 0, -7)
	return r, err
}

// TestScheduleRecordKeeping: a report sent whose run cannot be recorded is
// the job's error (not lost), and a "Send now" that loses the run to the
// job says so rather than inventing a run.
func TestScheduleRecordKeeping(t *testing.T) {
	t.Parallel()
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		mp := mailtest.Start(t)
		sender := smtpSender(t, mp)
		r := w.mustCreate(t, w.service(sender), weekly("Weekly digest"))

		w.clock.Set(inParis(time.March, 30, 8, 3))
		broken := report.NewService(brokenFinish{st}, w.analytics, sender, w.clock, w.logger)
		n, err := broken.SendDue(ctx)
		if n != 1 || err == nil || !strings.Contains(err.Error(), "the database went away") {
			t.Fatalf("SendDue with a run it cannot finish = %d, %v; want 1 and the store's error", n, err)
		}
		checkReport(t, onlyMessage(t, mp), "Weekly digest", "2026-03-23", "2026-03-29")
		if got := w.stored(t, r.ID).NextRunAt; !got.Equal(utc(time.April, 6, 6)) {
			t.Errorf("NextRunAt = %s, want the next Monday: the report went out", got)
		}

		stale := report.NewService(staleRead{st}, w.analytics, sender, w.clock, w.logger)
		run, err := stale.SendNow(ctx, w.actor(herald.RoleOwner), r.ID)
		if herald.ErrorCode(err) != herald.CodeConflict {
			t.Fatalf("SendNow that lost the run to the job = %+v, %v; want a conflict", run, err)
		}
		if n := len(w.runs(t, w.service(sender), r.ID)); n != 1 {
			t.Errorf("%d runs, want the job's one", n)
		}
		if n := len(mp.Messages(t)); n != 1 {
			t.Errorf("%d messages, want the job's one", n)
		}
	})
}
