package task

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
)

const claimCols = `c.id, c.public_id, c.task_id, c.member_id, c.status, c.slot_transfer, c.attempt, c.submit_by, c.points_paid,
	c.created_at, c.updated_at, t.public_id, t.title, m.public_id, m.name`

const claimFrom = ` FROM task_claims c JOIN tasks t ON t.id = c.task_id JOIN members m ON m.id = c.member_id`

func scanClaim(s interface{ Scan(...any) error }) (Claim, error) {
	var c Claim
	var submitBy, created, updated int64
	err := s.Scan(&c.ID, &c.PublicID, &c.task, &c.member, &c.Status, &c.slot, &c.attempt, &submitBy, &c.PointsPaid,
		&created, &updated, &c.TaskID, &c.TaskTitle, &c.MemberID, &c.MemberName)
	c.SubmitBy, c.CreatedAt, c.UpdatedAt = fromMicros(submitBy), fromMicros(created), fromMicros(updated)
	return c, err
}

func claimsOf(ctx context.Context, tx *db.Tx, t Task) ([]Claim, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+claimCols+claimFrom+` WHERE c.task_id = $1 ORDER BY c.id`, t.ID)
	return db.Collect(rows, err, scanClaim)
}

// refusal says why member m may not take task t now (the task is not open,
// its claim deadline passed, or it is not for them), or nil when they may:
// the rule the claim and the portal's list of tasks share.
func refusal(ctx context.Context, tx *db.Tx, r *ladder.Ranks, t Task, m member.Member) (*fault.Error, error) {
	if why := closed(t, r.Now()); why != nil {
		return why, nil
	}
	return eligible(ctx, tx, r, t, m)
}

// closed says why task t takes no claim at now, whoever asks.
func closed(t Task, now time.Time) *fault.Error {
	if t.Status != Published {
		return fault.New(fault.Conflict, "task.not_open", "the task is {status}, not open for claims", fault.P{"status": string(t.Status)})
	}
	if !t.ClaimDeadline.IsZero() && !now.Before(t.ClaimDeadline) {
		return fault.New(fault.Conflict, "task.claim_deadline_passed", "the claim deadline has passed")
	}
	return nil
}

// eligible says why a member may not take a task (a Forbidden error whose
// code names the rule), or nil when they may.
func eligible(ctx context.Context, tx *db.Tx, r *ladder.Ranks, t Task, m member.Member) (*fault.Error, error) {
	e := t.Eligibility
	no := func(code, msg string, p fault.P) (*fault.Error, error) {
		return fault.New(fault.Forbidden, code, msg, p), nil
	}
	if m.Status != member.Active {
		return no("task.member_inactive", "only active members take tasks; {name} is {status}", fault.P{"name": m.Name, "status": string(m.Status)})
	}
	if len(e.Roles) > 0 && !slices.Contains(e.Roles, string(m.Role)) {
		return no("task.for_roles", "the task is for {roles} members", fault.P{"roles": e.Roles})
	}
	if len(e.Sources) > 0 && !slices.Contains(e.Sources, string(m.Source)) {
		return no("task.for_sources", "the task is for members who came as {sources}", fault.P{"sources": e.Sources})
	}
	if len(e.Regions) > 0 && !slices.Contains(e.Regions, m.Region) {
		return no("task.for_regions", "the task is for members in {regions}", fault.P{"regions": e.Regions})
	}
	if len(e.Tags) > 0 && !slices.ContainsFunc(e.Tags, func(tag string) bool { return slices.Contains(m.Tags, tag) }) {
		return no("task.for_tags", "the task is for members tagged {tags}", fault.P{"tags": e.Tags})
	}
	if e.Ladder != "" {
		have, err := r.Member(ctx, e.Ladder)
		if err != nil {
			return nil, err
		}
		need, found, err := r.Tier(ctx, e.Ladder, e.MinTier)
		if err != nil {
			return nil, err
		}
		if !found {
			// The ladders refuse to drop a tier a live task names; should one
			// be gone all the same, the task takes no one rather than failing.
			return fault.New(fault.Conflict, "task.tier_gone", "the task needs tier {tier} on ladder {ladder}, which no longer exists",
				fault.P{"tier": e.MinTier, "ladder": e.Ladder}), nil
		}
		if have < need {
			return no("task.min_tier", "the task needs tier {tier} or above on ladder {ladder}", fault.P{"tier": e.MinTier, "ladder": e.Ladder})
		}
	}
	return readFirst(ctx, tx, t, m)
}

// who resolves the member a claim is for: a member acts for themselves only;
// an operator names the member.
func who(sc program.Scope, memberRef string) (string, error) {
	if sc.Actor.Kind == program.ActorMember {
		if memberRef != "" && memberRef != sc.Actor.PublicID {
			return "", fault.New(fault.Forbidden, "claim.self_only", "a member acts only for themselves")
		}
		return sc.Actor.PublicID, nil
	}
	if memberRef == "" {
		return "", fault.Field("member_id", "required", "is required when an operator acts for a member")
	}
	return memberRef, nil
}

// claimStatusFor is what taking a task of the mode makes of the claim.
var claimStatusFor = map[Mode]ClaimStatus{Open: Claimed, Assigned: AssignedStatus, Apply: Applied}

// Take is how a member comes to a task, by its mode: an open task is claimed
// (a member for themselves, or an operator for a member), an assigned task is
// assigned by an operator, and an apply-mode task takes an application that
// an operator later selects or declines. A slot is a ledger transfer out of
// the task's capacity, so however many take a task at once, no more than its
// capacity succeed (T6).
//
// A task that is full is refused from a read, before any write lock is
// taken, so that a flash crowd on a full task costs readers, not the
// writer; a task that still has slots is decided under its lock.
func (s *Service) Take(ctx context.Context, sc program.Scope, taskRef, memberRef string) (Claim, error) {
	ref, err := who(sc, memberRef)
	if err != nil {
		return Claim{}, err
	}
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Claim{}, err
		}
	}
	if err := s.refuseWhenFull(ctx, sc.Program.ID, taskRef); err != nil {
		return Claim{}, err
	}
	return db.Do(ctx, s.DB, func(tx *db.Tx) (Claim, error) {
		t, err := lockTask(ctx, tx, sc.Program.ID, taskRef, false)
		if err != nil {
			return Claim{}, err
		}
		if t.Mode == Assigned && sc.Actor.Kind == program.ActorMember {
			return Claim{}, fault.New(fault.Forbidden, "task.assigned_only", "operators assign this task; it cannot be claimed")
		}
		return s.takeTx(ctx, tx, sc, t, ref)
	})
}

// refuseWhenFull answers task.full from the read pool when a published task
// that hands out slots has none left. A slot freed a moment later is taken
// by the next claim; nothing is written here, so nothing can be oversold.
func (s *Service) refuseWhenFull(ctx context.Context, programID int64, taskRef string) error {
	var mode, status string
	var capacity int
	var free sql.NullInt64
	err := s.DB.R.QueryRowContext(ctx, `SELECT t.mode, t.status, t.capacity, `+ledger.AvailableSQL("t.capacity_account_id")+`
		FROM tasks t WHERE t.program_id = $1 AND t.public_id = $2`, programID, taskRef).Scan(&mode, &status, &capacity, &free)
	if err == nil && Status(status) == Published && Mode(mode) != Apply && free.Valid && free.Int64 <= 0 {
		return full(capacity)
	}
	return nil // the transaction decides, and says what is wrong
}

func full(capacity int) error {
	return fault.New(fault.LimitExceeded, "task.full", "the task is full: all {capacity} slots are taken", fault.P{"capacity": capacity})
}

// takeTx takes the locked task t for the member ref.
func (s *Service) takeTx(ctx context.Context, tx *db.Tx, sc program.Scope, t Task, ref string) (Claim, error) {
	status := claimStatusFor[t.Mode]
	if why := closed(t, tx.Now); why != nil {
		return Claim{}, why
	}
	m, err := member.LookupTx(ctx, tx, sc.Program.ID, ref)
	if err != nil {
		return Claim{}, err
	}
	why, err := eligible(ctx, tx, ladder.NewRanks(tx, t.ProgramID, m.ID), t, m)
	if err != nil {
		return Claim{}, err
	}
	if why != nil {
		return Claim{}, why
	}
	c, err := scanClaim(tx.QueryRowContext(ctx, `SELECT `+claimCols+claimFrom+` WHERE c.task_id = $1 AND c.member_id = $2`+tx.ForUpdateOf("c"), t.ID, m.ID))
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Claim{}, err
	}
	if exists && c.Status.live() {
		return Claim{}, fault.New(fault.Conflict, "claim.exists", "{name} already has this task ({status})", fault.P{"name": m.Name, "status": string(c.Status)})
	}
	attempt := c.attempt + 1
	if !exists {
		c = Claim{PublicID: pubid.New("clm")}
	}
	// The slot is taken last: the task's capacity account is where claims
	// on one task meet, so it is locked for as short a time as can be.
	slot := ""
	if status != Applied {
		slot = slotID(c.PublicID, attempt)
		if err := s.takeSlot(ctx, tx, t, slot, c.PublicID); err != nil {
			return Claim{}, err
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
		if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
			// The same member's other claim, made at the same moment, won.
			return Claim{}, fault.New(fault.Conflict, "claim.exists", "{name} already has this task ({status})",
				fault.P{"name": m.Name, "status": string(status)})
		}
	}
	if err != nil {
		return Claim{}, err
	}
	// What was just written, without reading it back.
	out := Claim{ID: c.ID, PublicID: c.PublicID, TaskID: t.PublicID, TaskTitle: t.Title, MemberID: m.PublicID, MemberName: m.Name, Status: status,
		SubmitBy: fromMicros(micros(submitBy)), PointsPaid: c.PointsPaid, CreatedAt: c.CreatedAt, UpdatedAt: tx.Now,
		task: t.ID, member: m.ID, slot: slot, attempt: attempt}
	if !exists {
		out.CreatedAt = tx.Now
	}
	if status != Applied && t.Recurrence != nil {
		if err := scheduleOccurrences(ctx, tx, sc.Program.ID, c.ID, *t.Recurrence, tx.Now); err != nil {
			return Claim{}, err
		}
		if err := attachOccurrences(ctx, tx, &out); err != nil {
			return Claim{}, err
		}
	}
	if err := program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "claim." + string(status), ObjectKind: "claim",
		ObjectID: out.PublicID, After: map[string]any{"task": t.PublicID, "member": m.PublicID, "status": status}}); err != nil {
		return Claim{}, err
	}
	return out, nil
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

// slotID is the client id of a claim's slot transfer, attempt by attempt.
func slotID(claim string, attempt int) string { return fmt.Sprintf("slot:%s:%d", claim, attempt) }

// takeSlot moves one of the task's slots to its claims, as the transfer id.
func (s *Service) takeSlot(ctx context.Context, tx *db.Tx, t Task, id, claim string) error {
	// Publishing opened both accounts and kept their ids on the task.
	// The id names this claim's attempt, minted in this transaction: no
	// earlier transfer can have it, so the ledger need not look.
	rs, err := s.Ledger.ApplyNewTx(ctx, tx, t.ProgramID, []ledger.Transfer{{ClientID: id, DebitAccountID: t.capacityAccount,
		CreditAccountID: t.claimedAccount, Amount: 1, Code: "task_claim", Ref: "claim:" + claim}})
	if err != nil {
		return err
	}
	if err := rs[0].Err(); fault.Is(err, fault.LimitExceeded) {
		return full(t.Capacity)
	} else if err != nil {
		return err
	}
	return nil
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
		return Claim{}, fault.New(fault.NotFound, "claim.not_found", "claim {ref} not found", fault.P{"ref": ref})
	}
	if err != nil {
		return Claim{}, err
	}
	return c, attachOccurrences(ctx, q, &c)
}

// occurrencesOf loads the occurrences of a page of claims, in one query.
func occurrencesOf(ctx context.Context, q querier, engine db.Engine, cs []Claim) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*Claim, len(cs))
	ids := make([]int64, len(cs))
	for i := range cs {
		byID[cs[i].ID], ids[i] = &cs[i], cs[i].ID
	}
	in, args, _ := db.In(engine, "claim_id", 1, ids)
	rows, err := q.QueryContext(ctx, `SELECT claim_id, id, seq, due_at, status FROM task_occurrences WHERE `+in+` ORDER BY claim_id, seq`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o Occurrence
		var claim, due int64
		if err := rows.Scan(&claim, &o.id, &o.Seq, &due, &o.Status); err != nil {
			return err
		}
		o.DueAt = fromMicros(due)
		byID[claim].Occurrences = append(byID[claim].Occurrences, o)
	}
	return rows.Err()
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
//
// Locks are taken in one order everywhere (docs/decisions.md): the task
// (shared: its claims change, not it), then the claim, then its submissions. A claim never changes task, so its
// task is found first without a lock, locked, and the claim then locked and
// read again.
func lockClaim(ctx context.Context, tx *db.Tx, sc program.Scope, ref string) (Task, Claim, error) {
	notFound := fault.New(fault.NotFound, "claim.not_found", "claim {ref} not found", fault.P{"ref": ref})
	var taskRef, memberRef string
	err := tx.QueryRowContext(ctx, `SELECT t.public_id, m.public_id FROM task_claims c JOIN tasks t ON t.id = c.task_id
		JOIN members m ON m.id = c.member_id WHERE c.program_id = $1 AND c.public_id = $2`, sc.Program.ID, ref).Scan(&taskRef, &memberRef)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sc.Actor.Kind == program.ActorMember && memberRef != sc.Actor.PublicID) {
		return Task{}, Claim{}, notFound
	}
	if err != nil {
		return Task{}, Claim{}, err
	}
	t, err := lockTask(ctx, tx, sc.Program.ID, taskRef, false)
	if err != nil {
		return Task{}, Claim{}, err
	}
	c, err := scanClaim(tx.QueryRowContext(ctx, `SELECT `+claimCols+claimFrom+` WHERE c.program_id = $1 AND c.public_id = $2`+tx.ForUpdateOf("c"),
		sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, Claim{}, notFound
	}
	return t, c, err
}

// Select takes an applicant onto an apply-mode task (using a slot), or
// declines them.
func (s *Service) Select(ctx context.Context, sc program.Scope, claimRef string, accept bool) (Claim, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Claim{}, err
	}
	return db.Do(ctx, s.DB, func(tx *db.Tx) (Claim, error) {
		t, c, err := lockClaim(ctx, tx, sc, claimRef)
		if err != nil {
			return Claim{}, err
		}
		if c.Status != Applied {
			return Claim{}, fault.New(fault.Conflict, "claim.not_application", "only an application can be selected or declined; this claim is {status}",
				fault.P{"status": string(c.Status)})
		}
		status, slot := NotSelected, ""
		if accept {
			if t.Status != Published {
				return Claim{}, fault.New(fault.Conflict, "task.status", "the task is {status}", fault.P{"status": string(t.Status)})
			}
			status = Selected
			slot = slotID(c.PublicID, c.attempt)
			if err := s.takeSlot(ctx, tx, t, slot, c.PublicID); err != nil {
				return Claim{}, err
			}
			if t.Recurrence != nil {
				if err := scheduleOccurrences(ctx, tx, sc.Program.ID, c.ID, *t.Recurrence, tx.Now); err != nil {
					return Claim{}, err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET status = $2, slot_transfer = $3, submit_by = $4, updated_at = $5 WHERE id = $1`,
			c.ID, string(status), slot, micros(deadline(t, tx.Now)), tx.Now.UnixMicro()); err != nil {
			return Claim{}, err
		}
		out, err := loadClaim(ctx, tx, sc.Program.ID, c.PublicID)
		if err != nil {
			return Claim{}, err
		}
		return out, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "claim." + string(status), ObjectKind: "claim",
			ObjectID: c.PublicID, Before: map[string]any{"status": c.Status}, After: map[string]any{"status": status}})
	})
}

// Withdraw gives up a claim (a member their own); the slot goes back.
func (s *Service) Withdraw(ctx context.Context, sc program.Scope, claimRef string) (Claim, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Claim{}, err
		}
	}
	return db.Do(ctx, s.DB, func(tx *db.Tx) (Claim, error) {
		t, c, err := lockClaim(ctx, tx, sc, claimRef)
		if err != nil {
			return Claim{}, err
		}
		if !c.Status.working() && c.Status != Applied && c.Status != Submitted {
			return Claim{}, fault.New(fault.Conflict, "claim.not_withdrawable", "a {status} claim cannot be withdrawn", fault.P{"status": string(c.Status)})
		}
		if err := s.endClaim(ctx, tx, t, c, Withdrawn, "withdrawn"); err != nil {
			return Claim{}, err
		}
		return loadClaim(ctx, tx, sc.Program.ID, c.PublicID)
	})
}

// WithdrawTx withdraws a claim inside another change's transaction (a
// loan cancelled before its handover takes its diary with it); a claim
// already over is left as it is.
func (s *Service) WithdrawTx(ctx context.Context, tx *db.Tx, sc program.Scope, claimRef, why string) error {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return err
	}
	t, c, err := lockClaim(ctx, tx, sc, claimRef)
	if err != nil {
		return err
	}
	if !c.Status.working() && c.Status != Applied && c.Status != Submitted {
		return nil
	}
	return s.endClaim(ctx, tx, t, c, Withdrawn, why)
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
// (their slots go back), marks recurring occurrences that fell due
// unsubmitted as missed, and settles obligations whose every occurrence is
// decided. A job runs it; it is safe to run anywhere, any time, on several
// instances at once.
//
// Candidates are found by a read; each program's are then handled in a
// transaction of that program's own, and each claim is locked and checked
// again before anything changes, so that a claim submitted or withdrawn in
// between is left alone.
func (s *Service) Expire(ctx context.Context) (claims, missed int, err error) {
	ctx = program.WithActor(ctx, program.Actor{Kind: program.ActorJob, PublicID: "job:task-expiry", Name: "task expiry"})
	now := s.DB.Now().UnixMicro()
	rows, err := s.DB.R.QueryContext(ctx, `SELECT DISTINCT program_id FROM task_occurrences WHERE status = 'open' AND due_at <= $1
		UNION SELECT DISTINCT program_id FROM task_claims WHERE status IN ('claimed', 'assigned', 'selected', 'changes_requested')
		AND submit_by > 0 AND submit_by <= $1`, now)
	programs, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return 0, 0, err
	}
	if _, err := s.closeEnded(ctx, now); err != nil {
		return 0, 0, err
	}
	for _, p := range programs {
		c, m, err := s.expireProgram(ctx, p)
		claims, missed = claims+c, missed+m
		if err != nil {
			return claims, missed, err
		}
	}
	return claims, missed, nil
}

// nothingInProgress is true of a task t with no claim a member still works
// on or awaits a decision on, and no obligation still running.
const nothingInProgress = `NOT EXISTS (SELECT 1 FROM task_claims c WHERE c.task_id = t.id AND c.status IN ('claimed', 'assigned', 'selected',
	'changes_requested', 'submitted', 'applied'))
	AND NOT EXISTS (SELECT 1 FROM task_occurrences o JOIN task_claims c ON c.id = o.claim_id WHERE c.task_id = t.id AND o.status = 'open')`

// closeEnded closes published tasks whose claim deadline has passed and
// that nothing is still in progress on: their unused places and what those
// hold of the budget line go back.
func (s *Service) closeEnded(ctx context.Context, now int64) (int, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT t.program_id, t.public_id FROM tasks t WHERE t.status = 'published'
		AND t.claim_deadline > 0 AND t.claim_deadline <= $1 AND `+nothingInProgress+`
		ORDER BY t.id LIMIT 200`, now)
	type ended struct {
		program int64
		ref     string
	}
	ts, err := db.Collect(rows, err, func(r *sql.Rows) (ended, error) {
		var e ended
		return e, r.Scan(&e.program, &e.ref)
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ts {
		shut := false
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			shut = false
			t, err := lockTask(ctx, tx, e.program, e.ref, true)
			if err != nil || t.Status != Published {
				return err
			}
			// Looked at again under the lock: a claim that committed between
			// the read and the lock keeps the task open.
			var still bool
			if err := tx.QueryRowContext(ctx, `SELECT NOT (`+nothingInProgress+`) FROM tasks t WHERE t.id = $1`, t.ID).Scan(&still); err != nil {
				return err
			}
			if still {
				return nil
			}
			if err := s.releaseUnused(ctx, tx, t, "close"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE tasks SET status = 'closed', updated_at = $2 WHERE id = $1`, t.ID, tx.Now.UnixMicro()); err != nil {
				return err
			}
			shut = true
			return program.Audit(ctx, tx, program.Change{ProgramID: t.ProgramID, Action: "task.close", ObjectKind: "task", ObjectID: t.PublicID,
				Before: map[string]any{"status": t.Status}, After: map[string]any{"status": Closed, "why": "claim deadline passed"}})
		})
		if err != nil {
			return n, err
		}
		if shut {
			n++
		}
	}
	return n, nil
}

// expireProgram does Expire's work for one program: candidates are read
// without a lock, then handled in one transaction in which each is locked
// and checked again.
func (s *Service) expireProgram(ctx context.Context, programID int64) (claims, missed int, err error) {
	sc := program.Scope{Program: program.Program{ID: programID}, Actor: program.Actor{Kind: program.ActorJob}, Role: program.RoleAdmin}
	now := s.DB.Now().UnixMicro()
	// Claims with occurrences that fell due, and claims whose time is up.
	rows, err := s.DB.R.QueryContext(ctx, `SELECT DISTINCT c.public_id FROM task_occurrences o JOIN task_claims c ON c.id = o.claim_id
		WHERE o.program_id = $1 AND o.status = 'open' AND o.due_at <= $2 ORDER BY c.public_id LIMIT 500`, programID, now)
	lapsed, err := db.Collect(rows, err, scanString)
	if err != nil {
		return 0, 0, err
	}
	rows, err = s.DB.R.QueryContext(ctx, `SELECT c.public_id FROM task_claims c
		WHERE c.program_id = $1 AND c.status IN ('claimed', 'assigned', 'selected', 'changes_requested') AND c.submit_by > 0 AND c.submit_by <= $2
		ORDER BY c.id LIMIT 500`, programID, now)
	due, err := db.Collect(rows, err, scanString)
	if err != nil {
		return 0, 0, err
	}
	if s.afterCandidates != nil {
		s.afterCandidates()
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		claims, missed = 0, 0
		now := tx.Now.UnixMicro()
		for _, ref := range lapsed {
			t, c, err := lockClaim(ctx, tx, sc, ref)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE task_occurrences SET status = 'missed' WHERE claim_id = $1 AND status = 'open' AND due_at <= $2`,
				c.ID, now)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			missed += int(n)
			if n > 0 {
				if err := s.settleObligation(ctx, tx, t, c); err != nil {
					return err
				}
			}
		}
		for _, ref := range due {
			t, c, err := lockClaim(ctx, tx, sc, ref)
			if err != nil {
				return err
			}
			// Checked again under the lock: submitted, withdrawn or given
			// more time since the read above, it stays as it is.
			if !c.Status.working() || c.SubmitBy.IsZero() || c.SubmitBy.UnixMicro() > now {
				continue
			}
			if t.Recurrence != nil {
				ended, err := s.closeObligation(ctx, tx, t, c)
				if err != nil {
					return err
				}
				if ended {
					claims++
				}
				continue
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

func scanString(r *sql.Rows) (string, error) {
	var s string
	return s, r.Scan(&s)
}

// closeObligation ends a recurring obligation whose time is up: what is
// still open or awaiting changes is missed, and the claim is settled by the
// obligation rule. It reports whether the claim ended (a submission still
// under review keeps it open until it is reviewed).
func (s *Service) closeObligation(ctx context.Context, tx *db.Tx, t Task, c Claim) (bool, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE task_occurrences SET status = 'missed' WHERE claim_id = $1 AND status IN ('open', 'changes_requested')`,
		c.ID); err != nil {
		return false, err
	}
	if err := s.settleObligation(ctx, tx, t, c); err != nil {
		return false, err
	}
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM task_claims WHERE id = $1`, c.ID).Scan(&status)
	return status != string(c.Status), err
}

// ObligationOutcome is the rule that settles a recurring obligation once
// every occurrence is decided (approved, rejected or missed): approved when
// more than half of its occurrences were approved; expired, its slot given
// back, when nothing was ever handed in (every occurrence missed); rejected
// otherwise. "" while any occurrence is still open or under review.
func ObligationOutcome(occurrences []Occurrence) ClaimStatus {
	approved, missed := 0, 0
	for _, o := range occurrences {
		switch o.Status {
		case "approved":
			approved++
		case "missed":
			missed++
		case "rejected":
		default:
			return ""
		}
	}
	switch {
	case len(occurrences) == 0:
		return ""
	case approved*2 > len(occurrences):
		return Approved
	case missed == len(occurrences):
		return Expired
	}
	return Rejected
}

// settleObligation applies ObligationOutcome to a recurring claim.
func (s *Service) settleObligation(ctx context.Context, tx *db.Tx, t Task, c Claim) error {
	if t.Recurrence == nil {
		return nil
	}
	c.Occurrences = nil
	if err := attachOccurrences(ctx, tx, &c); err != nil {
		return err
	}
	outcome := ObligationOutcome(c.Occurrences)
	switch outcome {
	case "":
		return nil
	case Expired:
		return s.endClaim(ctx, tx, t, c, Expired, "every occurrence was missed")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET status = $2, updated_at = $3 WHERE id = $1`, c.ID, string(outcome), tx.Now.UnixMicro()); err != nil {
		return err
	}
	return program.Audit(ctx, tx, program.Change{ProgramID: t.ProgramID, Action: "claim." + string(outcome), ObjectKind: "claim", ObjectID: c.PublicID,
		Before: map[string]any{"status": c.Status}, After: map[string]any{"status": outcome, "why": "obligation settled"}})
}

// ClaimFilter narrows a listing of claims.
type ClaimFilter struct {
	Task    string
	Member  string
	Status  ClaimStatus
	Working bool // only claims the member may still hand in on
	Before  int64
	Limit   int
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
	if f.Working {
		w.AddFixed("c.status IN " + workingSQL())
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
	return out, next, occurrencesOf(ctx, s.DB.R, s.DB.Engine, out)
}

// TakeTx takes the task for the member inside another change's
// transaction, as an operator would (a loan's diary, assigned with the
// loan): the same rules as Take, its capacity and eligibility included.
func (s *Service) TakeTx(ctx context.Context, tx *db.Tx, sc program.Scope, taskRef, memberRef string) (Claim, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Claim{}, err
	}
	t, err := lockTask(ctx, tx, sc.Program.ID, taskRef, false)
	if err != nil {
		return Claim{}, err
	}
	return s.takeTx(ctx, tx, sc, t, memberRef)
}

// ApprovedOccurrences counts, for each of the claims named, its occurrences
// approved (a diary's weeks that were published and passed review).
func ApprovedOccurrences(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, programID int64, claimRefs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(claimRefs) == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT c.public_id, COUNT(*) FROM task_occurrences o JOIN task_claims c ON c.id = o.claim_id
		WHERE c.program_id = $1 AND o.status = 'approved' GROUP BY c.public_id`, programID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, r := range claimRefs {
		want[r] = true
	}
	for rows.Next() {
		var ref string
		var n int
		if err := rows.Scan(&ref, &n); err != nil {
			return nil, err
		}
		if want[ref] {
			out[ref] = n
		}
	}
	return out, rows.Err()
}
