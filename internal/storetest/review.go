package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func mustReviewLink(t *testing.T, s herald.Tx, workspaceID, userID int64, token string) herald.ReviewLink {
	t.Helper()
	l := herald.ReviewLink{WorkspaceID: workspaceID, Name: "Acme " + unique(), From: ptr(at(0)), To: ptr(at(48 * time.Hour)),
		TokenHash: hash(token), PasswordHash: "$argon2id$x", ExpiresAt: at(14 * 24 * time.Hour), CreatedBy: userID,
		CreatedAt: at(0)}
	noErr(t, s.CreateReviewLink(t.Context(), &l), "CreateReviewLink")
	if l.ID == 0 {
		t.Fatal("CreateReviewLink did not set the ID")
	}
	return l
}

func reviewTests() []test {
	return []test{
		{"LinkRoundTripListRevoke", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			a := mustReviewLink(t, s, w.ws.ID, w.owner.ID, "token-a")
			c := mustCampaign(t, s, w.ws.ID, "Spring")
			b := herald.ReviewLink{WorkspaceID: w.ws.ID, Name: "Campaign review", CampaignID: &c.ID,
				TokenHash: hash("token-b"), ExpiresAt: at(time.Hour), CreatedBy: w.owner.ID, CreatedAt: at(time.Minute)}
			noErr(t, s.CreateReviewLink(ctx, &b), "CreateReviewLink(campaign)")
			mustReviewLink(t, s, other.ws.ID, other.owner.ID, "token-other")

			got, err := s.GetReviewLink(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetReviewLink")
			same(t, "review link", got, a)
			wantUTC(t, "expires_at", got.ExpiresAt)
			got, err = s.GetReviewLinkByHash(ctx, hash("token-b"))
			noErr(t, err, "GetReviewLinkByHash")
			same(t, "review link by hash", got, b)
			_, err = s.GetReviewLinkByHash(ctx, hash("nope"))
			wantNotFound(t, err, "GetReviewLinkByHash(unknown)")
			_, err = s.GetReviewLink(ctx, other.ws.ID, a.ID)
			wantNotFound(t, err, "GetReviewLink(other workspace)")

			list, err := s.ListReviewLinks(ctx, w.ws.ID)
			noErr(t, err, "ListReviewLinks")
			if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
				t.Fatalf("ListReviewLinks = %+v, want the campaign link, then the range link", list)
			}

			wantNotFound(t, s.RevokeReviewLink(ctx, other.ws.ID, a.ID, at(time.Hour)), "RevokeReviewLink(other workspace)")
			noErr(t, s.RevokeReviewLink(ctx, w.ws.ID, a.ID, at(time.Hour)), "RevokeReviewLink")
			noErr(t, s.RevokeReviewLink(ctx, w.ws.ID, a.ID, at(2*time.Hour)), "RevokeReviewLink twice")
			got, err = s.GetReviewLink(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetReviewLink after revoke")
			if got.RevokedAt == nil {
				t.Fatal("RevokedAt not set")
			}
			wantTime(t, "revoked_at (the first revocation)", *got.RevokedAt, at(time.Hour))
			wantConflict(t, s.CreateReviewLink(ctx, &herald.ReviewLink{WorkspaceID: w.ws.ID, Name: "dup",
				TokenHash: hash("token-b"), ExpiresAt: at(time.Hour), CreatedBy: w.owner.ID}), "CreateReviewLink(same token)")
		}},
		{"Decisions", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			l := mustReviewLink(t, s, w.ws.ID, w.owner.ID, "token-d")
			ol := mustReviewLink(t, s, other.ws.ID, other.owner.ID, "token-e")
			p1 := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			p2 := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			op := mustPost(t, s, other.ws.ID, other.owner.ID, other.account.ID)
			d1 := herald.ReviewDecision{WorkspaceID: w.ws.ID, LinkID: l.ID, PostID: p1.ID, Verdict: herald.VerdictApprove,
				Outcome: herald.ReviewApplied, At: at(time.Minute)}
			noErr(t, s.CreateReviewDecision(ctx, &d1), "CreateReviewDecision")
			d2 := herald.ReviewDecision{WorkspaceID: w.ws.ID, LinkID: l.ID, PostID: p2.ID, Verdict: herald.VerdictRequestChanges,
				Comment: "Shorter, please", Outcome: herald.ReviewRecorded, Note: "it was published already", At: at(2 * time.Minute)}
			noErr(t, s.CreateReviewDecision(ctx, &d2), "CreateReviewDecision(changes)")
			wantConflict(t, s.CreateReviewDecision(ctx, &herald.ReviewDecision{WorkspaceID: w.ws.ID, LinkID: l.ID,
				PostID: op.ID, Verdict: herald.VerdictApprove, Outcome: herald.ReviewApplied}), "a decision on another workspace's post")
			wantConflict(t, s.CreateReviewDecision(ctx, &herald.ReviewDecision{WorkspaceID: w.ws.ID, LinkID: ol.ID,
				PostID: p1.ID, Verdict: herald.VerdictApprove, Outcome: herald.ReviewApplied}), "a decision through another workspace's link")

			all, err := s.ListReviewDecisions(ctx, herald.ReviewDecisionFilter{WorkspaceID: w.ws.ID, LinkID: l.ID})
			noErr(t, err, "ListReviewDecisions(link)")
			d1.LinkName, d2.LinkName = l.Name, l.Name
			same(t, "decisions of the link", all, []herald.ReviewDecision{d2, d1})
			one, err := s.ListReviewDecisions(ctx, herald.ReviewDecisionFilter{WorkspaceID: w.ws.ID, PostID: p1.ID})
			noErr(t, err, "ListReviewDecisions(post)")
			same(t, "decisions of the post", one, []herald.ReviewDecision{d1})
			lim, err := s.ListReviewDecisions(ctx, herald.ReviewDecisionFilter{WorkspaceID: w.ws.ID, Limit: 1})
			noErr(t, err, "ListReviewDecisions(limit)")
			same(t, "latest decision", lim, []herald.ReviewDecision{d2})
			none, err := s.ListReviewDecisions(ctx, herald.ReviewDecisionFilter{WorkspaceID: other.ws.ID, LinkID: l.ID})
			noErr(t, err, "ListReviewDecisions(other workspace)")
			if len(none) != 0 {
				t.Fatalf("another workspace sees %d decisions", len(none))
			}
		}},
		{"ActorNames", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			actor := herald.Actor{WorkspaceID: w.ws.ID, Role: herald.RoleClient, ReviewLinkID: 9, Name: "Acme marketing team"}
			e := herald.NewAudit(actor, "post.approve", "post", 1, nil, nil, at(0))
			noErr(t, s.AppendAudit(ctx, &e), "AppendAudit")
			entries, _, err := s.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID})
			noErr(t, err, "ListAudit")
			if len(entries) != 1 || entries[0].ActorName != "Acme marketing team" || entries[0].ActorID != nil {
				t.Fatalf("audit entries = %+v, want one by the link's name", entries)
			}
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			tg := p.Targets[0]
			tr, err := tg.Transition(herald.StateInReview, nil, "", at(time.Minute))
			noErr(t, err, "Transition")
			tr.ActorName = "Acme marketing team"
			noErr(t, s.TransitionTarget(ctx, &tg, tr), "TransitionTarget")
			hist, err := s.ListTargetTransitions(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "ListTargetTransitions")
			if len(hist) == 0 || hist[len(hist)-1].ActorName != "Acme marketing team" {
				t.Fatalf("history = %+v, want the last move by the link's name", hist)
			}
		}},
	}
}
