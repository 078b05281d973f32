// Package platformfakes serves, on loopback, a fake of every platform Herald
// connects to by OAuth (Facebook Pages, Instagram, LinkedIn, Pinterest,
// Threads, YouTube), Discord's webhooks and a Telegram channel's bot, each with one account, and registers
// their connectors pointed at them. It is shared by the web interface's and
// the REST API's end-to-end tests, which connect, compose and publish on
// every platform the way a person or a program does.
package platformfakes

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/discord"
	"github.com/heraldsocial/herald/internal/connector/discord/discordfake"
	"github.com/heraldsocial/herald/internal/connector/facebook"
	"github.com/heraldsocial/herald/internal/connector/facebook/facebookfake"
	"github.com/heraldsocial/herald/internal/connector/instagram"
	"github.com/heraldsocial/herald/internal/connector/instagram/instagramfake"
	"github.com/heraldsocial/herald/internal/connector/linkedin"
	"github.com/heraldsocial/herald/internal/connector/linkedin/linkedinfake"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
	"github.com/heraldsocial/herald/internal/connector/pinterest"
	"github.com/heraldsocial/herald/internal/connector/pinterest/pinterestfake"
	"github.com/heraldsocial/herald/internal/connector/telegram"
	"github.com/heraldsocial/herald/internal/connector/telegram/telegramfake"
	"github.com/heraldsocial/herald/internal/connector/threads"
	"github.com/heraldsocial/herald/internal/connector/threads/threadsfake"
	"github.com/heraldsocial/herald/internal/connector/youtube"
	"github.com/heraldsocial/herald/internal/connector/youtube/youtubefake"
	"github.com/heraldsocial/herald/internal/herald"
)

// The accounts the fakes hold, as Herald names them once connected.
const (
	FacebookHandle  = "@acmecafe"
	InstagramHandle = "@acme.cafe"
	LinkedInHandle  = "Ada Lovelace"
	PinterestHandle = "acmepins"
	ThreadsHandle   = "@acme.threads"
	DiscordHandle   = "Acme News"
	YouTubeHandle   = "@acmevideos"
	TelegramHandle  = "@acmenews"
	// YouTubeChannel is the YouTube channel's id.
	YouTubeChannel = "UCacme000000000000000001"
	// The Pinterest account's boards (ids), the second the one tests pick.
	BoardNews, BoardLaunches = "9101", "9102"
)

// MediaURLFunc gives a library file's public https address, as Instagram
// and Threads fetch media from one (media.PublicLinks.MediaURL).
type MediaURLFunc func(ctx context.Context, m connector.Media) (string, error)

// Set is the running fakes.
type Set struct {
	Facebook  *facebookfake.Server
	Instagram *instagramfake.Server
	LinkedIn  *linkedinfake.Server
	Pinterest *pinterestfake.Server
	Threads   *threadsfake.Server
	Discord   *discordfake.Server
	YouTube   *youtubefake.Server
	Telegram  *telegramfake.Server
	// TelegramBot is the bot, an administrator of the TelegramChat channel.
	TelegramBot  telegramfake.Bot
	TelegramChat telegramfake.Chat

	// FacebookPage is the Page connected on Facebook; InstagramPage the
	// Page whose linked Instagram account is connected.
	FacebookPage, InstagramPage graphfake.Page
	ThreadsUser                 threadsfake.User
	// Webhook is the Discord channel's webhook; WebhookURL the address a
	// person pastes (Discord's, whose id and token name the webhook).
	Webhook    discordfake.Webhook
	WebhookURL string

	urls map[herald.Platform]string
	// mediaURL is read when Instagram or Threads publish, after Start.
	mediaURL MediaURLFunc
}

// Start starts the fakes; they stop when the test ends. mediaURL gives
// Instagram and Threads the public address of a file; it may be set
// later with SetMediaURL, before anything is published.
func Start(t testing.TB, mediaURL MediaURLFunc) *Set {
	t.Helper()
	s := &Set{urls: map[herald.Platform]string{}, mediaURL: mediaURL}
	serve := func(p herald.Platform, h http.Handler) {
		ts := httptest.NewServer(h)
		t.Cleanup(ts.Close)
		s.urls[p] = ts.URL
	}

	s.Facebook = facebookfake.New(graphfake.Config{AppID: "fb-app", AppSecret: "fb-secret"})
	fbUser := s.Facebook.AddUser("Ada")
	s.FacebookPage = s.Facebook.AddPage(fbUser.ID, "Acme Cafe", "acmecafe", "")
	serve(herald.PlatformFacebook, s.Facebook)

	s.Instagram = instagramfake.New(graphfake.Config{AppID: "fb-app", AppSecret: "fb-secret"})
	igUser := s.Instagram.AddUser("Ada")
	s.InstagramPage = s.Instagram.AddPage(igUser.ID, "Acme Cafe", "acmecafe", "acme.cafe")
	serve(herald.PlatformInstagram, s.Instagram)

	s.LinkedIn = linkedinfake.New("li-app", "li-secret", "782bbtaQ", LinkedInHandle)
	serve(herald.PlatformLinkedIn, s.LinkedIn)

	s.Pinterest = pinterestfake.New("pin-app", "pin-secret", PinterestHandle, BoardNews, BoardLaunches)
	serve(herald.PlatformPinterest, s.Pinterest)

	s.Threads = threadsfake.New(threadsfake.Config{AppID: "th-app", AppSecret: "th-secret"})
	s.ThreadsUser = s.Threads.AddUser("acme.threads", "Acme on Threads")
	serve(herald.PlatformThreads, s.Threads)

	s.Discord = discordfake.New()
	s.Webhook = s.Discord.AddWebhook(DiscordHandle, false)
	s.WebhookURL = "https://discord.com/api/webhooks/" + s.Webhook.ID + "/" + s.Webhook.Token
	serve(herald.PlatformDiscord, s.Discord)

	s.YouTube = youtubefake.New("yt-app", "yt-secret", YouTubeChannel, YouTubeHandle)
	serve(herald.PlatformYouTube, s.YouTube)

	s.Telegram = telegramfake.New()
	s.TelegramBot = s.Telegram.AddBot("acme_news_bot")
	s.TelegramChat = s.Telegram.AddChat("channel", "Acme News", TelegramHandle[1:])
	s.Telegram.SetMember(s.TelegramChat.ID, s.TelegramBot.ID, telegramfake.Member{Status: "administrator", CanPost: true, CanEdit: true})
	serve(herald.PlatformTelegram, s.Telegram)
	return s
}

// Password is what a person pastes to connect a platform connected with
// an identifier and a secret: Discord's webhook URL, the Telegram bot's
// token.
func (s *Set) Password(p herald.Platform) string {
	if p == herald.PlatformTelegram {
		return s.TelegramBot.Token
	}
	return s.WebhookURL
}

// SetMediaURL sets where Instagram and Threads are told to fetch files.
// Call it before anything is published.
func (s *Set) SetMediaURL(f MediaURLFunc) { s.mediaURL = f }

func (s *Set) publicURL(ctx context.Context, m connector.Media) (string, error) {
	return s.mediaURL(ctx, m)
}

// Register registers every platform's connector in r, pointed at its fake.
func (s *Set) Register(r *connector.Registry) {
	u := s.urls
	r.Register(herald.PlatformFacebook, facebook.New(nil, facebook.WithApp("fb-app", "fb-secret"),
		facebook.WithBaseURL(u[herald.PlatformFacebook], u[herald.PlatformFacebook], u[herald.PlatformFacebook])))
	r.Register(herald.PlatformInstagram, instagram.New(nil, instagram.WithApp("fb-app", "fb-secret"),
		instagram.WithBaseURL(u[herald.PlatformInstagram], u[herald.PlatformInstagram]), instagram.WithMediaURL(s.publicURL)))
	r.Register(herald.PlatformLinkedIn, linkedin.New(nil, linkedin.WithApp("li-app", "li-secret"),
		linkedin.WithBaseURL(u[herald.PlatformLinkedIn], u[herald.PlatformLinkedIn]+"/oauth/v2")))
	r.Register(herald.PlatformPinterest, pinterest.New(nil, pinterest.WithClient("pin-app", "pin-secret"),
		pinterest.WithBaseURL(u[herald.PlatformPinterest]), pinterest.WithAuthorizeURL(u[herald.PlatformPinterest]+"/oauth/")))
	r.Register(herald.PlatformThreads, threads.New(nil, threads.WithApp("th-app", "th-secret"),
		threads.WithBaseURL(u[herald.PlatformThreads], u[herald.PlatformThreads]), threads.WithMediaURL(s.publicURL)))
	r.Register(herald.PlatformDiscord, discord.New(nil, discord.WithBaseURL(u[herald.PlatformDiscord]+"/api/v10")))
	r.Register(herald.PlatformTelegram, telegram.New(nil, telegram.WithBaseURL(u[herald.PlatformTelegram])))
	yt := u[herald.PlatformYouTube]
	r.Register(herald.PlatformYouTube, youtube.New(nil, youtube.WithClient("yt-app", "yt-secret"), youtube.WithBaseURL(yt),
		youtube.WithAuthorizeURL(yt+"/o/oauth2/v2/auth"), youtube.WithTokenURL(yt+"/token")))
}

// Published is a post a fake holds, in the terms the tests compare.
type Published struct {
	Text string
	// Fields are what the platform kept of the post's options and media
	// (board, title, link, visibility, flags, images), by Herald's option
	// keys where there is one.
	Fields map[string]string
}

// Posts returns what platform p's fake holds for the connected account,
// oldest first (comments and replies left out).
func (s *Set) Posts(p herald.Platform) []Published {
	var out []Published
	switch p {
	case herald.PlatformFacebook:
		for _, x := range s.Facebook.Posts(s.FacebookPage.ID) {
			out = append(out, Published{Text: x.Message, Fields: map[string]string{"link": x.Link,
				"photos": itoa(len(x.Photos))}})
		}
	case herald.PlatformInstagram:
		for _, x := range s.Instagram.AllMedia(s.InstagramPage.Instagram.ID) {
			out = append(out, Published{Text: x.Caption, Fields: map[string]string{"items": itoa(x.Items)}})
		}
	case herald.PlatformLinkedIn:
		for _, x := range s.LinkedIn.Posts() {
			if x.Parent != "" {
				continue
			}
			f := map[string]string{"visibility": x.Visibility, "images": itoa(len(x.Images))}
			if x.Article != nil {
				f["link"], f["link_title"] = x.Article.Source, x.Article.Title
			}
			out = append(out, Published{Text: x.Commentary, Fields: f})
		}
	case herald.PlatformPinterest:
		for _, x := range s.Pinterest.Pins() {
			out = append(out, Published{Text: x.Description, Fields: map[string]string{"board": x.BoardID,
				"title": x.Title, "link": x.Link, "alt_text": x.AltText, "source": x.SourceType}})
		}
	case herald.PlatformThreads:
		for _, x := range s.Threads.Posts(s.ThreadsUser.ID) {
			if x.ReplyTo != "" {
				continue
			}
			out = append(out, Published{Text: x.Text, Fields: map[string]string{"media_type": x.MediaType}})
		}
	case herald.PlatformDiscord:
		for _, x := range s.Discord.Messages(s.Webhook.ID) {
			out = append(out, Published{Text: x.Content, Fields: map[string]string{"flags": itoa(x.Flags),
				"username": x.Username, "files": itoa(len(x.Files))}})
		}
	case herald.PlatformTelegram:
		for _, x := range s.Telegram.Messages(s.TelegramChat.ID) {
			if x.FromBot == 0 || x.ReplyTo != 0 {
				continue
			}
			out = append(out, Published{Text: x.Text, Fields: map[string]string{"silent": strconv.FormatBool(x.Silent),
				"pinned": strconv.FormatBool(x.Pinned), "kind": x.Kind}})
		}
	case herald.PlatformYouTube:
		for _, x := range s.YouTube.Videos() {
			out = append(out, Published{Text: x.Description, Fields: map[string]string{"title": x.Title,
				"privacy": x.Privacy, "size": strconv.FormatInt(x.Size, 10)}})
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// Violations returns every way Herald broke a platform's contract, as the
// fakes that check one saw it, each prefixed with the platform.
func (s *Set) Violations() []string {
	var out []string
	for _, v := range []struct {
		p    herald.Platform
		list []string
	}{
		{herald.PlatformFacebook, s.Facebook.Violations()},
		{herald.PlatformInstagram, s.Instagram.Violations()},
		{herald.PlatformLinkedIn, s.LinkedIn.Violations()},
		{herald.PlatformThreads, s.Threads.Violations()},
		{herald.PlatformDiscord, s.Discord.ContractErrors()},
		{herald.PlatformYouTube, s.YouTube.Violations()},
		{herald.PlatformTelegram, s.Telegram.ContractErrors()},
	} {
		for _, m := range v.list {
			out = append(out, string(v.p)+": "+m)
		}
	}
	return out
}

// JPEG encodes an n×n JPEG: a square picture in the format every platform
// takes (Instagram publishes JPEG only).
func JPEG(t testing.TB, n int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	for x := range n {
		for y := range n {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: 0x80, B: uint8(y * 4), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// MP4 is an MP4 file of about n bytes as Herald's media library tells
// one: an ISO base media "ftyp" box with the isom brand, then the data
// in an "mdat" box (no "moov": its length and size are unknown, as for a
// file whose header Herald cannot read).
func MP4(n int) []byte {
	ftyp := []byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'i', 's', 'o', '2'}
	size := max(n-len(ftyp), 8)
	mdat := make([]byte, size)
	mdat[0], mdat[1], mdat[2], mdat[3] = byte(size>>24), byte(size>>16), byte(size>>8), byte(size)
	copy(mdat[4:], "mdat")
	for i := 8; i < size; i++ {
		mdat[i] = byte(i * 31)
	}
	return append(ftyp, mdat...)
}
