package links

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// SecretPrefix starts every conversion secret, so it is recognisable
// (in a leaked file, say) for what it is.
const SecretPrefix = "hconv_"

// settingsAction is what changing the analytics settings and the
// conversion secret needs: reports.manage (managers and up), the
// analytics action that writes, for want of an analytics.manage.
const settingsAction = herald.ActReportsManage

// Settings returns the workspace's analytics settings (the defaults until
// saved). ConversionSecret.Empty() says whether a secret was made. It
// needs analytics.read.
func (s *Service) Settings(ctx context.Context, actor herald.Actor, workspaceID int64) (herald.AnalyticsSettings, error) {
	if err := allow(actor, workspaceID, herald.ActAnalyticsRead); err != nil {
		return herald.AnalyticsSettings{}, err
	}
	set, err := s.store.GetAnalyticsSettings(ctx, workspaceID)
	if err != nil {
		return herald.AnalyticsSettings{}, fmt.Errorf("links: read the settings: %w", err)
	}
	return set, nil
}

// CheckSettings returns the problems of a rate_by and a currency: rate_by
// is "followers" or "impressions", the currency an ISO 4217 code of three
// capital letters.
func CheckSettings(rateBy, currency string) herald.Problems {
	var p herald.Problems
	if rateBy != "followers" && rateBy != "impressions" {
		p.Add("rate_by", "must be followers or impressions, not %q", rateBy)
	}
	if !currencyCode(currency) {
		p.Add("currency", "must be an ISO 4217 code of three capital letters, such as USD or EUR, not %q", currency)
	}
	return p
}

// currencyCode reports whether c is three capital letters.
func currencyCode(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// UpdateSettings saves whether new posts track their links, the engagement
// rate's default denominator and the currency revenue is summed in, with
// an audit entry. The currency may be given in lower case. It needs
// reports.manage (managers and up).
func (s *Service) UpdateSettings(ctx context.Context, actor herald.Actor, workspaceID int64, trackLinks bool,
	rateBy, currency string) (herald.AnalyticsSettings, error) {
	if err := allow(actor, workspaceID, settingsAction); err != nil {
		return herald.AnalyticsSettings{}, err
	}
	rateBy = strings.TrimSpace(rateBy)
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if err := CheckSettings(rateBy, currency).Err("the analytics settings are not valid"); err != nil {
		return herald.AnalyticsSettings{}, err
	}
	var set herald.AnalyticsSettings
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := tx.GetAnalyticsSettings(ctx, workspaceID)
		if err != nil {
			return err
		}
		set = before
		set.WorkspaceID = workspaceID
		set.TrackLinks, set.RateBy, set.Currency, set.UpdatedAt = trackLinks, rateBy, currency, s.now()
		if err := tx.PutAnalyticsSettings(ctx, set); err != nil {
			return err
		}
		a := herald.NewAudit(actor, "analytics.settings_update", "workspace", workspaceID, before, set, set.UpdatedAt)
		return tx.AppendAudit(ctx, &a)
	})
	if err != nil {
		return herald.AnalyticsSettings{}, fmt.Errorf("links: save the settings: %w", err)
	}
	return set, nil
}

// RotateSecret makes the workspace a new conversion secret (32 random
// bytes, SecretPrefix and base64url), stores it sealed and returns it
// this once; the previous secret stops working at once. Conversions are
// signed with the secret exactly as returned (its text is the HMAC key).
// It needs reports.manage (managers and up).
func (s *Service) RotateSecret(ctx context.Context, actor herald.Actor, workspaceID int64) (string, error) {
	if err := allow(actor, workspaceID, settingsAction); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("links: make a secret: %w", err)
	}
	secret := SecretPrefix + base64.RawURLEncoding.EncodeToString(b)
	sealed, err := s.sealer.Seal([]byte(secret), secretAAD(workspaceID))
	if err != nil {
		return "", fmt.Errorf("links: seal the secret: %w", err)
	}
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		set, err := tx.GetAnalyticsSettings(ctx, workspaceID)
		if err != nil {
			return err
		}
		set.WorkspaceID = workspaceID
		set.ConversionSecret, set.UpdatedAt = sealed, s.now()
		if err := tx.PutAnalyticsSettings(ctx, set); err != nil {
			return err
		}
		a := herald.NewAudit(actor, "analytics.conversion_secret_rotate", "workspace", workspaceID, nil, nil, set.UpdatedAt)
		return tx.AppendAudit(ctx, &a)
	})
	if err != nil {
		return "", fmt.Errorf("links: rotate the conversion secret: %w", err)
	}
	s.log.InfoContext(ctx, "conversion secret rotated", slog.Int64("workspace_id", workspaceID),
		slog.Int64("user_id", actor.UserID))
	return secret, nil
}

// secretAAD binds a sealed conversion secret to its workspace, so a
// secret copied to another workspace's row does not open.
func secretAAD(workspaceID int64) []byte {
	return []byte("herald conversion secret:" + strconv.FormatInt(workspaceID, 10))
}
