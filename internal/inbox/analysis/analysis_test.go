package analysis

import "testing"

func TestAnalyze(t *testing.T) {
	a := New()
	tests := []struct {
		name        string
		text        string
		sentiment   Sentiment
		language    string
		hasQuestion bool
	}{
		{"praise", "I love this product, the support team was wonderful and fast!", Positive, "en", false},
		{"complaint", "This is the worst service ever. My order is broken and nobody answers.", Negative, "en", false},
		{"neutral statement", "The package arrived on Tuesday at the office building.", Neutral, "en", false},
		{"question mark, too short to be sure of the language", "@shop when does the store open tomorrow morning?", Neutral, "", true},
		{"question without mark", "how do I reset my password on the new app", Neutral, "", true},
		{"french", "Bonjour, je voudrais savoir quand la boutique sera ouverte demain matin.", Neutral, "fr", false},
		{"german complaint", "Ich habe seit drei Wochen keine Antwort bekommen und das ist wirklich ärgerlich.", Neutral, "de", false},
		{"spanish question", "¿Cuándo abre la tienda mañana por la mañana?", Neutral, "es", true},
		{"too short for a language", "ok thx", Positive, "", false},
		{"link query is no question", "see https://example.com/a?b=c for the details of our plan", Neutral, "en", false},
		{"handles only", "@alice @bob #launch", Neutral, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.Analyze(tt.text)
			if r.Sentiment != tt.sentiment {
				t.Errorf("sentiment = %s (score %.3f), want %s", r.Sentiment, r.Score, tt.sentiment)
			}
			if r.Language != tt.language {
				t.Errorf("language = %q, want %q", r.Language, tt.language)
			}
			if r.HasQuestion != tt.hasQuestion {
				t.Errorf("has question = %v, want %v", r.HasQuestion, tt.hasQuestion)
			}
			if r.Score < -1 || r.Score > 1 {
				t.Errorf("score %v out of range", r.Score)
			}
		})
	}
}

func TestScoreSign(t *testing.T) {
	a := New()
	good, bad := a.Analyze("great, thanks so much!"), a.Analyze("terrible, I hate it")
	if good.Score <= 0.5 || bad.Score >= -0.5 {
		t.Fatalf("scores: good %.3f, bad %.3f", good.Score, bad.Score)
	}
}
