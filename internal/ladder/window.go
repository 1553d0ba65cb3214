package ladder

import (
	"context"
	"fmt"
	"time"

	"kox/internal/fault"
)

// Window opens something scarce early to a tier and those above it (R3's
// tier-priority windows: higher tiers first), before it opens to everyone.
// Catalog items and events share it.
type Window struct {
	Ladder  string    `json:"ladder"`
	Tier    string    `json:"tier"`
	OpensAt time.Time `json:"opens_at"`
}

// MaxWindows is how many windows one thing may have.
const MaxWindows = 20

// CheckWindows names what is wrong with windows before opens (when
// everyone may): each names a tier of ls and opens before opens, which
// windows need.
func CheckWindows(f *fault.Fields, ls []Ladder, windows []Window, opens time.Time) {
	if len(windows) > MaxWindows {
		f.MaxItems("windows", MaxWindows)
	}
	for i, w := range windows {
		if !HasTier(ls, w.Ladder, w.Tier) {
			f.Add(fmt.Sprintf("windows[%d].tier", i), "catalog.tier_unknown", "names no tier of the program's ladders")
		}
		if w.OpensAt.IsZero() {
			f.Required(fmt.Sprintf("windows[%d].opens_at", i))
		}
		if !opens.IsZero() && w.OpensAt.After(opens) {
			f.Add(fmt.Sprintf("windows[%d].opens_at", i), "window.late", "must be before it opens to everyone")
		}
	}
	if len(windows) > 0 && opens.IsZero() {
		f.Add("opens_at", "window.opens_needed", "is required with tier windows: it is when the other tiers may")
	}
}

// OpensFor is when the member whose ranks r are may have it: the earliest
// window of a tier they hold (or one above it), else opens.
func OpensFor(ctx context.Context, r *Ranks, windows []Window, opens time.Time) (time.Time, error) {
	at := opens
	for _, w := range windows {
		ok, err := r.AtLeast(ctx, w.Ladder, w.Tier)
		if err != nil {
			return time.Time{}, err
		}
		if ok && w.OpensAt.Before(at) {
			at = w.OpensAt
		}
	}
	return at, nil
}
