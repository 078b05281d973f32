// Package topic decides which of a workspace's listening topics a public post
// matches, and shows where.
//
// # Rules
//
// A Topic has lists of terms, hashtags and accounts, and optional languages.
// Every list that is given is a condition, and a post matches when all the
// conditions hold:
//
//   - Any: at least one of the terms appears.
//   - All: every one of the terms appears.
//   - None: no term appears.
//   - Hashtags: at least one of the tags is on the post, written in the text
//     as #tag or reported by the source in Post.Tags.
//   - Accounts: the author or one of the mentions is one of the accounts.
//   - Languages: the post's language is one of them. A post whose language
//     is unknown passes, unless StrictLanguage is set.
//
// So Any "launch" with Accounts "acme.bsky.social" means "posts by or
// mentioning Acme that talk about a launch". To listen for either of two
// things, make two topics. A topic needs at least one of Any, All, Hashtags
// or Accounts; None alone matches nothing and is refused.
//
// # Terms
//
// A term is a word or a phrase. Matching ignores case and, for Latin, Greek
// and Cyrillic letters, accents ("cafe" matches "Café", "muller" matches
// "Müller"); full-width Latin letters match their usual forms, curly
// apostrophes match straight ones, and soft hyphens, zero-width joiners and
// emoji variation selectors are ignored ("❤️" matches "❤"). Letters, digits and combining marks are
// word characters, and a term matches only on word boundaries: "cat" does
// not match "category" (there is no stemming: "cat" does not match "cats"
// either). A phrase of several words matches those words in a row, whatever
// separates them in the post: "climate change" matches "Climate-change" and
// "climate,\nchange".
//
// A term that holds anything other than words and spaces, such as "C++",
// "$ACME" or "🚀", is matched as written (case and accents still folded),
// its spaces standing for any white space. A word character at its edge
// still needs a boundary there ("$ACME" does not match "$ACMEX"); a symbol at
// its edge needs none.
//
// Chinese, Japanese, Korean, Thai, Lao, Khmer and Myanmar are written without
// spaces between words (or, for Korean, with particles glued to them), so
// each of their characters counts as a word of its own: a term in these
// scripts matches as a substring ("東京" matches "東京タワー"), and a Latin word
// next to them has a boundary ("iPhone" matches "iPhoneを買った").
//
// A term written between slashes, such as "/colou?r/", is a regular
// expression in Go's RE2 syntax, matched case-insensitively against the
// original text, without accent folding and without implied word boundaries
// (use \b for ASCII ones). RE2 runs in time linear in the text, so no
// expression can stall matching, and each is limited in size.
//
// Hashtags hold letters, digits and underscores and are compared folded like
// terms. A '#' after a word character ("C#") or '&' starts no hashtag.
// Accounts are compared after dropping a leading '@' and lower-casing, in
// one of four forms: user@host (fediverse), a Bluesky handle such as
// alice.bsky.social, a DID such as did:plc:…, or an X account as
// user@x.com (user@twitter.com is the same).
//
// Duplicates within a list are folded. Limits, checked by Topic.Validate and
// Compile with errors that name the topic and the term: MaxTerms entries per
// topic across its lists, terms of 1 to MaxTermLen characters, MaxRegexTerms
// regular expressions per topic.
//
// # Algorithm
//
// Compile builds one Aho–Corasick automaton over the folded form of every
// plain term of every topic (a second one for terms with symbols), plus maps
// for hashtags and accounts. Match rewrites the post's text once into a folded
// "word stream" (words separated by single spaces) and, if needed, a "symbol
// stream" (punctuation kept), and runs each automaton over it in one pass.
// An occurrence that sits on the word boundaries its term needs marks the
// topics using that term. Only the topics so marked, plus topics that could
// match through regular expressions alone, are then checked against their
// lists and languages, regular expressions last. The cost of a post is
// therefore about the length of its text plus the number of occurrences,
// whatever the number of topics and terms, except for regular expressions,
// which cost one pass each for the topics that get that far.
//
// A Matcher is immutable and safe for concurrent use; recompiling is how
// topics change. Matcher.Spans and Preview give the byte offsets of each
// term's occurrences in a text, for highlighting.
package topic
