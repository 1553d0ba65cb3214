package ladder

import (
	"fmt"
	"math"
	"slices"

	"kox/internal/fault"
)

// A tier's entry rule says what a member of the tier below must show to be
// promoted into it (SPEC L3, seed 001: prove your value at your rung to
// earn the next); its keep rule says what a member of the tier must keep
// up not to slip (L4). Both are part of the program file.

// Criterion kinds: each a figure of the member's record at their current
// tier (since they entered it), compared with its threshold.
const (
	ApprovedTasks   = "approved_tasks"   // tasks approved (min; optionally of kinds)
	AverageScore    = "average_score"    // average review score of approved work (min, 1–5, one decimal)
	OnTimeRate      = "on_time_rate"     // share of tasks taken that were handed in by their deadline, not left to expire (min, percent)
	TenureDays      = "tenure_days"      // whole days at the tier, in the program's time zone (min)
	Reach           = "reach"            // reach reported with approved work (min)
	NoStrikes       = "no_strikes"       // no compliance strike in the last days
	Nominated       = "nominated"        // a mentor's or operator's nomination for the tier
	ObligationsKept = "obligations_kept" // occurrences of recurring obligations approved (min)
)

// CriterionKinds in the order forms list them.
var CriterionKinds = []string{ApprovedTasks, AverageScore, OnTimeRate, TenureDays, Reach, NoStrikes, Nominated, ObligationsKept}

// Criterion is one condition of a rule.
type Criterion struct {
	Kind string `json:"kind" yaml:"kind"`
	// Min is the threshold: a count, a score (4.5), a percent (80), days or
	// reach. A member at exactly the threshold meets it.
	Min float64 `json:"min,omitempty" yaml:"min,omitempty"`
	// Kinds narrows approved_tasks to tasks of these kinds.
	Kinds []string `json:"kinds,omitempty" yaml:"kinds,omitempty"`
	// Days is no_strikes' window.
	Days int `json:"days,omitempty" yaml:"days,omitempty"`
}

// Threshold is the criterion's threshold as the integer the evaluator
// compares with: tenths of a score, else the number itself.
func (c Criterion) Threshold() int64 {
	switch c.Kind {
	case AverageScore:
		return int64(math.Round(c.Min * 10))
	case NoStrikes, Nominated:
		return 0
	}
	return int64(math.Round(c.Min))
}

// EntryRule is what promotion into a tier asks.
type EntryRule struct {
	// Match is all (every criterion) or any (at least one).
	Match    string      `json:"match" yaml:"match"`
	Criteria []Criterion `json:"criteria" yaml:"criteria"`
	// Auto promotes those who meet the rule without an operator's approval.
	Auto bool `json:"auto,omitempty" yaml:"auto,omitempty"`
}

// KeepRule is what a member of a tier keeps up: with no approved work for
// InactiveDays, or more than MissedOccurrences missed in the last
// WindowDays, they are warned; if nothing changes in GraceDays they go down
// a tier.
type KeepRule struct {
	InactiveDays      int `json:"inactive_days,omitempty" yaml:"inactive_days,omitempty"`
	MissedOccurrences int `json:"missed_occurrences,omitempty" yaml:"missed_occurrences,omitempty"`
	WindowDays        int `json:"window_days,omitempty" yaml:"window_days,omitempty"`
	GraceDays         int `json:"grace_days" yaml:"grace_days"`
}

// Matches: all or any.
var Matches = []string{"all", "any"}

func checkEntry(f *fault.Fields, at string, r *EntryRule, bottom bool) {
	if r == nil {
		return
	}
	if bottom {
		f.Add(at, "rule.bottom", "the bottom tier has no tier below to promote from")
	}
	if !slices.Contains(Matches, r.Match) {
		f.OneOf(at+".match", Matches)
	}
	if len(r.Criteria) == 0 || len(r.Criteria) > 12 {
		f.Add(at+".criteria", "items", "must have {min} to {max} entries", fault.P{"min": 1, "max": 12})
	}
	for i, c := range r.Criteria {
		cat := fmt.Sprintf("%s.criteria[%d]", at, i)
		if !slices.Contains(CriterionKinds, c.Kind) {
			f.OneOf(cat+".kind", CriterionKinds)
			continue
		}
		whole := c.Min == math.Trunc(c.Min)
		switch c.Kind {
		case AverageScore:
			if c.Min < 1 || c.Min > 5 || c.Min*10 != math.Trunc(c.Min*10) {
				f.Add(cat+".min", "rule.score", "must be a score from 1 to 5 with at most one decimal")
			}
		case OnTimeRate:
			if c.Min < 1 || c.Min > 100 || !whole {
				f.Range(cat+".min", 1, 100)
			}
		case NoStrikes:
			if c.Days < 1 || c.Days > 3650 {
				f.Range(cat+".days", 1, 3650)
			}
		case Nominated:
		default:
			if c.Min < 1 || c.Min > 1e12 || !whole {
				f.Add(cat+".min", "rule.count", "must be a whole number of at least 1")
			}
		}
		if len(c.Kinds) > 0 && c.Kind != ApprovedTasks {
			f.Add(cat+".kinds", "rule.kinds_only", "only approved_tasks counts by task kinds")
		}
	}
}

func checkKeep(f *fault.Fields, at string, r *KeepRule) {
	if r == nil {
		return
	}
	if r.InactiveDays == 0 && r.MissedOccurrences == 0 {
		f.Add(at, "rule.keep_empty", "say after how many inactive days, or how many missed occurrences, a member is warned")
	}
	if r.InactiveDays < 0 || r.InactiveDays > 3650 {
		f.Range(at+".inactive_days", 0, 3650)
	}
	if r.MissedOccurrences < 0 || r.MissedOccurrences > 1000 {
		f.Range(at+".missed_occurrences", 0, 1000)
	}
	if r.MissedOccurrences > 0 && (r.WindowDays < 1 || r.WindowDays > 3650) {
		f.Range(at+".window_days", 1, 3650)
	}
	if r.GraceDays < 1 || r.GraceDays > 365 {
		f.Range(at+".grace_days", 1, 365)
	}
}
