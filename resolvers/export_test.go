package resolvers

import "time"

// SetStreamTimes shortens the heartbeat and lifetime of subscription
// streams for a test, and returns a function that restores them.
func SetStreamTimes(heartbeat, lifetime time.Duration) (restore func()) {
	h, l := streamHeartbeat, streamLifetime
	streamHeartbeat, streamLifetime = heartbeat, lifetime
	return func() { streamHeartbeat, streamLifetime = h, l }
}
