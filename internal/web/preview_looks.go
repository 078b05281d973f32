package web

import (
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// How each platform lays a post out, beyond colours (compose.css): where
// media goes, where a long text folds behind "more", how an image is
// cropped, what a carousel shows. The numbers are what the platforms' own
// apps show, not API limits.

// foldAt is how many characters a platform shows before "…more" in the
// feed; 0: it shows the whole text.
func foldAt(p herald.Platform) int {
	switch p {
	case herald.PlatformLinkedIn:
		return 210 // about three lines on the desktop feed
	case herald.PlatformInstagram:
		return 125 // the caption under the picture
	case herald.PlatformFacebook:
		return 480
	case herald.PlatformYouTube:
		return 100 // the description under the title
	}
	return 0
}

// foldWords is the platform's own word for the fold.
func foldWords(p herald.Platform) string {
	switch p {
	case herald.PlatformLinkedIn:
		return "…see more"
	case herald.PlatformFacebook:
		return "…See more"
	case herald.PlatformYouTube:
		return "…more"
	}
	return "… more"
}

// mediaFirst reports whether the platform shows media above the text.
func mediaFirst(p herald.Platform) bool {
	switch p {
	case herald.PlatformInstagram, herald.PlatformYouTube, herald.PlatformPinterest, herald.PlatformTelegram:
		return true
	}
	return false
}

// carousel reports whether several files show one at a time with dots.
func carousel(p herald.Platform) bool {
	switch p {
	case herald.PlatformInstagram, herald.PlatformPinterest, herald.PlatformThreads:
		return true
	}
	return false
}

// cropClass is how Instagram crops a feed picture: portraits to 4:5,
// wide pictures to 1.91:1, the rest square.
func cropClass(p herald.Platform, m herald.MediaAsset) string {
	if p != herald.PlatformInstagram || m.Width == 0 || m.Height == 0 {
		return ""
	}
	switch {
	case m.Height > m.Width:
		return "pv-crop-portrait"
	case float64(m.Width) >= 1.91*float64(m.Height):
		return "pv-crop-wide"
	}
	return "pv-crop-square"
}

// fold splits segments after n characters, cutting a plain-text segment
// at a space where one is near; links, mentions and tags stay whole.
func fold(segs []segment, n int) (head, tail []segment) {
	if n <= 0 {
		return segs, nil
	}
	seen := 0
	for i, s := range segs {
		l := utf8.RuneCountInString(s.Text)
		if seen+l <= n {
			head = append(head, s)
			seen += l
			continue
		}
		if s.Kind != "" {
			return head, segs[i:]
		}
		r := []rune(s.Text)
		cut := n - seen
		for j := cut; j > 0 && j > cut-20; j-- {
			if r[j-1] == ' ' || r[j-1] == '\n' {
				cut = j
				break
			}
		}
		head = append(head, segment{Text: string(r[:cut])})
		tail = append([]segment{{Text: string(r[cut:])}}, segs[i+1:]...)
		return head, tail
	}
	return head, nil
}

// previewTitle is the title some platforms show above the text (YouTube's
// video title, a Pinterest pin's), from the variant's options.
func (tp targetPreview) previewTitle() string {
	switch tp.Account.Platform {
	case herald.PlatformYouTube, herald.PlatformPinterest:
		return tp.Options["title"]
	}
	return ""
}
