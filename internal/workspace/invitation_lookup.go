package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// LookupInvitation returns the pending invitation with this secret and the
// workspace it is for, so the person who opens the link sees what they are
// joining (and as which address) before they accept. Unknown, used and
// expired invitations give the same errors Accept does.
func (s *Service) LookupInvitation(ctx context.Context, secret string) (herald.Invitation, herald.Workspace, error) {
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, InvitationPrefix) || len(secret) > 200 {
		return herald.Invitation{}, herald.Workspace{}, errUnknownInvitation
	}
	inv, err := s.store.GetInvitationByTokenHash(ctx, hashSecret(secret))
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Invitation{}, herald.Workspace{}, errUnknownInvitation
	}
	if err != nil {
		return herald.Invitation{}, herald.Workspace{}, fmt.Errorf("workspace: look up invitation: %w", err)
	}
	switch {
	case inv.AcceptedAt != nil:
		return herald.Invitation{}, herald.Workspace{}, errUsedInvitation
	case !s.clock.Now().Before(inv.ExpiresAt):
		return herald.Invitation{}, herald.Workspace{}, errExpiredInvitation
	}
	w, err := getWorkspace(ctx, s.store, inv.WorkspaceID)
	if err != nil {
		return herald.Invitation{}, herald.Workspace{}, err
	}
	return inv, w, nil
}
