package competitor

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// csvHead is the columns of WriteCSV: which table a row belongs to, then
// the comparison's figures, then share of voice.
var csvHead = []string{"table", "day", "brand", "own", "accounts", "followers", "follower_growth", "posts",
	"posts_per_day", "avg_engagements_per_post", "mentions", "share_of_voice_percent", "note"}

// WriteCSV writes the comparison and share of voice as one CSV file, a
// row per brand ("brand"), per brand over the whole period
// ("voice_total") and per brand and UTC day ("voice_day"). A figure the
// platforms did not give is "not given", never 0; a day without any
// mention of any brand says so in the note and its shares are empty.
func WriteCSV(w io.Writer, c Comparison, v ShareOfVoice) error {
	cw := csv.NewWriter(w)
	rows := [][]string{csvHead}
	for _, b := range c.Brands {
		followers, avg := "not given", "not given"
		if b.Followers >= 0 {
			followers = strconv.FormatInt(b.Followers, 10)
		}
		if b.AvgEngagements >= 0 {
			avg = strconv.FormatFloat(b.AvgEngagements, 'f', 2, 64)
		}
		note := ""
		if b.LastError != "" {
			note = "last reading failed: " + b.LastError
		}
		rows = append(rows, []string{"brand", "", b.Name, strconv.FormatBool(b.Own), strconv.Itoa(b.Accounts), followers,
			strconv.FormatInt(b.Growth, 10), strconv.FormatInt(b.Posts, 10), strconv.FormatFloat(b.PostsPerDay, 'f', 2, 64),
			avg, "", "", note})
	}
	voice := func(table, day string, b VoiceBrand, s VoiceShare, none bool) []string {
		share, note := strconv.FormatFloat(s.Percent, 'f', 1, 64), ""
		if none {
			share, note = "", "no brand was mentioned"
		}
		return []string{table, day, b.Name, strconv.FormatBool(b.Own), "", "", "", "", "", "", strconv.Itoa(s.Mentions), share, note}
	}
	total := 0
	for _, b := range v.Brands {
		total += b.Total.Mentions
	}
	for _, b := range v.Brands {
		rows = append(rows, voice("voice_total", "", b, b.Total, total == 0))
	}
	for _, d := range v.Days {
		for i, b := range v.Brands {
			if i < len(d.Shares) {
				rows = append(rows, voice("voice_day", d.Day.Format("2006-01-02"), b, d.Shares[i], d.NoMentions))
			}
		}
	}
	for _, name := range v.Untracked {
		rows = append(rows, []string{"voice_total", "", name, "false", "", "", "", "", "", "", "", "",
			"no listening topic counts its mentions"})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("competitor: csv: %w", err)
	}
	return nil
}
