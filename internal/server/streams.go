package server

// StreamCloser is implemented by a handler that holds responses open
// (server-sent events: the live inbox). The server calls CloseStreams when
// it starts shutting down, so that the streams end and shutdown need not
// wait for them until its timeout.
type StreamCloser interface {
	CloseStreams()
}
