// Package activity says what changed for a member since a moment (L5: the
// portal's "since your last visit"): points they earned or spent, and
// reviews of their work, newest first.
package activity

import (
	"context"
	"slices"
	"time"

	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/task"
)

// Event is one change for the member.
type Event struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind" enum:"points,review"`
	Code     string    `json:"code,omitempty" doc:"points: what the movement was for"`
	Amount   int64     `json:"amount,omitempty"`
	Decision string    `json:"decision,omitempty" doc:"review: approved, changes_requested or rejected"`
	Task     string    `json:"task,omitempty"`
	Claim    string    `json:"claim,omitempty"`
}

// Service reads a member's activity.
type Service struct {
	Points *points.Service
	Tasks  *task.Service
}

// recent is how far back activity looks, at most, in each source.
const recent = 20

// Since lists the member's changes after since (a member their own;
// operators who may read the ledger and tasks), newest first.
func (s *Service) Since(ctx context.Context, sc program.Scope, memberRef string, since time.Time) ([]Event, error) {
	out := []Event{}
	st, _, err := s.Points.Statement(ctx, sc, memberRef, 0, recent)
	if err != nil {
		return nil, err
	}
	for _, mv := range st.History {
		if mv.At.After(since) {
			out = append(out, Event{At: mv.At, Kind: "points", Code: mv.Code, Amount: mv.Amount})
		}
	}
	subs, _, err := s.Tasks.Submissions(ctx, sc, task.SubmissionFilter{Member: memberRef, Limit: recent})
	if err != nil {
		return nil, err
	}
	for _, x := range subs {
		if x.Review != nil && x.Review.CreatedAt.After(since) {
			out = append(out, Event{At: x.Review.CreatedAt, Kind: "review", Decision: x.Review.Decision, Task: x.TaskTitle, Claim: x.ClaimID})
		}
	}
	slices.SortStableFunc(out, func(a, b Event) int { return b.At.Compare(a.At) })
	return out, nil
}
