package herald

import "time"

// ListenTerms is what listening computed from a topic's match texts for its
// pages (rising and co-occurring terms, the top authors of the usual
// periods), kept so that a page reads no match texts. The store keeps one
// per workspace and topic; Data is internal/listen's JSON, which the store
// does not read.
type ListenTerms struct {
	WorkspaceID int64
	TopicID     int64 // 0: every topic of the workspace
	// LastMatchID is the newest of the topic's matches when the
	// computation began, so a later match makes the row due again.
	LastMatchID int64
	ComputedAt  time.Time
	Data        []byte
}

// ListenTermsDue is a topic whose terms are due a computation, with its
// newest match (0 when it has none).
type ListenTermsDue struct {
	TopicID     int64 // 0: every topic of the workspace
	LastMatchID int64
}
