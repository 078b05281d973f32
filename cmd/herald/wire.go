package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/mail"
	"github.com/heraldsocial/herald/internal/report"
	"io"
	"log/slog"
	"os"

	"github.com/alexedwards/scs/v2"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/competitor"
	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/discord"
	"github.com/heraldsocial/herald/internal/connector/facebook"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/instagram"
	"github.com/heraldsocial/herald/internal/connector/linkedin"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/pinterest"
	"github.com/heraldsocial/herald/internal/connector/telegram"
	"github.com/heraldsocial/herald/internal/connector/threads"
	xconn "github.com/heraldsocial/herald/internal/connector/x"
	"github.com/heraldsocial/herald/internal/connector/youtube"
	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/evergreen"
	"github.com/heraldsocial/herald/internal/feeds"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/ical"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/jobs"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/links"
	"github.com/heraldsocial/herald/internal/listen"
	blueskylisten "github.com/heraldsocial/herald/internal/listen/bluesky"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/notify"
	"github.com/heraldsocial/herald/internal/outbound"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/postcsv"
	"github.com/heraldsocial/herald/internal/publish"
	"github.com/heraldsocial/herald/internal/review"
	"github.com/heraldsocial/herald/internal/server"
	"github.com/heraldsocial/herald/internal/task"
	"github.com/heraldsocial/herald/internal/template"
	"github.com/heraldsocial/herald/internal/web"
	"github.com/heraldsocial/herald/internal/webhook"
	"github.com/heraldsocial/herald/internal/workspace"
)

// app is Herald wired together: the composition root's result.
type app struct {
	store      herald.Store
	auth       *auth.Service
	sessions   *scs.SessionManager
	api        *api.API
	web        *web.Handler
	dispatcher *publish.Dispatcher
	heartbeat  *publish.Heartbeat
	jobs       *jobs.Runner
	// listen runs the listening sources while this instance leads.
	listen   *listen.Runner
	notifier *notify.Notifier
	// webhooks delivers notifications to the workspaces' channels
	// (Deliver); the notification service is to call it.
	webhooks *webhook.Service
	// links serves the tracked short links and records their clicks
	// (Start, Close).
	links   *links.Service
	version string
	clock   herald.Clock
}

// wire builds every service, the API, the publishing dispatcher and the
// background job runner over one store. Nothing is started.
func wire(cfg config.Config, st herald.Store, keys *keyring.Keyring, clock herald.Clock, logger *slog.Logger) (*app, error) {
	storage, err := media.NewDiskStorage(cfg.MediaDir)
	if err != nil {
		return nil, fmt.Errorf("media folder %s (HERALD_MEDIA_DIR): %w", cfg.MediaDir, err)
	}
	registry := connector.NewRegistry()
	// Platforms that fetch media from an address (Instagram, Threads) get
	// signed, expiring ones on the base URL.
	mediaLinks := media.NewPublicLinks(cfg.BaseURL, keys, st, storage, clock, logger)
	platforms := connector.NewHTTPClient()
	// Addresses people type (Mastodon instances, Bluesky handles and PDSs,
	// links in posts, the test platform, webhooks) go through the one
	// guarded client; only fixed hosts (X) use the shared one.
	typed := outbound.NewClient(outbound.Options{AllowPrivate: cfg.AllowPrivateNetworks})
	registry.Register(herald.PlatformBluesky, bluesky.New(typed, bluesky.WithLinkClient(typed), bluesky.WithLogger(logger)))
	registry.Register(herald.PlatformMastodon, mastodon.New(typed,
		mastodon.WithAppStore(account.NewAppStore(st, keys, herald.PlatformMastodon, clock)),
		mastodon.WithLogger(logger)))
	if cfg.XClientID != "" {
		registry.Register(herald.PlatformX, xconn.New(platforms,
			xconn.WithClient(cfg.XClientID, cfg.XClientSecret), xconn.WithLogger(logger)))
	} else {
		registry.Offer(herald.PlatformX, "create an app in X's developer portal with OAuth 2.0 and the callback URL "+
			cfg.BaseURL+"/api/v1/connect/callback, then set HERALD_X_CLIENT_ID (and HERALD_X_CLIENT_SECRET for a "+
			"confidential client) to its OAuth 2.0 client and restart Herald")
	}
	if cfg.PinterestClientID != "" {
		registry.Register(herald.PlatformPinterest, pinterest.New(platforms,
			pinterest.WithClient(cfg.PinterestClientID, cfg.PinterestClientSecret), pinterest.WithLogger(logger)))
	} else {
		registry.Offer(herald.PlatformPinterest, "create an app at developers.pinterest.com with the redirect URI "+
			cfg.BaseURL+"/api/v1/connect/callback and the scopes boards:read, pins:read, pins:write and user_accounts:read, "+
			"then set HERALD_PINTEREST_CLIENT_ID and HERALD_PINTEREST_CLIENT_SECRET to its app id and secret and restart Herald")
	}
	// Telegram needs no operator setup: each account brings its own bot.
	registry.Register(herald.PlatformTelegram, telegram.New(platforms, telegram.WithLogger(logger)))
	// Discord needs none either: each account is a channel's webhook.
	registry.Register(herald.PlatformDiscord, discord.New(platforms, discord.WithLogger(logger)))
	if cfg.MetaAppID != "" && cfg.MetaAppSecret != "" {
		registry.Register(herald.PlatformFacebook, facebook.New(platforms,
			facebook.WithApp(cfg.MetaAppID, cfg.MetaAppSecret), facebook.WithLogger(logger)))
		registry.Register(herald.PlatformInstagram, instagram.New(platforms,
			instagram.WithApp(cfg.MetaAppID, cfg.MetaAppSecret), instagram.WithMediaURL(mediaLinks.MediaURL),
			instagram.WithLogger(logger)))
	} else {
		registry.Offer(herald.PlatformFacebook, "create a Meta app with Facebook Login for Business and the callback URL "+
			cfg.BaseURL+"/api/v1/connect/callback, then set HERALD_META_APP_ID and HERALD_META_APP_SECRET and restart Herald")
		registry.Offer(herald.PlatformInstagram, "create a Meta app with Facebook Login for Business and the callback URL "+
			cfg.BaseURL+"/api/v1/connect/callback, set HERALD_META_APP_ID and HERALD_META_APP_SECRET, and make sure "+
			cfg.BaseURL+"/media/public/ is reachable from the internet (Instagram fetches images from there); then restart Herald")
	}
	if cfg.LinkedInClientID != "" && cfg.LinkedInClientSecret != "" {
		registry.Register(herald.PlatformLinkedIn, linkedin.New(platforms,
			linkedin.WithApp(cfg.LinkedInClientID, cfg.LinkedInClientSecret), linkedin.WithLogger(logger)))
	} else {
		registry.Offer(herald.PlatformLinkedIn, "create an app at linkedin.com/developers with the products Sign In with LinkedIn "+
			"using OpenID Connect, Share on LinkedIn and (to post as pages) the Community Management API, add the redirect URL "+
			cfg.BaseURL+"/api/v1/connect/callback, then set HERALD_LINKEDIN_CLIENT_ID and HERALD_LINKEDIN_CLIENT_SECRET and restart Herald")
	}
	if cfg.ThreadsAppID != "" && cfg.ThreadsAppSecret != "" {
		registry.Register(herald.PlatformThreads, threads.New(platforms,
			threads.WithApp(cfg.ThreadsAppID, cfg.ThreadsAppSecret), threads.WithMediaURL(mediaLinks.MediaURL),
			threads.WithLogger(logger)))
	} else {
		registry.Offer(herald.PlatformThreads, "create a Meta app with the Threads use case and the redirect callback URL "+
			cfg.BaseURL+"/api/v1/connect/callback, set HERALD_THREADS_APP_ID and HERALD_THREADS_APP_SECRET to its Threads app id and secret, "+
			"and make sure "+cfg.BaseURL+"/media/public/ is reachable from the internet (Threads fetches images and videos from there); then restart Herald")
	}
	if cfg.GoogleClientID != "" && cfg.GoogleClientSecret != "" {
		registry.Register(herald.PlatformYouTube, youtube.New(platforms,
			youtube.WithClient(cfg.GoogleClientID, cfg.GoogleClientSecret), youtube.WithLogger(logger)))
	} else {
		registry.Offer(herald.PlatformYouTube, "in the Google Cloud console create a project, enable the YouTube Data API v3 "+
			"(APIs & Services → Library), configure the OAuth consent screen (add the scopes "+
			"https://www.googleapis.com/auth/youtube.upload, https://www.googleapis.com/auth/youtube.force-ssl and "+
			"https://www.googleapis.com/auth/youtube.readonly, and your channels' Google accounts as test users until the app is "+
			"verified), create an OAuth client ID of type Web application with the authorized redirect URI "+
			cfg.BaseURL+"/api/v1/connect/callback, then set HERALD_GOOGLE_CLIENT_ID and HERALD_GOOGLE_CLIENT_SECRET to its client "+
			"id and secret and restart Herald")
	}
	if cfg.TestPlatform {
		registry.Register(herald.PlatformFake, fake.New(typed, fake.WithIdempotency(cfg.TestPlatformIdempotency)))
	} else {
		registry.Offer(herald.PlatformFake, "run herald dev fake-platform, then restart Herald with "+
			"HERALD_TEST_PLATFORM=true and HERALD_ALLOW_PRIVATE_NETWORKS=true")
	}
	gate := connector.NewRateGate()
	notifier := notify.New(logger, cfg.NotifyWebhookURL,
		outbound.NewClient(outbound.Options{AllowPrivate: cfg.AllowPrivateNetworks, Timeout: notify.Timeout}))
	instance := cfg.InstanceID
	if instance == "" {
		instance = defaultInstanceID()
	}

	// Workspace notification channels (Slack, Discord, signed webhooks):
	// the notification service hands every notification to
	// webhookSvc.Deliver; the jobs attempt the deliveries.
	webhookSvc, err := webhook.New(webhook.Config{BaseURL: cfg.BaseURL, AllowPrivate: cfg.AllowPrivateNetworks},
		webhook.Deps{Store: st, Keys: keys, Clock: clock, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	// Every notification goes through one service: the log and the
	// operator's webhook, each member's feed, the workspace's channels.
	notifications := notify.NewService(notify.ServiceDeps{Store: st, Hook: notifier, Channels: webhookSvc,
		Clock: clock, Logger: logger})
	a := &app{store: st, notifier: notifier, version: version(), clock: clock}
	a.auth = auth.New(st, clock, logger)
	a.sessions = auth.NewSessionManager(st, cfg.SecureCookies())
	// A post sent back for changes becomes a task for its author.
	tasks := task.New(st, clock, notifications, logger)
	// Images over a platform's size limit are re-encoded to fit, the same
	// way in the composer's checks and when publishing.
	fitter, err := media.NewFitter(storage)
	if err != nil {
		return nil, err
	}
	postOpts := []post.Option{post.WithConnectors(registry, keys), post.WithChangesHook(tasks),
		post.WithMediaFitter(fitter), post.WithNotifier(notifications)}
	if cfg.Driver() == config.DriverSQLite {
		// serve holds the data folder's lock: a reply still sending from
		// before now was left by a dead process.
		postOpts = append(postOpts, post.WithSingleInstance(clock.Now()))
	}
	// Tracked links: the dispatcher publishes each target's addresses as
	// its short links, and the composer's checks count them so.
	a.links, err = links.New(st, links.Options{BaseURL: cfg.BaseURL, Sealer: keys, Clock: clock, Logger: logger,
		Referrer: cfg.LinksReferrer, CountryHeader: cfg.LinksCountryHeader})
	if err != nil {
		return nil, fmt.Errorf("tracked links: %w", err)
	}
	postOpts = append(postOpts, post.WithLinkShortener(a.links))
	posts := post.New(st, clock, logger, postOpts...)
	inboxSvc := inbox.New(st, clock, logger, inbox.WithNotifier(notifications), inbox.WithDMPlatforms(registry))
	a.heartbeat = newHeartbeat(cfg, st, instance, clock, logger)
	a.dispatcher = publish.New(publish.Config{
		Instance: instance,
		// On SQLite, serve holds the data folder's lock (sqlite.LockDir)
		// before wiring: whoever left a lease in the database is dead.
		Exclusive:    cfg.Driver() == config.DriverSQLite,
		Concurrency:  cfg.PublishConcurrency,
		Lease:        cfg.PublishLease,
		CallTimeout:  cfg.PublishCallTimeout,
		ExpiredEvery: cfg.PublishExpiredEvery,
		BackoffBase:  cfg.PublishBackoffBase,
	},
		publish.Deps{
			Store:      st,
			Connectors: registry,
			Open:       keys.Open,
			Seal:       keys.Seal,
			FitMedia:   fitter.Fit,
			OpenMedia: func(_ context.Context, key string) (io.ReadCloser, error) {
				return storage.Open(key)
			},
			Links:    a.links,
			Notifier: notifications,
			Clock:    clock,
			Logger:   logger,
			RateGate: gate,
		})
	posts.SetWaker(a.dispatcher)
	evergreenSvc := evergreen.New(st, clock, logger)
	calendarFeeds := ical.New(st, clock, logger)
	feedSvc := feeds.New(st, posts, feeds.NewClient(cfg.AllowPrivateNetworks), clock, logger,
		feeds.Config{UserAgent: "Herald/" + a.version + " feed reader"})
	mailer, err := mail.New(mail.Config{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
		Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS}, logger)
	if err != nil {
		return nil, fmt.Errorf("e-mail: %w", err)
	}
	analyticsSvc := analytics.New(st, clock)
	// Listening: the sources the operator named feed one ingest, which
	// every topic change in this process refreshes at once.
	ingest := listen.NewIngest(st, clock, logger)
	listenSvc := listen.New(st, clock, logger, ingest.Changed)
	// The hashtag streams of the instances where workspaces have connected
	// Mastodon-API accounts, for the hashtags of their topics.
	tags := &listen.MastodonTags{Store: st, Open: keys.Open, Client: typed, Cursors: ingest, Logger: logger}
	// X recent search for the topics of workspaces with a connected X
	// account, where the account's API access includes it.
	xsearch := &listen.XSearch{Store: st, Open: keys.Open, Client: platforms, Cursors: ingest, Logger: logger}
	a.listen = &listen.Runner{Sink: ingest, Discover: listen.AllSources(tags.Sources, xsearch.Sources), Logger: logger}
	listenSvc.SetSources(listen.Notes(cfg.ListenBlueskyFirehose, cfg.ListenJetstream, tags, xsearch))
	if cfg.ListenBlueskyFirehose != "" {
		a.listen.Sources = append(a.listen.Sources, &blueskylisten.Firehose{Host: cfg.ListenBlueskyFirehose,
			UserAgent: "Herald/" + a.version, Logger: logger, Cursors: ingest})
	}
	if cfg.ListenJetstream != "" {
		a.listen.Sources = append(a.listen.Sources, &blueskylisten.Jetstream{Host: cfg.ListenJetstream,
			UserAgent: "Herald/" + a.version, Logger: logger, Cursors: ingest})
	}
	reports := report.NewService(st, analyticsSvc, mailer, clock, logger)
	crisisSvc := crisis.New(st, posts, notifications, clock, logger)
	competitors := competitor.New(st, registry, keys.Open, clock, logger)
	a.jobs, err = jobs.New(jobs.Config{ID: instance}, jobs.Deps{
		Crisis:      crisisSvc,
		Competitors: competitors,
		Listen:      listenSvc,
		Reports:     reports,
		Store:       st,
		Connectors:  registry,
		Keys:        keys,
		Extender:    posts,
		Evergreen:   evergreenSvc,
		Feeds:       feedSvc,
		Webhooks:    webhookSvc,
		Tasks:       tasks,
		Inbox:       inboxSvc,
		Replies:     posts,
		Overdue:     inboxSvc,
		Notifier:    notifications,
		Clock:       clock,
		RateGate:    gate,
		Logger:      logger,
	})
	if err != nil {
		return nil, fmt.Errorf("background jobs: %w", err)
	}
	webhookSvc.UseQueue(a.jobs)
	a.listen.Leader = a.jobs.IsLeader
	a.webhooks = webhookSvc
	workspaces := workspace.New(st, clock, logger)
	accounts := account.New(st, keys, clock, logger,
		account.WithConnectors(registry, cfg.BaseURL+"/api/v1/connect/callback", a.auth))
	labels := label.New(st, clock, logger)
	campaigns := campaign.New(st, clock, logger)
	mediaSvc := media.New(st, storage, cfg.MediaMaxBytes, clock, logger)
	// Media linked from imported CSV files are fetched through the guarded
	// client, never reading more than the library accepts.
	imports := postcsv.New(postcsv.Deps{Posts: posts, Media: mediaSvc, Accounts: accounts, Labels: labels, Campaigns: campaigns,
		Client: outbound.NewClient(outbound.Options{AllowPrivate: cfg.AllowPrivateNetworks, MaxBody: cfg.MediaMaxBytes + 1}),
		Clock:  clock, Logger: logger})
	templates := template.New(st, clock, posts, logger)
	reviews := review.New(st, posts, clock, logger, review.WithNotifier(notifications))
	a.api = api.New(api.Deps{
		Auth:          a.auth,
		Sessions:      a.sessions,
		Workspaces:    workspaces,
		Labels:        labels,
		Campaigns:     campaigns,
		Posts:         posts,
		Inbox:         inboxSvc,
		Accounts:      accounts,
		Media:         mediaSvc,
		Evergreen:     evergreenSvc,
		Calendar:      calendarFeeds,
		BaseURL:       cfg.BaseURL,
		Imports:       imports,
		Templates:     templates,
		Feeds:         feedSvc,
		Webhooks:      webhookSvc,
		Tasks:         tasks,
		Reviews:       reviews,
		Notifications: notifications,
		Analytics:     analyticsSvc,
		Reports:       reports,
		Links:         a.links,
		Listen:        listenSvc,
		Crisis:        crisisSvc,
		Competitors:   competitors,
		Logger:        logger,
		Version:       a.version,
	})
	a.web, err = web.New(web.Deps{Auth: a.auth, Sessions: a.sessions, Workspaces: workspaces,
		Posts: posts, Inbox: inboxSvc, Accounts: accounts, Media: mediaSvc, Labels: labels, Campaigns: campaigns, Templates: templates,
		Evergreen: evergreenSvc, Calendar: calendarFeeds, Feeds: feedSvc, Webhooks: webhookSvc, Imports: imports, Tasks: tasks,
		Reviews: reviews, Notifications: notifications, Analytics: analyticsSvc, Reports: reports, Links: a.links, Listen: listenSvc, Competitors: competitors, Crisis: crisisSvc, MediaLinks: mediaLinks, Users: st, Clock: clock, Logger: logger, Version: a.version})
	if err != nil {
		return nil, fmt.Errorf("web interface: %w", err)
	}
	return a, nil
}

// serverDeps is what the HTTP server needs from the app.
func (a *app) serverDeps() server.Deps {
	routes := make([]string, 0, len(a.api.Routes()))
	for _, r := range a.api.Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	return server.Deps{
		Store:      a.store,
		Auth:       a.auth,
		Sessions:   a.sessions,
		API:        a.api,
		Web:        a.web,
		Links:      a.links.Handler(),
		APIRoutes:  routes,
		Version:    a.version,
		Clock:      a.clock,
		Collectors: a.dispatcher.Collectors(),
		Checks: map[string]func(context.Context) error{
			"publishing dispatcher": func(context.Context) error { return a.dispatcher.Healthy() },
		},
	}
}

// defaultInstanceID names this process: host name, process id and a random
// suffix, so two processes on one host never share publish leases.
func defaultInstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "herald"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// newHeartbeat returns the heartbeat that tells other instances this one
// is alive, so they leave its leases alone, and take them over within
// HERALD_INSTANCE_STALE_AFTER of its death.
func newHeartbeat(cfg config.Config, st herald.Store, instance string, clock herald.Clock, logger *slog.Logger) *publish.Heartbeat {
	host, _ := os.Hostname() // for people only; empty when unknown
	return publish.NewHeartbeat(publish.HeartbeatConfig{Instance: instance, StaleAfter: cfg.InstanceStaleAfter,
		Hostname: host, PID: os.Getpid(), Version: version()}, st, clock, logger)
}
