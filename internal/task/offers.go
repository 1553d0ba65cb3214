package task

import (
	"context"
	"fmt"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
)

// Offer is a published task as one member sees it: whether they may take it
// now and, when not, the rule that stops them; and their claim on it.
type Offer struct {
	Task    Task     `json:"task"`
	CanTake bool     `json:"can_take"`
	Why     *Refusal `json:"why,omitempty"`
	Claim   *Claim   `json:"claim,omitempty"`
}

// Refusal is why a member may not take a task: the same code and
// parameters the claim would answer with.
type Refusal struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Params  fault.P `json:"params,omitempty"`
}

// Offers lists the published tasks, newest first, for one member (a member
// for themselves; an operator who may read tasks for any member): each with
// the decision a claim would meet, by the same rules, and the member's own
// claim where they have one.
func (s *Service) Offers(ctx context.Context, sc program.Scope, memberRef string, before int64, limit int) ([]Offer, int64, error) {
	return s.offers(ctx, sc, memberRef, "", before, limit)
}

// Offer is one published task as the member sees it (see Offers).
func (s *Service) Offer(ctx context.Context, sc program.Scope, memberRef, taskRef string) (Offer, error) {
	os, _, err := s.offers(ctx, sc, memberRef, taskRef, 0, 1)
	if err != nil {
		return Offer{}, err
	}
	if len(os) == 0 {
		return Offer{}, fault.New(fault.NotFound, "task.not_found", "task {ref} not found", fault.P{"ref": taskRef})
	}
	return os[0], nil
}

func (s *Service) offers(ctx context.Context, sc program.Scope, memberRef, taskRef string, before int64, limit int) ([]Offer, int64, error) {
	ref, err := who(sc, memberRef)
	if err != nil {
		return nil, 0, err
	}
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksRead); err != nil {
			return nil, 0, err
		}
	}
	if err := db.CheckLimit(limit); err != nil {
		return nil, 0, err
	}
	var out []Offer
	var next int64
	err = s.DB.InReadTx(ctx, func(tx *db.Tx) error {
		m, err := member.LookupTx(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		w := db.Where("program_id = $1", sc.Program.ID).Add("status = $?", string(Published)).Add(notBeforeItsBriefing, tx.Now.UnixMicro())
		if before > 0 {
			w.Add("id < $?", before)
		}
		if taskRef != "" {
			w.Add("public_id = $?", taskRef)
		}
		where, args := w.Page("id DESC", limit)
		rows, err := tx.QueryContext(ctx, `SELECT `+taskCols+` FROM tasks`+where, args...)
		ts, err := db.Collect(rows, err, scanTask)
		if err != nil {
			return fmt.Errorf("offers: %w", err)
		}
		ts, next = db.TrimPage(ts, limit, func(t Task) int64 { return t.ID })
		if ts, err = s.withSlots(ctx, ts); err != nil {
			return err
		}
		mine, err := claimsOfMember(ctx, tx, m.ID, ts)
		if err != nil {
			return err
		}
		r := ladder.NewRanks(tx, sc.Program.ID, m.ID)
		out = make([]Offer, len(ts))
		for i, t := range ts {
			o := Offer{Task: t}
			if c, ok := mine[t.ID]; ok {
				o.Claim = &c
			}
			why, err := offerRefusal(ctx, tx, r, sc, t, m, o.Claim)
			if err != nil {
				return err
			}
			if why != nil {
				o.Why = &Refusal{Code: why.Code, Message: why.Message, Params: why.Params}
			}
			o.CanTake = why == nil && o.Claim == nil
			out[i] = o
		}
		return nil
	})
	return out, next, err
}

// offerRefusal is what taking t would answer, from a read: Take's own
// checks, in its order. A member with a live claim is not refused: they
// have the task.
func offerRefusal(ctx context.Context, tx *db.Tx, r *ladder.Ranks, sc program.Scope, t Task, m member.Member, c *Claim) (*fault.Error, error) {
	if c != nil {
		return nil, nil
	}
	if t.Mode == Assigned && sc.Actor.Kind == program.ActorMember {
		return fault.New(fault.Forbidden, "task.assigned_only", "operators assign this task; it cannot be claimed"), nil
	}
	why, err := refusal(ctx, tx, r, t, m)
	if why != nil || err != nil {
		return why, err
	}
	if t.Mode != Apply && t.capacityAccount != 0 && t.SlotsFree <= 0 {
		fe, _ := fault.As(full(t.Capacity))
		return fe, nil
	}
	return nil, nil
}

// claimsOfMember is the member's live claims on the tasks, by task id.
func claimsOfMember(ctx context.Context, tx *db.Tx, memberID int64, ts []Task) (map[int64]Claim, error) {
	out := map[int64]Claim{}
	if len(ts) == 0 {
		return out, nil
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	in, args, _ := db.In(tx.Engine, "c.task_id", 2, ids)
	rows, err := tx.QueryContext(ctx, `SELECT `+claimCols+claimFrom+` WHERE c.member_id = $1 AND `+in, append([]any{memberID}, args...)...)
	cs, err := db.Collect(rows, err, scanClaim)
	if err != nil {
		return nil, fmt.Errorf("offers: claims: %w", err)
	}
	for _, c := range cs {
		if c.Status.live() {
			out[c.task] = c
		}
	}
	return out, nil
}
