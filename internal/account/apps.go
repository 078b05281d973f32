package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
)

// AppStore keeps Herald's app registrations on one platform's instances,
// client secrets sealed, for connectors that register Herald per server
// (the Mastodon connector's AppStore). It is safe for concurrent use.
type AppStore struct {
	store    herald.Store
	keys     *keyring.Keyring
	platform herald.Platform
	clock    herald.Clock
}

// NewAppStore returns the app registrations of platform.
func NewAppStore(store herald.Store, keys *keyring.Keyring, platform herald.Platform, clock herald.Clock) *AppStore {
	return &AppStore{store: store, keys: keys, platform: platform, clock: clock}
}

// GetApp returns Herald's client on instance; found is false when Herald
// has not registered there yet.
func (a *AppStore) GetApp(ctx context.Context, instance string) (clientID, clientSecret string, found bool, err error) {
	r, err := a.store.GetAppRegistration(ctx, a.platform, instance)
	if errors.Is(err, herald.ErrNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("account: app registration on %s: %w", instance, err)
	}
	plain, err := a.keys.Open(r.ClientSecret, r.AAD())
	if err != nil {
		return "", "", false, fmt.Errorf("account: open the client secret for %s: %w", instance, err)
	}
	return r.ClientID, string(plain), true, nil
}

// SaveApp records Herald's client on instance, replacing an earlier one.
func (a *AppStore) SaveApp(ctx context.Context, instance, clientID, clientSecret string) error {
	now := a.clock.Now()
	r := herald.AppRegistration{Platform: a.platform, Instance: instance, ClientID: clientID, CreatedAt: now, UpdatedAt: now}
	sealed, err := a.keys.Seal([]byte(clientSecret), r.AAD())
	if err != nil {
		return fmt.Errorf("account: seal the client secret for %s: %w", instance, err)
	}
	r.ClientSecret = sealed
	if err := a.store.SaveAppRegistration(ctx, &r); err != nil {
		return fmt.Errorf("account: save the app registration on %s: %w", instance, err)
	}
	return nil
}

// GetSoftware returns what Herald learned instance runs; found is false
// when it has not learned it yet.
func (a *AppStore) GetSoftware(ctx context.Context, instance string) (herald.InstanceSoftware, bool, error) {
	sw, err := a.store.GetInstanceSoftware(ctx, a.platform, instance)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.InstanceSoftware{}, false, nil
	}
	if err != nil {
		return herald.InstanceSoftware{}, false, fmt.Errorf("account: software of %s: %w", instance, err)
	}
	return sw, true, nil
}

// SaveSoftware records what an instance runs.
func (a *AppStore) SaveSoftware(ctx context.Context, sw herald.InstanceSoftware) error {
	sw.Platform = a.platform
	if sw.CheckedAt.IsZero() {
		sw.CheckedAt = a.clock.Now()
	}
	if err := a.store.SaveInstanceSoftware(ctx, &sw); err != nil {
		return fmt.Errorf("account: save the software of %s: %w", sw.Instance, err)
	}
	return nil
}

// Software returns what the instances of the workspace's accounts run, as
// Herald learned it (keyed by platform and instance URL, "mastodon
// https://a.social"); instances with nothing recorded are absent.
func (s *Service) Software(ctx context.Context, actor herald.Actor, accts []herald.Account) (map[string]herald.InstanceSoftware, error) {
	if err := actor.Require(herald.ActAccountsRead); err != nil {
		return nil, err
	}
	out := map[string]herald.InstanceSoftware{}
	for _, a := range accts {
		if a.InstanceURL == "" || a.WorkspaceID != actor.WorkspaceID {
			continue
		}
		key := SoftwareKey(a.Platform, a.InstanceURL)
		if _, done := out[key]; done {
			continue
		}
		sw, err := s.store.GetInstanceSoftware(ctx, a.Platform, a.InstanceURL)
		if errors.Is(err, herald.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("account: software of %s: %w", a.InstanceURL, err)
		}
		out[key] = sw
	}
	return out, nil
}

// SoftwareKey is the key of Software's map.
func SoftwareKey(p herald.Platform, instance string) string { return string(p) + " " + instance }

// RetryWords says what an instance's software means for retries, for people.
func RetryWords(sw herald.InstanceSoftware) string {
	if sw.Deduplicates {
		return sw.Label() + " · deduplicates retries: a post whose answer was lost is sent again with the same key"
	}
	return sw.Label() + " · does not deduplicate retries: Herald checks before sending again"
}
