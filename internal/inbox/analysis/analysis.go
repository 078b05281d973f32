// Package analysis reads an inbox item's text on arrival: its sentiment
// (VADER's compound score, through govader), its language (whatlanggo,
// ISO 639-1, only when the detector is confident) and whether it asks a
// question. It has no store and no state beyond the lexicons, which are
// loaded once and only read afterwards, so an Analyzer is safe for
// concurrent use.
package analysis

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
	"github.com/jonreiter/govader"
)

// Sentiment is the tone of a text.
type Sentiment string

// Sentiments. The thresholds are VADER's own: a compound score of 0.05 or
// more is positive, -0.05 or less negative, anything between neutral.
const (
	Positive Sentiment = "positive"
	Neutral  Sentiment = "neutral"
	Negative Sentiment = "negative"
)

// Valid reports whether s is a known sentiment.
func (s Sentiment) Valid() bool { return s == Positive || s == Neutral || s == Negative }

// Result is what Analyze finds in one text.
type Result struct {
	Sentiment Sentiment
	// Score is VADER's compound score, from -1 (most negative) to 1.
	Score float64
	// Language is the ISO 639-1 code, "" when the detector is not
	// reliable (short texts, mixed languages) or the language has no
	// two-letter code.
	Language    string
	HasQuestion bool
}

// minLanguageRunes is the shortest text (after links and handles are
// removed) whose language we trust the detector with; below it trigram
// statistics are noise.
const minLanguageRunes = 12

// Analyzer computes Results.
type Analyzer struct {
	vader *govader.SentimentIntensityAnalyzer
}

// New loads the sentiment lexicons (a few milliseconds; share the result).
func New() *Analyzer {
	return &Analyzer{vader: govader.NewSentimentIntensityAnalyzer()}
}

var (
	linkRE   = regexp.MustCompile(`https?://\S+`)
	handleRE = regexp.MustCompile(`(^|\s)[@#][\p{L}\p{N}_.\-@]+`)
	// questionWordRE matches a sentence that opens with an English
	// interrogative or auxiliary ("how do I", "can you", "is it").
	questionWordRE = regexp.MustCompile(`(?i)(^|[.!?\n]\s*)(who|what|when|where|why|how|which|whose|can|could|would|will|should|is|are|do|does|did|has|have|any(one|body)?)\s+\S+.*\b(you|i|we|it|this|that|there|they|he|she|your|my|the|a|an)\b`)
)

// Analyze reads text.
func (a *Analyzer) Analyze(text string) Result {
	r := a.Tone(text)
	r.Language = Language(text)
	return r
}

// Tone reads text's sentiment and whether it asks a question, leaving
// Language "" (language detection costs several times as much).
func (a *Analyzer) Tone(text string) Result {
	var r Result
	scores := a.vader.PolarityScores(text)
	r.Score = scores.Compound
	switch {
	case r.Score >= 0.05:
		r.Sentiment = Positive
	case r.Score <= -0.05:
		r.Sentiment = Negative
	default:
		r.Sentiment = Neutral
	}
	r.HasQuestion = HasQuestion(text)
	return r
}

// clean drops links and @handles/#tags, which carry no language.
func clean(text string) string {
	text = linkRE.ReplaceAllString(text, " ")
	text = handleRE.ReplaceAllString(text, " ")
	return strings.TrimSpace(text)
}

// MayHaveLanguage reports whether text is long enough (without links and
// handles) for Language to try; a shorter text's language is "".
func MayHaveLanguage(text string) bool {
	return utf8.RuneCountInString(clean(text)) >= minLanguageRunes
}

// Language returns text's ISO 639-1 code, or "" when the detector is not
// reliable about it.
func Language(text string) string {
	t := clean(text)
	if utf8.RuneCountInString(t) < minLanguageRunes {
		return ""
	}
	info := whatlanggo.Detect(t)
	if !info.IsReliable() {
		return ""
	}
	return info.Lang.Iso6391()
}

// HasQuestion reports whether text asks something. The heuristic: the
// text (without links, where "?" is a query string) contains a question
// mark — Latin "?", the full-width "？", Arabic "؟" or Spanish "¿" — or
// one of its sentences opens with an English question word or auxiliary
// followed by a pronoun or article ("how do I reset it", "can you help").
// It misses questions without either and may flag rhetorical ones.
func HasQuestion(text string) bool {
	t := linkRE.ReplaceAllString(text, " ")
	if strings.ContainsAny(t, "?？؟¿") {
		return true
	}
	return questionWordRE.MatchString(t)
}
