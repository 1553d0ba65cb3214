package task

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
)

const claimCols = `c.id, c.public_id, c.task_id, c.member_id, c.status, c.slot_transfer, c.attempt, c.submit_by, c.points_paid,
	c.created_at, c.updated_at, t.public_id, m.public_id, m.name`

const claimFrom = ` FROM task_claims c JOIN tasks t ON t.id = c.task_id JOIN members m ON m.id = c.member_id`

func scanClaim(s interface{ Scan(...any) error }) (Claim, error) {
	var c Claim
	var submitBy, created, updated int64
	err := s.Scan(&c.ID, &c.PublicID, &c.task, &c.member, &c.Status, &c.slot, &c.attempt, &submitBy, &c.PointsPaid,
		&created, &updated, &c.TaskID, &c.MemberID, &c.MemberName)
	c.SubmitBy, c.CreatedAt, c.UpdatedAt = fromMicros(submitBy), fromMicros(created), fromMicros(updated)
	return c, err
}

func claimsOf(ctx context.Context, tx *db.Tx, t Task) ([]Claim, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+claimCols+claimFrom+` WHERE c.task_id = $1 ORDER BY c.id`, t.ID)
	return db.Collect(rows, err, scanClaim)
}

// eligible says why a member may not take a task, or "" when they may.
func eligible(ctx context.Context, tx *db.Tx, t Task, m member.Member) (string, error) {
	e := t.Eligibility
	if m.Status != member.Active {
		return fmt.Sprintf("only active members take tasks; %s is %s", m.Name, m.Status), nil
	}
	if len(e.Roles) > 0 && !slices.Contains(e.Roles, string(m.Role)) {
		return fmt.Sprintf("the task is for %s members", strings.Join(e.Roles, ", ")), nil
	}
	if len(e.Sources) > 0 && !slices.Contains(e.Sources, string(m.Source)) {
		return fmt.Sprintf("the task is for members who came as %s", strings.Join(e.Sources, ", ")), nil
	}
	if len(e.Regions) > 0 && !slices.Contains(e.Regions, m.Region) {
		return fmt.Sprintf("the task is for members in %s", strings.Join(e.Regions, ", ")), nil
	}
	if len(e.Tags) > 0 && !slices.ContainsFunc(e.Tags, func(tag string) bool { return slices.Contains(m.Tags, tag) }) {
		return fmt.Sprintf("the task is for members tagged %s", strings.Join(e.Tags, ", ")), nil
	}
	if e.Ladder != "" {
		var have, need int
		err := tx.QueryRowContext(ctx, `SELECT t.rank FROM member_tiers mt JOIN tiers t ON t.id = mt.tier_id JOIN ladders l ON l.id = mt.ladder_id
			WHERE mt.member_id = $1 AND l.key = $2 AND l.program_id = $3`, m.ID, e.Ladder, t.ProgramID).Scan(&have)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		err = tx.QueryRowContext(ctx, `SELECT t.rank FROM tiers t JOIN ladders l ON l.id = t.ladder_id
			WHERE l.program_id = $1 AND l.key = $2 AND t.key = $3`, t.ProgramID, e.Ladder, e.MinTier).Scan(&need)
		if err != nil {
			return "", err
		}
		if have < need {
			return fmt.Sprintf("the task needs tier %s or above on ladder %s", e.MinTier, e.Ladder), nil
		}
	}
	return "", nil
}

// who resolves the member a claim is for: a member acts for themselves only;
// an operator names the member.
func who(sc program.Scope, memberRef string) (string, error) {
	if sc.Actor.Kind == program.ActorMember {
		if memberRef != "" && memberRef != sc.Actor.PublicID {
			return "", fault.New(fault.Forbidden, "a member acts only for themselves")
		}
		return sc.Actor.PublicID, nil
	}
	if memberRef == "" {
		var f fault.Fields
		f.Add("member_id", "is required when an operator acts for a member")
		return "", f.Err()
	}
	return memberRef, nil
}

// Claim takes a slot of an open task for a member (a member claims for
// themselves). The slot is a ledger transfer out of the task's capacity, so
// however many members claim at once, no more than capacity succeed (T6).
func (s *Service) Claim(ctx context.Context, sc program.Scope, taskRef, memberRef string) (Claim, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Claim{}, err
		}
	}
	return s.take(ctx, sc, taskRef, memberRef, Open, Claimed)
}

// Assign gives a member a slot of an assigned-mode task.
func (s *Service) Assign(ctx context.Context, sc program.Scope, taskRef, memberRef string) (Claim, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Claim{}, err
	}
	return s.take(ctx, sc, taskRef, memberRef, Assigned, AssignedStatus)
}

// ApplyFor records a member's application to an apply-then-select task; no
// slot is taken until an operator selects them.
func (s *Service) ApplyFor(ctx context.Context, sc program.Scope, taskRef, memberRef string) (Claim, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Claim{}, err
		}
	}
	return s.take(ctx, sc, taskRef, memberRef, Apply, Applied)
}

func (s *Service) take(ctx context.Context, sc program.Scope, taskRef, memberRef string, mode Mode, status ClaimStatus) (Claim, error) {
	ref, err := who(sc, memberRef)
	if err != nil {
		return Claim{}, err
	}
	var out Claim
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		t, err := lockTask(ctx, tx, sc.Program.ID, taskRef)
		if err != nil {
			return err
		}
		if t.Status != Published {
			return fault.New(fault.Conflict, "the task is %s, not open for claims", t.Status)
		}
		if t.Mode != mode {
			return fault.New(fault.Conflict, "the task is in %s mode", t.Mode)
		}
		if !t.ClaimDeadline.IsZero() && !tx.Now.Before(t.ClaimDeadline) {
			return fault.New(fault.Conflict, "the claim deadline has passed")
		}
		m, err := member.LookupTx(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		why, err := eligible(ctx, tx, t, m)
		if err != nil {
			return err
		}
		if why != "" {
			return fault.New(fault.Forbidden, "%s", why)
		}
		c, err := scanClaim(tx.QueryRowContext(ctx, `SELECT `+claimCols+claimFrom+` WHERE c.task_id = $1 AND c.member_id = $2`+tx.ForUpdate(), t.ID, m.ID))
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if exists && c.Status != Withdrawn && c.Status != Expired && c.Status != CancelledClaim && c.Status != NotSelected {
			return fault.New(fault.Conflict, "%s already has this task (%s)", m.Name, c.Status)
		}
		attempt := c.attempt + 1
		if !exists {
			c = Claim{PublicID: pubid.New("clm")}
		}
		slot := ""
		if status != Applied {
			if slot, err = s.takeSlot(ctx, tx, t, c.PublicID, attempt); err != nil {
				return err
			}
		}
		submitBy := deadline(t, tx.Now)
		now := tx.Now.UnixMicro()
		if exists {
			_, err = tx.ExecContext(ctx, `UPDATE task_claims SET status = $2, slot_transfer = $3, attempt = $4, submit_by = $5, updated_at = $6
				WHERE id = $1`, c.ID, string(status), slot, attempt, micros(submitBy), now)
			if err == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM task_occurrences WHERE claim_id = $1 AND status = 'open'`, c.ID)
			}
		} else {
			err = tx.QueryRowContext(ctx, `INSERT INTO task_claims (program_id, public_id, task_id, member_id, status, slot_transfer, attempt,
				submit_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
				sc.Program.ID, c.PublicID, t.ID, m.ID, string(status), slot, attempt, micros(submitBy), now).Scan(&c.ID)
		}
		if err != nil {
			return err
		}
		if status != Applied && t.Recurrence != nil {
			if err := scheduleOccurrences(ctx, tx, sc.Program.ID, c.ID, *t.Recurrence, tx.Now); err != nil {
				return err
			}
		}
		if out, err = loadClaim(ctx, tx, sc.Program.ID, c.PublicID); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "claim." + string(status), ObjectKind: "claim",
			ObjectID: out.PublicID, After: map[string]any{"task": t.PublicID, "member": m.PublicID, "status": status}})
	})
	return out, err
}

// deadline is when a claim made now must be submitted by: the task's submit
// deadline, or the hours it allows after claiming, whichever is sooner.
func deadline(t Task, now time.Time) time.Time {
	d := t.SubmitDeadline
	if t.SubmitWithinHours > 0 {
		within := now.Add(time.Duration(t.SubmitWithinHours) * time.Hour)
		if d.IsZero() || within.Before(d) {
			d = within
		}
	}
	if t.Recurrence != nil && !d.IsZero() {
		// A recurring obligation runs to its last occurrence.
		last := now.Add(time.Duration(t.Recurrence.Count*t.Recurrence.IntervalDays) * 24 * time.Hour)
		if last.After(d) {
			d = last
		}
	}
	return d
}

func (s *Service) takeSlot(ctx context.Context, tx *db.Tx, t Task, claim string, attempt int) (string, error) {
	_, capacity, claimed, err := s.slotAccounts(ctx, tx, t)
	if err != nil {
		return "", err
	}
	id := fmt.Sprintf("slot:%s:%d", claim, attempt)
	_, err = s.move(ctx, tx, t.ProgramID, ledger.Transfer{ClientID: id, DebitAccountID: capacity.ID, CreditAccountID: claimed.ID,
		Amount: 1, Code: "task_claim", Ref: "claim:" + claim})
	if fault.Is(err, fault.LimitExceeded) {
		return "", fault.New(fault.LimitExceeded, "the task is full: all %d slots are taken", t.Capacity)
	}
	return id, err
}

// releaseSlot gives a claim's slot back by reversing its transfer.
func (s *Service) releaseSlot(ctx context.Context, tx *db.Tx, t Task, c Claim) error {
	if c.slot == "" {
		return nil
	}
	_, err := s.move(ctx, tx, t.ProgramID, ledger.Transfer{ClientID: "release:" + c.slot, Reverses: c.slot, Code: "task_release", Ref: "claim:" + c.PublicID})
	return err
}

func scheduleOccurrences(ctx context.Context, tx *db.Tx, programID, claimID int64, r Recurrence, start time.Time) error {
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM task_occurrences WHERE claim_id = $1`, claimID).Scan(&seq); err != nil {
		return err
	}
	args := make([]any, 0, r.Count*4)
	for i := 1; i <= r.Count; i++ {
		due := start.Add(time.Duration(i*r.IntervalDays) * 24 * time.Hour)
		args = append(args, programID, claimID, seq+i, due.UnixMicro())
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO task_occurrences (program_id, claim_id, seq, due_at) VALUES `+tx.Engine.Rows(1, r.Count, 4), args...)
	return err
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

func loadClaim(ctx context.Context, q querier, programID int64, ref string) (Claim, error) {
	c, err := scanClaim(q.QueryRowContext(ctx, `SELECT `+claimCols+claimFrom+` WHERE c.program_id = $1 AND c.public_id = $2`, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Claim{}, fault.New(fault.NotFound, "claim %q not found", ref)
	}
	if err != nil {
		return Claim{}, err
	}
	return c, attachOccurrences(ctx, q, &c)
}

func attachOccurrences(ctx context.Context, q querier, c *Claim) error {
	rows, err := q.QueryContext(ctx, `SELECT id, seq, due_at, status FROM task_occurrences WHERE claim_id = $1 ORDER BY seq`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o Occurrence
		var due int64
		if err := rows.Scan(&o.id, &o.Seq, &due, &o.Status); err != nil {
			return err
		}
		o.DueAt = fromMicros(due)
		c.Occurrences = append(c.Occurrences, o)
	}
	return rows.Err()
}

// lockClaim loads a claim for a change, checking the actor: a member only
// their own.
func lockClaim(ctx context.Context, tx *db.Tx, sc program.Scope, ref string) (Task, Claim, error) {
	c, err := scanClaim(tx.QueryRowContext(ctx, `SELECT `+claimCols+claimFrom+` WHERE c.program_id = $1 AND c.public_id = $2`+tx.ForUpdate(),
		sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sc.Actor.Kind == program.ActorMember && c.MemberID != sc.Actor.PublicID) {
		return Task{}, Claim{}, fault.New(fault.NotFound, "claim %q not found", ref)
	}
	if err != nil {
		return Task{}, Claim{}, err
	}
	t, err := lockTask(ctx, tx, sc.Program.ID, c.TaskID)
	return t, c, err
}

// Select takes an applicant onto an apply-mode task (using a slot); Decline
// turns them down.
func (s *Service) Select(ctx context.Context, sc program.Scope, claimRef string, accept bool) (Claim, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Claim{}, err
	}
	var out Claim
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t, c, err := lockClaim(ctx, tx, sc, claimRef)
		if err != nil {
			return err
		}
		if c.Status != Applied {
			return fault.New(fault.Conflict, "only an application can be selected or declined; this claim is %s", c.Status)
		}
		status, slot := NotSelected, ""
		if accept {
			if t.Status != Published {
				return fault.New(fault.Conflict, "the task is %s", t.Status)
			}
			status = Selected
			if slot, err = s.takeSlot(ctx, tx, t, c.PublicID, c.attempt); err != nil {
				return err
			}
			if t.Recurrence != nil {
				if err := scheduleOccurrences(ctx, tx, sc.Program.ID, c.ID, *t.Recurrence, tx.Now); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET status = $2, slot_transfer = $3, submit_by = $4, updated_at = $5 WHERE id = $1`,
			c.ID, string(status), slot, micros(deadline(t, tx.Now)), tx.Now.UnixMicro()); err != nil {
			return err
		}
		if out, err = loadClaim(ctx, tx, sc.Program.ID, c.PublicID); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "claim." + string(status), ObjectKind: "claim",
			ObjectID: c.PublicID, Before: map[string]any{"status": c.Status}, After: map[string]any{"status": status}})
	})
	return out, err
}

// Withdraw gives up a claim (a member their own); the slot goes back.
func (s *Service) Withdraw(ctx context.Context, sc program.Scope, claimRef string) (Claim, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Claim{}, err
		}
	}
	var out Claim
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t, c, err := lockClaim(ctx, tx, sc, claimRef)
		if err != nil {
			return err
		}
		if !c.Status.working() && c.Status != Applied && c.Status != Submitted {
			return fault.New(fault.Conflict, "a %s claim cannot be withdrawn", c.Status)
		}
		if err := s.endClaim(ctx, tx, t, c, Withdrawn, "withdrawn"); err != nil {
			return err
		}
		out, err = loadClaim(ctx, tx, sc.Program.ID, c.PublicID)
		return err
	})
	return out, err
}

// endClaim closes a claim as withdrawn, expired or cancelled: its slot goes
// back, open occurrences are dropped, a pending submission is closed.
func (s *Service) endClaim(ctx context.Context, tx *db.Tx, t Task, c Claim, status ClaimStatus, why string) error {
	if c.Status.holdsSlot() {
		if err := s.releaseSlot(ctx, tx, t, c); err != nil {
			return err
		}
	}
	now := tx.Now.UnixMicro()
	if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET status = $2, slot_transfer = '', updated_at = $3 WHERE id = $1`, c.ID, string(status), now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM task_occurrences WHERE claim_id = $1 AND status = 'open'`, c.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE submissions SET status = 'rejected' WHERE claim_id = $1 AND status = 'pending'`, c.ID); err != nil {
		return err
	}
	return program.Audit(ctx, tx, program.Change{ProgramID: t.ProgramID, Action: "claim." + string(status), ObjectKind: "claim", ObjectID: c.PublicID,
		Before: map[string]any{"status": c.Status}, After: map[string]any{"status": status, "why": why}})
}

// Expire ends claims whose submit-by time has passed with nothing submitted
// (their slots go back) and marks recurring occurrences that fell due
// unsubmitted as missed. A job runs it; it is safe to run anywhere, any time.
func (s *Service) Expire(ctx context.Context) (claims, missed int, err error) {
	ctx = program.WithActor(ctx, program.Actor{Kind: program.ActorJob, PublicID: "job:task-expiry", Name: "task expiry"})
	now := s.DB.Now().UnixMicro()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		claims, missed = 0, 0
		res, err := tx.ExecContext(ctx, `UPDATE task_occurrences SET status = 'missed' WHERE status = 'open' AND due_at <= $1`, now)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		missed = int(n)
		rows, err := tx.QueryContext(ctx, `SELECT c.program_id, c.public_id FROM task_claims c
			WHERE c.status IN ('claimed', 'assigned', 'selected', 'changes_requested') AND c.submit_by > 0 AND c.submit_by <= $1
			AND NOT EXISTS (SELECT 1 FROM task_occurrences o WHERE o.claim_id = c.id AND o.due_at > $1)
			ORDER BY c.id LIMIT 500`, now)
		if err != nil {
			return err
		}
		type ref struct {
			program int64
			claim   string
		}
		var due []ref
		for rows.Next() {
			var r ref
			if err := rows.Scan(&r.program, &r.claim); err != nil {
				rows.Close()
				return err
			}
			due = append(due, r)
		}
		rows.Close()
		for _, r := range due {
			sc := program.Scope{Program: program.Program{ID: r.program}, Actor: program.Actor{Kind: program.ActorJob}, Role: program.RoleAdmin}
			t, c, err := lockClaim(ctx, tx, sc, r.claim)
			if err != nil {
				return err
			}
			if err := s.endClaim(ctx, tx, t, c, Expired, "nothing submitted by the deadline"); err != nil {
				return err
			}
			claims++
		}
		return nil
	})
	return claims, missed, err
}

// RunExpiry expires claims every interval until ctx ends.
func (s *Service) RunExpiry(ctx context.Context, interval time.Duration, log func(error)) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, _, err := s.Expire(ctx); err != nil && ctx.Err() == nil {
				log(err)
			}
		}
	}
}

// ClaimFilter narrows a listing of claims.
type ClaimFilter struct {
	Task   string
	Member string
	Status ClaimStatus
	Before int64
	Limit  int
}

// Claims lists claims, newest first; a member sees only their own.
func (s *Service) Claims(ctx context.Context, sc program.Scope, f ClaimFilter) ([]Claim, int64, error) {
	if sc.Actor.Kind == program.ActorMember {
		f.Member = sc.Actor.PublicID
	} else if err := sc.Require(program.PermTasksRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	w := db.Where("c.program_id = $1", sc.Program.ID)
	if f.Task != "" {
		w.Add("t.public_id = $?", f.Task)
	}
	if f.Member != "" {
		w.Add("m.public_id = $?", f.Member)
	}
	if f.Status != "" {
		w.Add("c.status = $?", string(f.Status))
	}
	if f.Before > 0 {
		w.Add("c.id < $?", f.Before)
	}
	where, args := w.Page("c.id DESC", f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+claimCols+claimFrom+where, args...)
	out, err := db.Collect(rows, err, scanClaim)
	if err != nil {
		return nil, 0, err
	}
	out, next := db.TrimPage(out, f.Limit, func(c Claim) int64 { return c.ID })
	for i := range out {
		if err := attachOccurrences(ctx, s.DB.R, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, next, nil
}
