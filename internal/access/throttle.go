package access

import (
	"sync"
	"time"

	"kox/internal/fault"
)

// Throttle allows each key a number of sign-in attempts per window, counted
// in this process: enough for a person who mistypes, far too few to guess.
// Each instance counts its own; the per-account lock-out in the database is
// what holds across instances.
type Throttle struct {
	Limit  int
	Window time.Duration

	mu    sync.Mutex
	now   func() time.Time
	seen  map[string]*window
	swept time.Time
}

type window struct {
	start time.Time
	n     int
}

// NewThrottle allows limit attempts per key per window.
func NewThrottle(limit int, per time.Duration) *Throttle {
	return &Throttle{Limit: limit, Window: per, now: time.Now, seen: map[string]*window{}}
}

// DefaultSignInsPerMinute is how many sign-ins one address (a shop's shared
// Wi-Fi signs in many staff) or one account may try a minute; five wrong
// passwords in a row lock an account anyway.
const DefaultSignInsPerMinute = 30

// Allow counts one attempt against every key, and refuses when any of them
// is over its limit.
func (t *Throttle) Allow(keys ...string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if now.Sub(t.swept) > t.Window {
		for k, w := range t.seen {
			if now.Sub(w.start) >= t.Window {
				delete(t.seen, k)
			}
		}
		t.swept = now
	}
	var retry time.Duration
	for _, k := range keys {
		w := t.seen[k]
		if w == nil || now.Sub(w.start) >= t.Window {
			w = &window{start: now}
			t.seen[k] = w
		}
		w.n++
		if w.n > t.Limit {
			retry = max(retry, w.start.Add(t.Window).Sub(now))
		}
	}
	if retry > 0 {
		return fault.New(fault.TooManyRequests, "auth.throttled", "too many sign-in attempts: try again in {seconds} seconds",
			fault.P{"seconds": int(retry.Seconds()) + 1})
	}
	return nil
}
