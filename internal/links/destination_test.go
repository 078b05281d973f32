package links

import (
	"errors"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestTag(t *testing.T) {
	def := herald.UTM{Source: "mastodon", Medium: "social", Campaign: "spring-sale", Content: "42"}
	tests := []struct {
		name, url string
		utm       herald.UTM
		want      string
	}{
		{"plain", "https://example.com/a", def,
			"https://example.com/a?utm_source=mastodon&utm_medium=social&utm_campaign=spring-sale&utm_content=42"},
		{"no campaign", "https://example.com/", herald.UTM{Source: "bluesky", Medium: "social", Content: "7"},
			"https://example.com/?utm_source=bluesky&utm_medium=social&utm_content=7"},
		{"query kept", "https://example.com/p?id=3&x=a%20b", def,
			"https://example.com/p?id=3&x=a%20b&utm_source=mastodon&utm_medium=social&utm_campaign=spring-sale&utm_content=42"},
		{"written parameter kept", "https://example.com/p?utm_source=newsletter&utm_term=", def,
			"https://example.com/p?utm_source=newsletter&utm_term=&utm_medium=social&utm_campaign=spring-sale&utm_content=42"},
		{"escaped name kept", "https://example.com/p?utm%5Fmedium=email", def,
			"https://example.com/p?utm%5Fmedium=email&utm_source=mastodon&utm_campaign=spring-sale&utm_content=42"},
		{"fragment after query", "https://example.com/doc#part-2", def,
			"https://example.com/doc?utm_source=mastodon&utm_medium=social&utm_campaign=spring-sale&utm_content=42#part-2"},
		{"query and fragment", "https://example.com/doc?a=1#x?y", def,
			"https://example.com/doc?a=1&utm_source=mastodon&utm_medium=social&utm_campaign=spring-sale&utm_content=42#x?y"},
		{"trailing question mark", "https://example.com/?", herald.UTM{Medium: "social"},
			"https://example.com/?utm_medium=social"},
		{"trailing ampersand", "https://example.com/?a=1&", herald.UTM{Medium: "social"},
			"https://example.com/?a=1&utm_medium=social"},
		{"values escaped", "https://example.com", herald.UTM{Campaign: "Été & co", Term: "a+b"},
			"https://example.com?utm_campaign=%C3%89t%C3%A9+%26+co&utm_term=a%2Bb"},
		{"nothing to add", "https://example.com/x", herald.UTM{}, "https://example.com/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tag(tt.url, tt.utm); got != tt.want {
				t.Errorf("tag(%q)\n got %s\nwant %s", tt.url, got, tt.want)
			}
		})
	}
}

func TestDefaultsAndOverrides(t *testing.T) {
	in := RewriteInput{PostID: 42, CampaignID: 9, CampaignName: "  Spring Sale — 2025! ", Platform: herald.PlatformMastodon}
	want := herald.UTM{Source: "mastodon", Medium: "social", Campaign: "spring-sale-2025", Content: "42"}
	if got := in.defaults(); got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
	in.Links = &herald.LinkTracking{UTM: herald.UTM{Medium: "organic", Term: "bread"}}
	want.Medium, want.Term = "organic", "bread"
	if got := in.defaults(); got != want {
		t.Errorf("with overrides = %+v, want %+v", got, want)
	}
	if got := (RewriteInput{Platform: herald.PlatformBluesky}).defaults(); got != (herald.UTM{Source: "bluesky", Medium: "social"}) {
		t.Errorf("without post or campaign = %+v", got)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Spring Sale":           "spring-sale",
		"  Spring Sale — 2025!": "spring-sale-2025",
		"Black_Friday/2025":     "black-friday-2025",
		"Été 2025":              "été-2025",
		"---":                   "",
		"Q4":                    "q4",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckDestination(t *testing.T) {
	ok := []string{
		"https://example.com",
		"http://example.com/a?b=c#d",
		"HTTPS://Example.COM/Path",
		"https://sub.example.co.uk:8443/x",
		"https://93.184.216.34/page",
		"https://[2606:2800:220:1:248:1893:25c8:1946]/",
		"https://bücher.example/",
		"https://my_host.example.com/",
		"https://example.com/" + strings.Repeat("a", MaxURLLength-len("https://example.com/")),
	}
	for _, u := range ok {
		if err := CheckDestination(u); err != nil {
			t.Errorf("CheckDestination(%q) = %v, want nil", u, err)
		}
	}
	bad := []struct{ url, says string }{
		{"", "required"},
		{"javascript:alert(1)", "only http and https"},
		{"data:text/html,<script>alert(1)</script>", "only http and https"},
		{"ftp://example.com/file", "only http and https"},
		{"mailto:ana@example.com", "only http and https"},
		{"//example.com/a", "no scheme"},
		{"example.com/a", "no scheme"},
		{"https:///path", "no host"},
		{"http:example.com", "no host"},
		{"https://user:secret@example.com/", "user name or password"},
		{"https://user@example.com/", "user name or password"},
		{"http://127.0.0.1/", "loopback"},
		{"http://127.1.2.3:8080/", "loopback"},
		{"http://[::1]/", "loopback"},
		{"http://10.0.0.5/", "private"},
		{"http://192.168.1.1/admin", "private"},
		{"http://172.16.0.1/", "private"},
		{"http://[fd00::1]/", "private"},
		{"http://169.254.169.254/latest/meta-data/", "link-local"},
		{"http://[fe80::1%25eth0]/", "link-local"},
		{"http://0.0.0.0/", "unspecified"},
		{"http://[::]/", "unspecified"},
		{"http://224.0.0.1/", "multicast"},
		{"http://100.64.1.1/", "carrier-grade NAT"},
		{"http://[::ffff:127.0.0.1]/", "loopback"},
		{"http://localhost:8080/", "localhost"},
		{"http://LOCALHOST./", "localhost"},
		{"http://ｌｏｃａｌｈｏｓｔ/", "localhost"},
		{"http://app.localhost/", ".localhost"},
		{"http://printer.local/", ".local"},
		{"http://db.internal/", ".internal"},
		{"http://nas.home.arpa/", ".home.arpa"},
		{"http://intranet/", "no dot"},
		{"http://2130706433/", "numeric"},
		{"http://0x7f.1/", "numeric"},
		{"http://010.0.0.1/", "numeric"},
		{"https://exa mple.com/", "spaces"},
		{"https://example.com/" + strings.Repeat("a", MaxURLLength), "limit of 2048"},
	}
	for _, tt := range bad {
		err := CheckDestination(tt.url)
		if herald.ErrorCode(err) != herald.CodeInvalid {
			t.Errorf("CheckDestination(%q) = %v, want an invalid error", tt.url, err)
			continue
		}
		var he *herald.Error
		if !errors.As(err, &he) || len(he.Details) != 1 || he.Details[0].Field != "url" ||
			!strings.Contains(he.Details[0].Problem, tt.says) {
			t.Errorf("CheckDestination(%q) = %v, want a url problem saying %q", tt.url, err, tt.says)
		}
	}
}

func TestBuild(t *testing.T) {
	got, err := Build(" https://example.com/shop#top ", herald.UTM{Source: "newsletter", Campaign: "may"})
	if err != nil || got != "https://example.com/shop?utm_source=newsletter&utm_campaign=may#top" {
		t.Errorf("Build = %q, %v", got, err)
	}
	if _, err := Build("http://localhost/", herald.UTM{}); herald.ErrorCode(err) != herald.CodeInvalid {
		t.Errorf("Build(localhost) = %v, want invalid", err)
	}
	if _, err := Build("https://example.com", herald.UTM{Source: strings.Repeat("s", 201)}); herald.ErrorCode(err) != herald.CodeInvalid {
		t.Errorf("Build with a long source = %v, want invalid", err)
	}
	long := "https://example.com/" + strings.Repeat("a", MaxURLLength-40)
	if _, err := Build(long, herald.UTM{Campaign: strings.Repeat("c", 100)}); err == nil ||
		!strings.Contains(err.Error(), "with its UTM parameters") {
		t.Errorf("Build over the limit once tagged = %v", err)
	}
}

func TestASCIILocation(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/a?b=c#d":       "https://example.com/a?b=c#d",
		"https://bücher.example/straße?q=é": "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A9",
		"https://bücher.example:8443/":      "https://xn--bcher-kva.example:8443/",
	} {
		if got := asciiLocation(in); got != want {
			t.Errorf("asciiLocation(%q) = %q, want %q", in, got, want)
		}
	}
}
