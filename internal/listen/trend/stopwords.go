package trend

import "strings"

// The stop word lists hold the most frequent function words of each
// language (about a hundred each), limited to words of at least
// MinTermRunes characters because shorter words are dropped anyway. They are
// deliberately short: a trend list should lose "the" and "und", not "price".
// "amp", "http", "https", "www" and "com" are in the English list because
// they leak from HTML entities and bare links.
var stopWordText = map[string]string{
	"en": `the and for are but not you all any can had her was one our out has have him his how its
		may new now see two who did get let she too use that with this from they will would there their
		what about which when make like time just know take into year your good some could them other
		than then look only come over think also back after work first well even want because these give
		most very been were said each many more such here where while should being both does doing down
		during few further having himself herself itself myself themselves yourself ourselves same own
		once again against above below between through under until off why those whom don didn doesn
		isn wasn aren won cannot really via got going yes amp http https www com`,
	"de": `der die das und ist nicht ein eine einer eines einem einen den dem des mit sich auf für von
		auch als aus bei bin bis dass denn doch dort durch ich ihr ihre ihm ihn jetzt kann kein keine
		man mehr mein meine mich mir nach noch nur oder schon sehr sein seine sind über uns unser vom
		vor war waren was weil wenn wer wie wir wird wurde zum zur zwischen aber alle allem allen aller
		alles also andere anderen sie hat habe haben hatte hier hin wieder welche welcher dies diese
		dieser dieses dann damit gegen gewesen ganz heute immer jede jeder jedes nichts ohne sollte soll
		werden wollen würde unter viel viele während etwas euch euer gibt geht mal`,
	"fr": `les des une est pas que qui dans pour sur avec par plus son ses aux ont été être avoir mais
		comme tout tous toute toutes nous vous ils elles leur leurs mon mes ton tes notre nos votre vos
		cette ces ceci cela elle lui moi toi même aussi bien très sans sous entre encore fait faire peut
		peu donc alors quand car chez dont oui non rien autre autres avant après depuis déjà ici ainsi
		quoi sont était avait suis sera ait soit sommes êtes étaient aurait ceux celle celui jamais
		toujours trop puis vers`,
	"es": `que los las del una por con para como más pero sus sobre este esta esto estos estas ese esa
		eso entre cuando muy sin también hasta hay donde quien desde todo todos toda todas nos durante
		uno unos unas ser son fue era está están estoy tiene tienen hace porque qué cómo ella ellos ellas
		nosotros vosotros mis tus algo nada otro otra otros otras mismo misma antes después ahora aquí
		sólo solo bien tan cada hacer puede han había sido estar tener les parece mucho muchos poco
		así vez ver`,
	"pt": `que não uma para com por mais como mas dos das foi seu sua seus suas ele ela eles elas isso
		isto este esta esse essa nos nós você vocês muito também quando está estão são ser ter tem têm
		pelo pela pelos pelas até sem mesmo aos entre depois sobre ainda assim onde quem tudo todos toda
		todas nem era eram fazer faz pode porque meu minha meus minhas teu tua nosso nossa lhe deles
		delas num numa qual quais outro outra bem aqui agora vai vou estou estava pra`,
	"it": `che non per una del della dei delle degli con sono gli nel nella alla alle allo agli dal
		dalla come più anche questo questa questi queste quello quella suo sua suoi sue loro mio mia
		miei tuo tua nostro nostra hanno fatto essere avere stato stata tutto tutti tutte molto poi
		quando dove chi cosa perché però solo ancora dopo prima senza sempre qui già fra tra sul sulla
		ogni cui era erano sei siamo siete fare può hai abbiamo ecco ora così bene nulla niente mai`,
	"nl": `het een van dat die niet zijn voor met als ook maar aan bij door naar dan over nog wel wat
		wordt werd zou kan moet heeft hebben had waren was deze dit hun haar hij zij wij jij jullie ons
		onze mijn zich uit tot men geen meer alle alles iets niets hier daar waar toen omdat want toch
		zonder tegen tussen onder veel worden zullen zal kunnen doen gaat gaan heel even weer dus nou
		wie hoe waarom`,
}

// stopWords maps a language code to its stop word set merged with English;
// "" holds the union of every language. Built once, read-only afterwards.
var stopWords = buildStopWords()

func buildStopWords() map[string]map[string]struct{} {
	all := make(map[string]struct{})
	sets := make(map[string]map[string]struct{}, len(stopWordText)+1)
	for lang, text := range stopWordText {
		set := make(map[string]struct{})
		for _, w := range strings.Fields(text) {
			set[w] = struct{}{}
			all[w] = struct{}{}
		}
		sets[lang] = set
	}
	for lang, set := range sets {
		if lang == "en" {
			continue
		}
		for w := range sets["en"] {
			set[w] = struct{}{}
		}
	}
	sets[""] = all
	return sets
}

// stopWordsFor returns the stop word set for a language tag such as "pt-BR".
func stopWordsFor(lang string) map[string]struct{} {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	base, _, _ = strings.Cut(base, "_")
	if set, ok := stopWords[base]; ok {
		return set
	}
	return stopWords[""]
}

// IsStopWord reports whether the lower-case word w is a stop word for lang,
// with the same language rules as Terms.
func IsStopWord(w, lang string) bool {
	_, ok := stopWordsFor(lang)[w]
	return ok
}
