package trend

import (
	"slices"
	"testing"
)

func TestTerms(t *testing.T) {
	tests := []struct {
		name, lang, text string
		want             []string
	}{
		{"english", "en", "The new pricing is TERRIBLE and the pricing page is broken",
			[]string{"pricing", "terrible", "page", "broken"}},
		{"german", "de", "Die Lieferung ist wieder nicht angekommen, und der Support schweigt",
			[]string{"lieferung", "angekommen", "support", "schweigt"}},
		{"french", "fr", "L'application est très lente depuis la mise à jour",
			[]string{"application", "lente", "mise", "jour"}},
		{"spanish", "es", "La aplicación no funciona desde la actualización, qué desastre",
			[]string{"aplicación", "funciona", "actualización", "desastre"}},
		{"portuguese", "pt-BR", "Não consigo entrar na minha conta, o aplicativo está travando",
			[]string{"consigo", "entrar", "conta", "aplicativo", "travando"}},
		{"italian", "it", "Il servizio clienti non risponde più, che delusione",
			[]string{"servizio", "clienti", "risponde", "delusione"}},
		{"dutch", "nl", "De bezorging is weer te laat en het pakket was beschadigd",
			[]string{"bezorging", "laat", "pakket", "beschadigd"}},
		{"urls", "en", "outage again https://status.example.com/x and www.example.org and bit.ly/abc ok",
			[]string{"outage"}},
		{"mentions and emails", "en", "@support @ana@mastodon.social why? mail help@example.com please",
			[]string{"mail", "please"}},
		{"emoji separate words", "en", "love🔥this 😡😡 launch",
			[]string{"love", "launch"}},
		{"numbers and short words", "en", "v2 is 100 times 2024 faster ok covid19",
			[]string{"times", "faster", "covid19"}},
		{"hashtags in several scripts", "", "#Launch #café #東京 #праздник #2024 #_ #هاشتاق #go",
			[]string{"#launch", "#café", "#東京", "#праздник", "#هاشتاق", "#go"}},
		{"hashtag is never a stop word", "en", "#the the", []string{"#the"}},
		{"hashtag inside punctuation", "en", "(#Outage!) fixed.",
			[]string{"#outage", "fixed"}},
		{"once per post", "en", "broken Broken BROKEN #Broken", []string{"broken", "#broken"}},
		{"cyrillic and greek words", "ru", "Приложение не работает καλημέρα",
			[]string{"приложение", "работает", "καλημέρα"}},
		{"combining marks stay in the word", "", "नमस्ते दुनिया", []string{"नमस्ते", "दुनिया"}},
		{"unknown language uses every list", "", "der the les und pricing", []string{"pricing"}},
		{"known language keeps other languages' words", "en", "die hard", []string{"die", "hard"}},
		{"empty", "en", "", nil},
		{"only noise", "en", "@a https://x.y 12 :) 🎉", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Terms(tc.text, tc.lang)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Terms(%q, %q) = %q, want %q", tc.text, tc.lang, got, tc.want)
			}
		})
	}
}

func TestStopWordListsAreShortAndLowerCase(t *testing.T) {
	for lang, text := range stopWordText {
		n := len(stopWords[lang])
		if n < 60 || n > 300 { // own list merged with English
			t.Errorf("%s: %d stop words", lang, n)
		}
		for _, w := range Terms(text, "xx") { // "xx": every list applies
			t.Errorf("%s: %q survives its own stop words", lang, w)
		}
	}
	if !IsStopWord("und", "de-AT") || IsStopWord("und", "en") {
		t.Error("IsStopWord ignores the language")
	}
}
