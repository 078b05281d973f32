package links

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/teststore"
)

func TestSettings(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		set, err := w.svc.Settings(ctx, w.actors[herald.RoleClient], w.ws.ID)
		must(t, err)
		if !set.TrackLinks || set.RateBy != "followers" || set.Currency != "USD" || !set.ConversionSecret.Empty() {
			t.Errorf("defaults %+v", set)
		}
		manager := w.actors[herald.RoleManager]
		set, err = w.svc.UpdateSettings(ctx, manager, w.ws.ID, false, "impressions", " gbp ")
		must(t, err)
		if set.TrackLinks || set.RateBy != "impressions" || set.Currency != "GBP" {
			t.Errorf("saved %+v", set)
		}
		again, err := w.svc.Settings(ctx, w.actors[herald.RoleAnalyst], w.ws.ID)
		must(t, err)
		if again.TrackLinks || again.RateBy != "impressions" || again.Currency != "GBP" {
			t.Errorf("read back %+v", again)
		}

		_, err = w.svc.UpdateSettings(ctx, manager, w.ws.ID, true, "likes", "EURO")
		var he *herald.Error
		if herald.ErrorCode(err) != herald.CodeInvalid || !errors.As(err, &he) || len(he.Details) != 2 {
			t.Errorf("invalid settings: %v", err)
		}

		secret, err := w.svc.RotateSecret(ctx, manager, w.ws.ID)
		must(t, err)
		if !strings.HasPrefix(secret, SecretPrefix) || len(secret) != len(SecretPrefix)+43 {
			t.Errorf("secret %q", secret)
		}
		stored, err := st.GetAnalyticsSettings(ctx, w.ws.ID)
		must(t, err)
		if stored.ConversionSecret.Empty() || strings.Contains(string(stored.ConversionSecret.Ciphertext), secret[len(SecretPrefix):]) {
			t.Fatal("the secret is not stored sealed")
		}
		if stored.Currency != "GBP" || stored.TrackLinks {
			t.Errorf("rotating the secret changed the settings: %+v", stored)
		}
		plain, err := w.keys.Open(stored.ConversionSecret, secretAAD(w.ws.ID))
		if err != nil || string(plain) != secret {
			t.Errorf("the sealed secret opens to %q, %v", plain, err)
		}
		if _, err := w.keys.Open(stored.ConversionSecret, secretAAD(w.other.ID)); err == nil {
			t.Error("the secret opens for another workspace")
		}
		second, err := w.svc.RotateSecret(ctx, manager, w.ws.ID)
		must(t, err)
		if second == secret {
			t.Error("rotating gave the same secret")
		}

		entries, _, err := st.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, ObjectType: "workspace", ObjectID: w.ws.ID})
		must(t, err)
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
			if strings.Contains(string(e.After), secret[len(SecretPrefix):]) || strings.Contains(string(e.Before), "conversion_secret") {
				t.Errorf("the audit entry %s shows the secret", e.Action)
			}
		}
		if want := "analytics.conversion_secret_rotate analytics.conversion_secret_rotate analytics.settings_update"; strings.Join(actions, " ") != want {
			t.Errorf("audit %v, want %s", actions, want)
		}
	})
}

func TestPermissions(t *testing.T) {
	w := newWorld(t, teststore.SQLite(t))
	ctx := t.Context()
	for _, r := range herald.Roles {
		a := w.actors[r]
		_, readErr := w.svc.Settings(ctx, a, w.ws.ID)
		_, listErr := w.svc.List(ctx, a, w.ws.ID, time.Time{}, time.Time{})
		_, targetErr := w.svc.TargetLinks(ctx, a, w.ws.ID, w.target.ID)
		_, updateErr := w.svc.UpdateSettings(ctx, a, w.ws.ID, true, "followers", "USD")
		_, rotateErr := w.svc.RotateSecret(ctx, a, w.ws.ID)
		_, createErr := w.svc.CreateLink(ctx, a, w.ws.ID, "https://bakery.example/", herald.UTM{})
		for name, tt := range map[string]struct {
			err error
			may bool
		}{
			"read settings": {readErr, r.Can(herald.ActAnalyticsRead)},
			"list":          {listErr, r.Can(herald.ActAnalyticsRead)},
			"target links":  {targetErr, r.Can(herald.ActAnalyticsRead)},
			"update":        {updateErr, r.AtLeast(herald.RoleManager)},
			"rotate":        {rotateErr, r.AtLeast(herald.RoleManager)},
			"create":        {createErr, r.Can(herald.ActPostsWrite)},
		} {
			if tt.may && tt.err != nil || !tt.may && herald.ErrorCode(tt.err) != herald.CodeForbidden {
				t.Errorf("%s may %s: %v (want allowed: %v)", r, name, tt.err, tt.may)
			}
		}
	}
	// Another workspace's member, or another workspace id: not found.
	if _, err := w.svc.Settings(ctx, w.outsider, w.ws.ID); herald.ErrorCode(err) != herald.CodeNotFound {
		t.Errorf("an outsider reads the settings: %v", err)
	}
	if _, err := w.svc.List(ctx, w.actors[herald.RoleOwner], w.other.ID, time.Time{}, time.Time{}); herald.ErrorCode(err) != herald.CodeNotFound {
		t.Errorf("an owner lists another workspace: %v", err)
	}
}

func TestCreateLinkAndList(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		editor := w.actors[herald.RoleEditor]
		l, err := w.svc.CreateLink(ctx, editor, w.ws.ID, " https://bakery.example/menu?lang=fr#today ",
			herald.UTM{Source: "newsletter", Medium: "email", Campaign: "may"})
		must(t, err)
		if !validCode(l.Code) || l.ID == 0 || l.TargetID != 0 || l.CreatedBy != editor.UserID ||
			l.URL != "https://bakery.example/menu?lang=fr#today" ||
			l.Destination != "https://bakery.example/menu?lang=fr&utm_source=newsletter&utm_medium=email&utm_campaign=may#today" {
			t.Errorf("link %+v", l)
		}
		if w.svc.ShortURL(l.Code) != testBase+"/l/"+l.Code {
			t.Errorf("ShortURL = %s", w.svc.ShortURL(l.Code))
		}
		second, err := w.svc.CreateLink(ctx, editor, w.ws.ID, "https://bakery.example/menu?lang=fr#today", herald.UTM{})
		must(t, err)
		if second.Code == l.Code {
			t.Error("a second builder link has the first one's code")
		}
		for _, bad := range []string{"javascript:alert(1)", "http://192.168.0.1/", "https://user:pw@bakery.example/"} {
			if _, err := w.svc.CreateLink(ctx, editor, w.ws.ID, bad, herald.UTM{}); herald.ErrorCode(err) != herald.CodeInvalid {
				t.Errorf("CreateLink(%q) = %v, want invalid", bad, err)
			}
		}
		w.visit(t, l.Code)
		w.link(t, "https://bakery.example/target")
		ls, err := w.svc.List(ctx, w.actors[herald.RoleAnalyst], w.ws.ID, time.Time{}, time.Time{})
		must(t, err)
		var found bool
		for _, s := range ls {
			if s.Code == l.Code {
				found = true
				if s.Clicks != 1 || s.Unique != 1 {
					t.Errorf("the builder link's counts %+v", s.LinkCounts)
				}
			}
		}
		if !found {
			t.Errorf("List does not show the builder link: %+v", ls)
		}
		if _, err := w.svc.List(ctx, w.actors[herald.RoleAnalyst], w.ws.ID, w.clock.Now(), w.clock.Now().Add(-time.Hour)); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Errorf("a period that ends before it starts: %v", err)
		}
		entries, _, err := st.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, ObjectType: "link", ObjectID: l.ID})
		must(t, err)
		if len(entries) != 1 || entries[0].Action != "link.create" {
			t.Errorf("audit %+v", entries)
		}
	})
}

func TestNew(t *testing.T) {
	keys := mustKeys(t)
	for _, o := range []Options{
		{BaseURL: "", Sealer: keys},
		{BaseURL: "herald.example", Sealer: keys},
		{BaseURL: "ftp://herald.example", Sealer: keys},
		{BaseURL: "https://herald.example/?x=1", Sealer: keys},
		{BaseURL: "https://herald.example"},
		{BaseURL: "https://herald.example", Sealer: keys, FlushEvery: -time.Second},
	} {
		if _, err := New(fakeStore{}, o); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Errorf("New(%+v) = %v, want invalid", o, err)
		}
	}
	if _, err := New(nil, Options{BaseURL: "https://herald.example", Sealer: keys}); err == nil {
		t.Error("New without a store")
	}
	s, err := New(fakeStore{}, Options{BaseURL: "https://herald.example/", Sealer: keys})
	if err != nil || s.BaseURL() != "https://herald.example" || s.ShortLinkLength() != len("https://herald.example/l/")+8 {
		t.Errorf("New = %v, %v", s, err)
	}
}
