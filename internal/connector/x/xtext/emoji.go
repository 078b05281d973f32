package xtext

import (
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

const (
	zwj        = '\u200D'
	vs16       = '\uFE0F' // emoji presentation selector
	keycapMark = '\u20E3'
	tagCancel  = '\U000E007F'
)

func regionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
func skinTone(r rune) bool          { return r >= 0x1F3FB && r <= 0x1F3FF }
func tagChar(r rune) bool           { return r >= 0xE0020 && r <= 0xE007E }
func keycapBase(r rune) bool        { return r == '#' || r == '*' || (r >= '0' && r <= '9') }

// pictographic reports whether r has the Unicode property
// Extended_Pictographic. Go's unicode package does not carry emoji
// properties, so it asks the grapheme segmenter (which has them): by rule
// GB11 a ZWJ joins an Extended_Pictographic character to the pictograph
// after it, and joins nothing else.
func pictographic(r rune) bool {
	if r < 0xA9 || invalidChar(r) {
		return false
	}
	probe := string(r) + "\u200D\U0001F600"
	cluster, _, _, _ := uniseg.FirstGraphemeClusterInString(probe, -1)
	return cluster == probe
}

// emojiPrefix returns the length in bytes of the emoji sequence that starts
// cluster (one grapheme cluster), or 0 when there is none or it is a lone
// code point (which weighs as its range says). A sequence is:
//
//	flag     RI RI
//	keycap   [0-9#*] FE0F? 20E3
//	element  pictograph (FE0F | skin tone)? tag* (tag cancel)?
//	sequence element (ZWJ element)*
func emojiPrefix(cluster string) int {
	rs := []rune(cluster)
	if len(rs) < 2 {
		return 0
	}
	n := 0
	switch {
	case regionalIndicator(rs[0]) && regionalIndicator(rs[1]):
		n = 2
	case keycapBase(rs[0]):
		switch {
		case len(rs) >= 3 && rs[1] == vs16 && rs[2] == keycapMark:
			n = 3
		case rs[1] == keycapMark:
			n = 2
		}
	case pictographic(rs[0]):
		n = element(rs, 0)
		for n+1 < len(rs) && rs[n] == zwj && pictographic(rs[n+1]) {
			n = element(rs, n+1)
		}
	}
	if n < 2 {
		return 0
	}
	size := 0
	for _, r := range rs[:n] {
		size += utf8.RuneLen(r)
	}
	return size
}

// element consumes one emoji element at rs[i] (a pictograph) and returns
// the index after it.
func element(rs []rune, i int) int {
	i++
	if i < len(rs) && (rs[i] == vs16 || skinTone(rs[i])) {
		i++
	}
	start := i
	for i < len(rs) && tagChar(rs[i]) {
		i++
	}
	if i > start && i < len(rs) && rs[i] == tagCancel {
		i++
	} else {
		i = start // tags without their terminator are not part of an emoji
	}
	return i
}
