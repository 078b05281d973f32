package competitor

import (
	"strings"
	"testing"
	"time"
)

// TestWriteCSV checks every row of the export against a hand-written
// comparison and share of voice: counts not given, a failed reading, a
// day without mentions, a competitor without a topic.
func TestWriteCSV(t *testing.T) {
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c := Comparison{From: day, To: day.AddDate(0, 0, 2), Days: 2, Brands: []BrandFigures{
		{Own: true, Name: "Acme", Accounts: 2, Followers: 1500, Growth: 25, Posts: 3, PostsPerDay: 1.5, AvgEngagements: 12.333},
		{CompetitorID: 7, Name: "Globex, Inc", Accounts: 1, Followers: -1, Posts: 0, AvgEngagements: -1, LastError: "rate limited"},
	}}
	v := ShareOfVoice{From: c.From, To: c.To,
		Brands: []VoiceBrand{{Own: true, Name: "Acme", TopicID: 1, Total: VoiceShare{Mentions: 3, Percent: 75}},
			{CompetitorID: 7, Name: "Globex, Inc", TopicID: 2, Total: VoiceShare{Mentions: 1, Percent: 25}}},
		Days: []VoiceDay{
			{Day: day, Total: 4, Shares: []VoiceShare{{Mentions: 3, Percent: 75}, {Mentions: 1, Percent: 25}}},
			{Day: day.AddDate(0, 0, 1), NoMentions: true, Shares: []VoiceShare{{}, {}}},
		},
		Untracked: []string{"Initech"}}
	var b strings.Builder
	if err := WriteCSV(&b, c, v); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"table,day,brand,own,accounts,followers,follower_growth,posts,posts_per_day,avg_engagements_per_post,mentions,share_of_voice_percent,note",
		"brand,,Acme,true,2,1500,25,3,1.50,12.33,,,",
		`brand,,"Globex, Inc",false,1,not given,0,0,0.00,not given,,,last reading failed: rate limited`,
		"voice_total,,Acme,true,,,,,,,3,75.0,",
		`voice_total,,"Globex, Inc",false,,,,,,,1,25.0,`,
		"voice_day,2026-12-01,Acme,true,,,,,,,3,75.0,",
		`voice_day,2026-12-01,"Globex, Inc",false,,,,,,,1,25.0,`,
		"voice_day,2026-12-02,Acme,true,,,,,,,0,,no brand was mentioned",
		`voice_day,2026-12-02,"Globex, Inc",false,,,,,,,0,,no brand was mentioned`,
		"voice_total,,Initech,false,,,,,,,,,no listening topic counts its mentions",
	}, "\n") + "\n"
	if got := b.String(); got != want {
		t.Errorf("csv:\n%s\nwant:\n%s", got, want)
	}

	// No brand mentioned over the whole period: the totals say so too.
	v.Brands[0].Total, v.Brands[1].Total = VoiceShare{}, VoiceShare{}
	v.Days = v.Days[1:]
	b.Reset()
	if err := WriteCSV(&b, c, v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "voice_total,,Acme,true,,,,,,,0,,no brand was mentioned\n") {
		t.Errorf("an empty period's totals:\n%s", b.String())
	}
}
