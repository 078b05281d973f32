package mastodon

import (
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/listen/source"
)

// status is the part of Mastodon's Status entity a listening source reads.
type status struct {
	ID          string  `json:"id"`
	URI         string  `json:"uri"`
	URL         *string `json:"url"`
	CreatedAt   string  `json:"created_at"`
	Content     string  `json:"content"`
	SpoilerText string  `json:"spoiler_text"`
	Language    *string `json:"language"`
	InReplyToID *string `json:"in_reply_to_id"`
	Visibility  string  `json:"visibility"`
	Reblog      *struct {
		ID string `json:"id"`
	} `json:"reblog"`
	Account struct {
		Acct           string `json:"acct"`
		DisplayName    string `json:"display_name"`
		FollowersCount *int64 `json:"followers_count"`
	} `json:"account"`
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
	Mentions []struct {
		Acct string `json:"acct"`
	} `json:"mentions"`
}

// absolute makes an acct user@host: a local account's acct has no host.
func absolute(acct, host string) string {
	acct = strings.TrimPrefix(acct, "@")
	if acct == "" || strings.Contains(acct, "@") {
		return acct
	}
	return acct + "@" + host
}

// ReplyRef is how a Post's ReplyTo names the status it answers: Mastodon
// gives only in_reply_to_id, an id local to the instance that served the
// status, not the parent's URI. The reference is "mastodon-id:" followed
// by the instance's host, "/" and that id; GET /api/v1/statuses/:id on
// that instance resolves it.
func ReplyRef(host, id string) string { return "mastodon-id:" + host + "/" + id }

// post turns a status into a source.Post. domain is the instance's
// account domain (for local accts), host its address (for ReplyRef).
func (st *status) post(domain, host string, seen time.Time) source.Post {
	p := source.Post{
		Platform: "mastodon", RemoteID: st.URI, AuthorID: absolute(st.Account.Acct, domain),
		AuthorName: st.Account.DisplayName, AuthorFollowers: -1, Text: mastodon.HTMLText(st.Content), SeenAt: seen,
	}
	if st.SpoilerText != "" {
		p.Text = strings.TrimSpace(st.SpoilerText + "\n\n" + p.Text)
	}
	p.AuthorHandle = p.AuthorID
	if st.URL != nil {
		p.URL = *st.URL
	}
	if st.Account.FollowersCount != nil {
		p.AuthorFollowers = *st.Account.FollowersCount
	}
	if st.Language != nil && *st.Language != "" {
		p.Languages = []string{*st.Language}
	}
	for _, t := range st.Tags {
		if t.Name != "" {
			p.Tags = append(p.Tags, t.Name)
		}
	}
	for _, m := range st.Mentions {
		if m.Acct != "" {
			p.Mentions = append(p.Mentions, absolute(m.Acct, domain))
		}
	}
	if st.InReplyToID != nil && *st.InReplyToID != "" {
		p.ReplyTo = ReplyRef(host, *st.InReplyToID)
	}
	if t, err := time.Parse(time.RFC3339Nano, st.CreatedAt); err == nil {
		p.PostedAt = t.UTC()
	}
	return p
}

// idCmp orders status ids: Mastodon's are decimal numbers, GoToSocial's
// ULIDs of one length; both sort by length, then bytes.
func idCmp(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
