package report

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
)

// The tests' week: Mar 4 – Mar 10 2026 in Paris, compared with Feb 25 –
// Mar 3.
var (
	paris    = mustLoad("Europe/Paris")
	testNow  = time.Date(2026, 3, 10, 18, 30, 0, 0, paris)
	testWeek = analytics.Period{
		From: time.Date(2026, 3, 4, 0, 0, 0, 0, paris),
		To:   time.Date(2026, 3, 11, 0, 0, 0, 0, paris),
	}
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, paris).UTC() }

// handStats are a week of posts: Mastodon gives no quotes and no
// impressions, X everything but followers, one post is not measured yet,
// one day has no post and one belongs to the previous week.
func handStats() []herald.TargetStats {
	return []herald.TargetStats{
		{TargetID: 1, PostID: 1, AccountID: 10, Platform: herald.PlatformMastodon, PublishedAt: at(4, 9), Measured: true,
			Likes: 700, Reposts: 40, Replies: 60, Quotes: -1, Impressions: -1, Followers: 2000},
		{TargetID: 2, PostID: 2, AccountID: 11, Platform: herald.PlatformX, CampaignID: 7, LabelIDs: []int64{3}, PublishedAt: at(5, 12),
			Measured: true, Likes: 200, Reposts: 30, Replies: 20, Quotes: 10, Impressions: 9000, Followers: -1},
		{TargetID: 3, PostID: 3, AccountID: 10, Platform: herald.PlatformMastodon, PublishedAt: at(7, 18), Measured: true,
			Likes: 0, Reposts: 0, Replies: 0, Quotes: -1, Impressions: -1, Followers: 2010},
		{TargetID: 4, PostID: 4, AccountID: 10, Platform: herald.PlatformMastodon, PublishedAt: at(10, 8),
			Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Impressions: -1, Followers: 2020},
		{TargetID: 5, PostID: 5, AccountID: 10, Platform: herald.PlatformMastodon, PublishedAt: at(2, 12), Measured: true,
			Likes: 500, Reposts: 0, Replies: 0, Quotes: -1, Impressions: -1, Followers: 1900},
	}
}

// name gives the overview the names the analytics service would.
func name(o *analytics.Overview) {
	o.Zone = paris.String()
	accounts := map[string]string{"10": "@acme@mastodon.social", "11": "@acme"}
	for i := range o.ByAccount {
		o.ByAccount[i].Label = accounts[o.ByAccount[i].Key]
	}
	for i := range o.ByCampaign {
		o.ByCampaign[i].Label = map[string]string{"0": "No campaign", "7": "Spring launch"}[o.ByCampaign[i].Key]
	}
	for _, list := range [][]analytics.PostFigures{o.Top, o.Bottom} {
		for i := range list {
			list[i].Title = fmt.Sprintf("Post %d: la crème brûlée du printemps – €5 🍮", list[i].PostID)
			list[i].Account = accounts[strconv.FormatInt(list[i].AccountID, 10)]
		}
	}
	o.Growth = []analytics.Growth{
		{AccountID: 10, Account: "@acme@mastodon.social", Start: 1990, End: 2020, Change: 30, Known: true},
		{AccountID: 11, Account: "@acme", Start: 5000, End: 5000, Known: false},
	}
}

func handInput(tb testing.TB) Input {
	tb.Helper()
	o := analytics.Compute(handStats(), testWeek, paris, analytics.ByFollowers)
	name(&o)
	best := analytics.ComputeBestTimes(handStats(), paris, analytics.ByFollowers)
	return Input{Workspace: "Acme Bakery", Title: "Analytics report", Overview: o, Best: &best, Generated: testNow, Loc: paris}
}

// mustRender renders in without compression.
func mustRender(tb testing.TB, in Input) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := render(&b, in, false); err != nil {
		tb.Fatalf("render: %v", err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
		tb.Fatalf("output starts %q, not %%PDF-", b.Bytes()[:min(20, b.Len())])
	}
	return b.Bytes()
}

var (
	kidsRE     = regexp.MustCompile(`/Kids \[((?:\d+ 0 R )*)\]`)
	countRE    = regexp.MustCompile(`/Type /Pages\n/Kids [^\n]*\n/Count (\d+)`)
	objRE      = regexp.MustCompile(`(?m)^(\d+) 0 obj\n`)
	contentsRE = regexp.MustCompile(`/Contents (\d+) 0 R`)
	streamRE   = regexp.MustCompile(`<</Length (\d+)>>\nstream\n`)
	showRE     = regexp.MustCompile(`\(((?:[^\\()]|\\.)*)\)Tj`)
)

// pageTexts reads an uncompressed PDF's pages in order: per page, the
// strings it shows, decoded from cp1252, in the order they are drawn.
func pageTexts(tb testing.TB, pdf []byte) [][]string {
	tb.Helper()
	objects := map[string][]byte{}
	locs := objRE.FindAllSubmatchIndex(pdf, -1)
	for i, l := range locs {
		end := len(pdf)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		objects[string(pdf[l[2]:l[3]])] = pdf[l[1]:end]
	}
	kids := kidsRE.FindSubmatch(pdf)
	count := countRE.FindSubmatch(pdf)
	if kids == nil || count == nil {
		tb.Fatal("no page tree")
	}
	var pages [][]string
	for _, kid := range strings.Fields(strings.ReplaceAll(string(kids[1]), "0 R", "")) {
		c := contentsRE.FindSubmatch(objects[kid])
		if c == nil {
			tb.Fatalf("page object %s has no contents", kid)
		}
		body := objects[string(c[1])]
		m := streamRE.FindSubmatchIndex(body)
		if m == nil {
			tb.Fatalf("contents %s are not an uncompressed stream", c[1])
		}
		n, _ := strconv.Atoi(string(body[m[2]:m[3]]))
		stream := body[m[1] : m[1]+n]
		var texts []string
		for _, s := range showRE.FindAllSubmatch(stream, -1) {
			texts = append(texts, decode(tb, s[1]))
		}
		pages = append(pages, texts)
	}
	if want, _ := strconv.Atoi(string(count[1])); want != len(pages) {
		tb.Fatalf("/Count %d, but %d kids", want, len(pages))
	}
	return pages
}

func decode(tb testing.TB, s []byte) string {
	tb.Helper()
	r := strings.NewReplacer(`\\`, `\`, `\(`, `(`, `\)`, `)`, `\r`, "\r").Replace(string(s))
	out, err := charmap.Windows1252.NewDecoder().String(r)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// joined is all the pages' text, one space between strings.
func joined(pages [][]string) string {
	var all []string
	for _, p := range pages {
		all = append(all, p...)
	}
	return strings.Join(strings.Fields(strings.Join(all, " ")), " ")
}

// hasRun reports whether run appears as consecutive strings of a page.
func hasRun(pages [][]string, run ...string) bool {
	for _, p := range pages {
		for i := 0; i+len(run) <= len(p); i++ {
			if slices.Equal(p[i:i+len(run)], run) {
				return true
			}
		}
	}
	return false
}

func TestPDFShowsTheFigures(t *testing.T) {
	in := handInput(t)
	pages := pageTexts(t, mustRender(t, in))
	all := joined(pages)
	for i, p := range pages {
		footer := fmt.Sprintf("%d / %d", i+1, len(pages))
		if !slices.Contains(p, "Acme Bakery") || !slices.Contains(p, "Analytics report") || !slices.Contains(p, footer) {
			t.Errorf("page %d lacks the header or the footer %q: %q", i+1, footer, p)
		}
	}
	for _, want := range []string{
		"Generated Tue 10 Mar 2026 18:30 CET",
		"Posts published from Wed 4 Mar 2026 to Tue 10 Mar 2026 (7 days, Europe/Paris), compared with the previous period of the same length, 25 Feb – 3 Mar 2026.",
		// 800 + 260 + 0 engagements this week, 500 the week before.
		"Engagements 1,060 +112 % on the previous period (500)",
		"Posts published 4 +300 % on the previous period (1)",
		// Only Mastodon gives followers: (800 + 0) / (2000 + 2010).
		"Engagement rate by followers 19.95 %",
		"over 2 posts that give both",
		// No post gave impressions last week.
		"Impressions 9,000 previous period: not given",
		"Best time to post",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
	// Mastodon gives neither quotes nor impressions: not given, not 0.
	if !hasRun(pages, "Mastodon", "3", "700", "40", "60", "not given", "not given", "800", "19.95 %") {
		t.Error("the Mastodon row is not as expected")
	}
	// X gives no followers: its rate has no data.
	if !hasRun(pages, "@acme", "1", "200", "30", "20", "10", "9,000", "260", "no data") {
		t.Error("the @acme row is not as expected")
	}
	if !hasRun(pages, "@acme", "5,000", "5,000", "not enough counts yet") || !hasRun(pages, "@acme@mastodon.social", "1,990", "2,020", "+30") {
		t.Error("the growth rows are not as expected")
	}
	if !hasRun(pages, "Spring launch", "1", "200") || !hasRun(pages, "No campaign", "3", "700") {
		t.Error("the campaign rows are not as expected")
	}
	// Every definition, wrapped but whole; a minus sign is an en dash in
	// cp1252.
	for _, def := range append(slices.Clone(analytics.Definitions), analytics.BestTimeDefinition) {
		want := strings.Join(strings.Fields(def.Name+" "+strings.ReplaceAll(def.Formula, "−", "–")), " ")
		if !strings.Contains(all, want) {
			t.Errorf("the definition of %s is missing or cut", def.Name)
		}
	}
}

func TestPDFWithoutBestTimes(t *testing.T) {
	in := handInput(t)
	in.Best = nil
	all := joined(pageTexts(t, mustRender(t, in)))
	if strings.Contains(all, "Best time to post") {
		t.Error("the best-time section (or its definition) is shown without a grid")
	}
}

func TestPDFBestTimes(t *testing.T) {
	// Five posts on Mondays at 09:00 in Paris, rates 1 % to 5 %.
	var stats []herald.TargetStats
	for i := range 5 {
		stats = append(stats, herald.TargetStats{TargetID: int64(i + 1), AccountID: 1, Platform: herald.PlatformMastodon,
			PublishedAt: time.Date(2026, 2, 2+7*i, 9, 15, 0, 0, paris), Measured: true,
			Likes: int64(i+1) * 10, Reposts: 0, Replies: 0, Quotes: -1, Impressions: -1, Followers: 1000})
	}
	best := analytics.ComputeBestTimes(stats, paris, analytics.ByFollowers)
	in := handInput(t)
	in.Best = &best
	pages := pageTexts(t, mustRender(t, in))
	if !hasRun(pages, "1.", "Monday 09:00–10:00", "3.00 %", "1.00 % – 5.00 %", "5") {
		t.Errorf("the best hour is not listed: %q", joined(pages))
	}
}

// postsPage lists, per page, the numbers of the posts "Post N" shown.
func postsPages(pages [][]string) [][]int {
	re := regexp.MustCompile(`^Row (\d+)$`)
	out := make([][]int, len(pages))
	for i, p := range pages {
		for _, s := range p {
			if m := re.FindStringSubmatch(s); m != nil {
				n, _ := strconv.Atoi(m[1])
				out[i] = append(out[i], n)
			}
		}
	}
	return out
}

func longTop(tb testing.TB, n int) Input {
	tb.Helper()
	in := handInput(tb)
	in.Overview.Bottom = nil
	in.Overview.Top = nil
	for i := range n {
		in.Overview.Top = append(in.Overview.Top, analytics.PostFigures{
			TargetStats: herald.TargetStats{TargetID: int64(i + 1), PublishedAt: at(5, 10), Likes: 1, Reposts: 1, Replies: 1,
				Quotes: -1, Impressions: -1, Followers: 100, Measured: true},
			Title: fmt.Sprintf("Row %d", i+1), Account: "@acme", Engagements: int64(n - i)})
	}
	return in
}

func TestPDFPaginatesLongTables(t *testing.T) {
	const n = 300
	pages := pageTexts(t, mustRender(t, longTop(t, n)))
	byPage := postsPages(pages)
	var seen []int
	first, last := -1, -1
	for i, rows := range byPage {
		if len(rows) == 0 {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		seen = append(seen, rows...)
		// The header row comes again on every page, before the rows.
		p := pages[i]
		h := slices.Index(p, "Post")
		r := slices.Index(p, "Row "+strconv.Itoa(rows[0]))
		if h < 0 || h > r || !hasRun([][]string{p}, "Post", "Account", "Published", "Engagements", "Likes", "Reposts", "Replies", "Rate by", "followers") {
			t.Errorf("page %d has rows but not the header before them", i+1)
		}
	}
	for i, v := range seen {
		if v != i+1 {
			t.Fatalf("rows are lost, repeated or out of order: %v", seen)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d rows shown, want %d", len(seen), n)
	}
	// A page the table fills holds as many rows as fit under the header:
	// the body starts 29 mm down (no logo), the posts' header takes two
	// lines.
	room := contentLimit - (headerTop + 11 + 8) - (2*headLineH + 2*headPad)
	perPage := int(room / rowH)
	for i := first + 1; i < last; i++ {
		if len(byPage[i]) != perPage {
			t.Errorf("page %d holds %d rows, want %d", i+1, len(byPage[i]), perPage)
		}
	}
	if want := (n - len(byPage[first]) + perPage - 1) / perPage; last-first != want {
		t.Errorf("the table spans %d pages after its first, want %d", last-first, want)
	}
	// A page's worth of rows more is one page more, no more.
	more := pageTexts(t, mustRender(t, longTop(t, n+perPage)))
	if len(more) != len(pages)+1 {
		t.Errorf("%d more rows: %d pages, want %d", perPage, len(more), len(pages)+1)
	}
}

func TestPDFEmptyPeriod(t *testing.T) {
	o := analytics.Compute(nil, testWeek, paris, analytics.ByImpressions)
	pages := pageTexts(t, mustRender(t, Input{Workspace: "Quiet", Overview: o, Generated: testNow, Loc: paris}))
	all := joined(pages)
	for _, want := range []string{"Nothing was published in this period.", "Analytics report",
		"Posts published 0 previous period: 0", "Engagements not given", "Engagement rate by impressions no data", "not given"} {
		if !strings.Contains(all, want) {
			t.Errorf("the empty report does not say %q: %s", want, all)
		}
	}
	// An overview with no days at all (never computed) renders too.
	pageTexts(t, mustRender(t, Input{Workspace: "Zero"}))
}

func TestPDFAllZero(t *testing.T) {
	stats := []herald.TargetStats{{TargetID: 1, AccountID: 1, Platform: herald.PlatformBluesky, PublishedAt: at(6, 10), Measured: true,
		Likes: 0, Reposts: 0, Replies: 0, Quotes: 0, Impressions: -1, Followers: 0}}
	o := analytics.Compute(stats, testWeek, paris, analytics.ByFollowers)
	all := joined(pageTexts(t, mustRender(t, Input{Workspace: "Zero", Overview: o, Loc: paris})))
	if !strings.Contains(all, "Engagements 0") {
		t.Errorf("zero engagements are not 0: %s", all)
	}
}

func TestPDFText(t *testing.T) {
	in := handInput(t)
	in.Workspace = "Café Zoë 🥐"
	in.Title = "Campaign: Été – 50 % ÷ 2 = €25 👨‍👩‍👧 " + "e\u0301" // the last é is decomposed
	pages := pageTexts(t, mustRender(t, in))
	all := joined(pages)
	for _, want := range []string{"Café Zoë ?", "Campaign: Été – 50 % ÷ 2 = €25 ? é", "la crème brûlée"} {
		if !strings.Contains(all, want) {
			t.Errorf("the report does not show %q", want)
		}
	}
	// The titles are cut to their column with an ellipsis.
	if !strings.Contains(all, "Post 2: la crème brûlée") || !strings.Contains(all, "…") {
		t.Error("a long title is not cut with an ellipsis")
	}
}

func TestEncode(t *testing.T) {
	e := newEncoder(func(s string) string {
		return string(must1252(t, s))
	})
	for in, want := range map[string]string{
		"plain":            "plain",
		"crème – €5 ÷ 2":   "crème – €5 ÷ 2",
		"a − b":            "a – b",
		"rocket 🚀!":        "rocket ?!",
		"family 👨‍👩‍👧 ok":  "family ? ok",
		"flag 🇫🇷":          "flag ?",
		"thumb 👍🏽":         "thumb ?",
		"line\nbreak\ttab": "line break tab",
		"日本":               "??",
		"bad \xff byte":    "bad ? byte",
	} {
		got, err := charmap.Windows1252.NewDecoder().String(string(e.encode(in)))
		if err != nil || got != want {
			t.Errorf("encode(%q) = %q %v, want %q", in, got, err, want)
		}
	}
}

// must1252 stands in for fpdf's translator: cp1252, "." for the rest.
func must1252(tb testing.TB, s string) []byte {
	tb.Helper()
	var out []byte
	for _, r := range s {
		if b, ok := charmap.Windows1252.EncodeRune(r); ok {
			out = append(out, b)
		} else {
			out = append(out, '.')
		}
	}
	return out
}

func pngBytes(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestPDFLogo(t *testing.T) {
	wide := image.NewNRGBA(image.Rect(0, 0, 400, 100))
	deep := image.NewRGBA64(image.Rect(0, 0, 50, 50)) // 16 bits a channel: fpdf cannot read it as is
	for x := range 400 {
		for y := range 100 {
			wide.Set(x, y, color.NRGBA{uint8(x), 80, 160, uint8(y * 2)})
			if x < 50 && y < 50 {
				deep.Set(x, y, color.RGBA64{uint16(x * 1000), 0, 40000, 65535})
			}
		}
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, wide, nil); err != nil {
		t.Fatal(err)
	}
	for name, logo := range map[string][]byte{"png": pngBytes(t, wide), "jpeg": jpg.Bytes(), "16-bit png": pngBytes(t, deep)} {
		in := handInput(t)
		in.Logo = logo
		pdf := mustRender(t, in)
		if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
			t.Errorf("%s: no image in the document", name)
		}
		pages := pageTexts(t, pdf)
		if !slices.Contains(pages[len(pages)-1], "Acme Bakery") {
			t.Errorf("%s: the last page has no header", name)
		}
	}
}

func TestPDFBadLogo(t *testing.T) {
	good := pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 20, 20)))
	var gif bytes.Buffer
	gif.WriteString("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	for name, logo := range map[string][]byte{
		"text":      []byte("this is not an image"),
		"truncated": good[:len(good)/2],
		"gif":       gif.Bytes(),
		"huge":      hugePNG(good),
	} {
		in := handInput(t)
		in.Logo = logo
		var b bytes.Buffer
		err := PDF(&b, in)
		if !errors.Is(err, ErrLogo) || !strings.Contains(err.Error(), "logo") {
			t.Errorf("%s: err = %v, want one about the logo", name, err)
		}
		if b.Len() != 0 {
			t.Errorf("%s: %d bytes written despite the error", name, b.Len())
		}
	}
}

// hugePNG is good with a header that claims 65,536 × 65,536 pixels.
func hugePNG(good []byte) []byte {
	ihdr := []byte("IHDR\x00\x01\x00\x00\x00\x01\x00\x00\x08\x06\x00\x00\x00")
	out := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
	return append(out, good[33:]...)
}

func TestPDFCompressed(t *testing.T) {
	var b bytes.Buffer
	if err := PDF(&b, handInput(t)); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) || !bytes.Contains(b.Bytes(), []byte("/FlateDecode")) {
		t.Error("PDF does not compress its pages")
	}
	if !bytes.HasSuffix(bytes.TrimSpace(b.Bytes()), []byte("%%EOF")) {
		t.Error("the document is not closed")
	}
}

// ninetyDays is a busy workspace's 90 days and the 90 before them: 50
// accounts on five platforms, 20 campaigns, about 30,000 published posts.
func ninetyDays() (stats []herald.TargetStats, period analytics.Period) {
	period = analytics.Period{From: time.Date(2025, 12, 11, 0, 0, 0, 0, paris), To: time.Date(2026, 3, 11, 0, 0, 0, 0, paris)}
	start := period.From.AddDate(0, 0, -90)
	rng := rand.New(rand.NewPCG(1, 2))
	platforms := []herald.Platform{herald.PlatformMastodon, herald.PlatformBluesky, herald.PlatformX, herald.PlatformLinkedIn, herald.PlatformThreads}
	const posts = 30_000
	for i := range posts {
		acct := int64(rng.IntN(50) + 1)
		pf := platforms[acct%int64(len(platforms))]
		t := herald.TargetStats{TargetID: int64(i + 1), PostID: int64(i/2 + 1), AccountID: acct, Platform: pf,
			CampaignID: int64(rng.IntN(21)), PublishedAt: start.Add(time.Duration(rng.Int64N(int64(180 * 24 * time.Hour)))),
			Measured: rng.IntN(20) > 0, Likes: rng.Int64N(500), Reposts: rng.Int64N(80), Replies: rng.Int64N(60),
			Quotes: rng.Int64N(20), Impressions: -1, Followers: 1000 + acct*300}
		if l := rng.IntN(4); l > 0 {
			t.LabelIDs = []int64{int64(l)}
		}
		switch pf {
		case herald.PlatformMastodon:
			t.Quotes = -1
		case herald.PlatformX:
			t.Impressions = t.Likes * 40
			t.Followers = -1
		}
		if !t.Measured {
			t.Likes, t.Reposts, t.Replies, t.Quotes, t.Impressions = -1, -1, -1, -1, -1
		}
		stats = append(stats, t)
	}
	return stats, period
}

// BenchmarkPDF90Days computes a 90-day overview and its best times from
// 30,000 posts and renders the report: what a report job does once it has
// read the rows.
func BenchmarkPDF90Days(b *testing.B) {
	stats, period := ninetyDays()
	growth := make([]analytics.Growth, 50)
	for i := range growth {
		growth[i] = analytics.Growth{AccountID: int64(i + 1), Account: fmt.Sprintf("@account%02d@example.social", i+1),
			Start: 1000, End: 1000 + int64(i*7), Change: int64(i * 7), Known: i%9 != 0}
	}
	pages := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		o := analytics.Compute(stats, period, paris, analytics.ByFollowers)
		best := analytics.ComputeBestTimes(stats, paris, analytics.ByFollowers)
		o.Zone = paris.String()
		for i := range o.ByAccount {
			o.ByAccount[i].Label = "@account" + o.ByAccount[i].Key + "@example.social"
		}
		for i := range o.ByCampaign {
			o.ByCampaign[i].Label = "Campaign " + o.ByCampaign[i].Key
		}
		for _, list := range [][]analytics.PostFigures{o.Top, o.Bottom} {
			for i := range list {
				list[i].Title = fmt.Sprintf("Post %d, a title long enough to be cut in its column of the table", list[i].PostID)
				list[i].Account = "@account" + strconv.FormatInt(list[i].AccountID, 10)
			}
		}
		o.Growth = growth
		var out bytes.Buffer
		if err := PDF(&out, Input{Workspace: "Busy", Title: "Analytics report", Overview: o, Best: &best,
			Generated: testNow, Loc: paris}); err != nil {
			b.Fatal(err)
		}
		pages = bytes.Count(out.Bytes(), []byte("/Type /Page\n"))
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	b.ReportMetric(float64(pages), "pages")
}
