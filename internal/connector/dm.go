package connector

import (
	"context"
	"errors"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Direct messages: private conversations between the account and other
// people. A platform that gives them to apps implements DMReader, and
// DMSender and DMFinder to answer them; one that does not (LinkedIn,
// Facebook pages without the messaging product, …) implements none and the
// inbox says so.

// DirectMessage is a private message someone sent the account.
type DirectMessage struct {
	Mention // RemoteID, author, Text, CreatedAt, Meta; ReplyTo where the platform threads messages
	// ConversationID is the platform's id of the conversation, the same
	// for every message of it (what DMSender answers in).
	ConversationID string
}

// DMReader reads the direct messages people sent the account since a
// cursor, oldest first, and returns the cursor to pass next time (""
// keeps the old one). The account's own messages are left out. When the
// account's access does not allow direct messages (an app password or a
// token without the scope) it returns a *DMRefusedError.
type DMReader interface {
	DirectMessages(ctx context.Context, acct Account, cursor string) (msgs []DirectMessage, next string, err error)
}

// DMSender answers in a conversation from the account. to is the message
// answered (as DMReader gave it: its RemoteID, URL and Meta); p.Key is
// stable across retries, sent as the platform's idempotency key where it
// has one.
type DMSender interface {
	SendDM(ctx context.Context, acct Account, conversationID string, to herald.RemoteRef, p Part) (herald.RemoteRef, error)
}

// DMFinder looks for a message with this text that the account sent in
// the conversation at or after since, to settle a send whose answer was
// lost before sending again: a message is never sent twice.
type DMFinder interface {
	FindDM(ctx context.Context, acct Account, conversationID, text string, since time.Time) (ref herald.RemoteRef, found bool, err error)
}

// DMRefusedError says that the account's access does not reach its direct
// messages; Reason tells the person what to do ("reconnect to allow
// direct messages"). It is not a failure of the account: mentions and
// publishing go on.
type DMRefusedError struct {
	Reason string
	Err    error
}

func (e *DMRefusedError) Error() string {
	if e.Err != nil {
		return "direct messages refused: " + e.Reason + ": " + e.Err.Error()
	}
	return "direct messages refused: " + e.Reason
}

// Unwrap returns the platform's error.
func (e *DMRefusedError) Unwrap() error { return e.Err }

// DMRefused returns the reason of a *DMRefusedError in err's chain, or "".
func DMRefused(err error) string {
	var r *DMRefusedError
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// NoDMsReason is what the inbox says of a platform that does not give
// direct messages to apps.
const NoDMsReason = "the platform does not give messages to apps"
