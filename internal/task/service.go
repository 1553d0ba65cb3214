package task

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Service holds tasks.
type Service struct {
	DB     *db.DB
	Ledger *ledger.Ledger
	// OnApproved runs in the transaction that approves a member's
	// submission, after its rewards are paid (badges are awarded there).
	OnApproved func(ctx context.Context, tx *db.Tx, programID, memberID int64) error

	afterCandidates func() // tests: between Expire's read and its transaction
}

// Input is a task as written by an operator.
type Input struct {
	Title             string
	Kind              Kind
	Mode              Mode
	Brief             Brief
	Eligibility       Eligibility
	Capacity          int
	ClaimDeadline     time.Time
	SubmitDeadline    time.Time
	SubmitWithinHours int
	Reward            Reward
	EffortMinutes     int
	Campaign          string
	BudgetLine        string
	Recurrence        *Recurrence
}

// Limits on a task.
const (
	MaxCapacity = 100000
	MaxPoints   = 1000000000
)

func listOK(f *fault.Fields, name string, xs []string, max int) {
	if len(xs) > 20 {
		f.MaxItems(name, 20)
	}
	for i, x := range xs {
		if strings.TrimSpace(x) == "" || len([]rune(x)) > max {
			f.Length(fmt.Sprintf("%s[%d]", name, i), 1, max)
		}
	}
}

// validate names every problem with a task's input; ladders checks the
// eligibility's ladder and tier.
func (in *Input) validate(ladders []ladder.Ladder) error {
	in.Title = strings.TrimSpace(in.Title)
	var f fault.Fields
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		f.Length("title", 1, 200)
	}
	if !slices.Contains(Kinds, in.Kind) {
		f.OneOf("kind", fault.Names(Kinds))
	}
	if !slices.Contains(Modes, in.Mode) {
		f.OneOf("mode", fault.Names(Modes))
	}
	if in.Capacity < 1 || in.Capacity > MaxCapacity {
		f.Range("capacity", 1, MaxCapacity)
	}
	if !in.ClaimDeadline.IsZero() && !in.SubmitDeadline.IsZero() && in.SubmitDeadline.Before(in.ClaimDeadline) {
		f.Add("submit_deadline", "task.submit_before_claim", "must not be before the claim deadline")
	}
	if in.SubmitWithinHours < 0 || in.SubmitWithinHours > 24*366 {
		f.Range("submit_within_hours", 0, 24*366)
	}
	if in.Reward.Points < 0 || in.Reward.Points > MaxPoints {
		f.Range("reward.points", 0, MaxPoints)
	}
	if in.Reward.Money < 0 {
		f.Add("reward.money", "negative", "must not be negative")
	}
	listOK(&f, "reward.perks", in.Reward.Perks, 200)
	if in.EffortMinutes < 0 || in.EffortMinutes > 100000 {
		f.Range("effort_minutes", 0, 100000)
	}
	if len([]rune(in.Campaign)) > 100 {
		f.MaxLength("campaign", 100)
	}
	if len([]rune(in.BudgetLine)) > 100 {
		f.MaxLength("budget_line", 100)
	}
	b := in.Brief
	if len([]rune(b.Description)) > 10000 {
		f.MaxLength("brief.description", 10000)
	}
	listOK(&f, "brief.key_messages", b.KeyMessages, 200)
	listOK(&f, "brief.hashtags", b.Hashtags, 50)
	listOK(&f, "brief.references", b.References, 500)
	listOK(&f, "brief.topic_ideas", b.TopicIdeas, 200)
	for i, p := range b.Platforms {
		if !slices.Contains(member.Platforms, p) {
			f.OneOf(fmt.Sprintf("brief.platforms[%d]", i), member.Platforms)
		}
	}
	e := in.Eligibility
	for i, r := range e.Roles {
		if !slices.Contains(member.Roles, member.Role(r)) {
			f.OneOf(fmt.Sprintf("eligibility.roles[%d]", i), fault.Names(member.Roles))
		}
	}
	for i, s := range e.Sources {
		if !slices.Contains(member.Sources, member.Source(s)) {
			f.OneOf(fmt.Sprintf("eligibility.sources[%d]", i), fault.Names(member.Sources))
		}
	}
	listOK(&f, "eligibility.regions", e.Regions, 50)
	listOK(&f, "eligibility.tags", e.Tags, 32)
	if (e.Ladder == "") != (e.MinTier == "") {
		f.Add("eligibility.min_tier", "task.ladder_and_tier", "ladder and min_tier go together")
	} else if e.Ladder != "" {
		found := false
		for _, l := range ladders {
			if l.Key == e.Ladder {
				found = true
				if _, ok := l.Tier(e.MinTier); !ok {
					f.Add("eligibility.min_tier", "not_found", "ladder {ladder} has no tier {tier}", fault.P{"ladder": e.Ladder, "tier": e.MinTier})
				}
			}
		}
		if !found {
			f.Add("eligibility.ladder", "not_found", "the program has no ladder {ladder}", fault.P{"ladder": e.Ladder})
		}
	}
	if r := in.Recurrence; r != nil {
		if r.IntervalDays < 1 || r.IntervalDays > 365 {
			f.Range("recurrence.interval_days", 1, 365)
		}
		if r.Count < 1 || r.Count > 366 {
			f.Range("recurrence.count", 1, 366)
		}
	}
	return f.Err()
}

const taskCols = `id, program_id, public_id, title, kind, status, mode, brief, eligibility, capacity, claim_deadline, submit_deadline,
	submit_within_hours, reward_points, reward, effort_minutes, campaign, budget_line, recurrence, capacity_account_id, claimed_account_id,
	created_at, updated_at, published_at`

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

func scanTask(s interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var brief, elig, reward, rec string
	var claimBy, submitBy, created, updated, published int64
	err := s.Scan(&t.ID, &t.ProgramID, &t.PublicID, &t.Title, &t.Kind, &t.Status, &t.Mode, &brief, &elig, &t.Capacity, &claimBy,
		&submitBy, &t.SubmitWithinHours, &t.Reward.Points, &reward, &t.EffortMinutes, &t.Campaign, &t.BudgetLine, &rec,
		&t.capacityAccount, &t.claimedAccount, &created, &updated, &published)
	if err != nil {
		return t, err
	}
	_ = json.Unmarshal([]byte(brief), &t.Brief)
	_ = json.Unmarshal([]byte(elig), &t.Eligibility)
	var extra Reward
	_ = json.Unmarshal([]byte(reward), &extra)
	t.Reward.Money, t.Reward.Perks = extra.Money, extra.Perks
	if rec != "" {
		t.Recurrence = &Recurrence{}
		_ = json.Unmarshal([]byte(rec), t.Recurrence)
	}
	t.ClaimDeadline, t.SubmitDeadline = fromMicros(claimBy), fromMicros(submitBy)
	t.CreatedAt, t.UpdatedAt, t.PublishedAt = fromMicros(created), fromMicros(updated), fromMicros(published)
	return t, nil
}

func encodeInput(in Input) (brief, elig, reward, rec string) {
	b, _ := json.Marshal(in.Brief)
	e, _ := json.Marshal(in.Eligibility)
	r, _ := json.Marshal(Reward{Money: in.Reward.Money, Perks: in.Reward.Perks})
	if in.Recurrence != nil {
		x, _ := json.Marshal(in.Recurrence)
		rec = string(x)
	}
	return string(b), string(e), string(r), rec
}

// Create makes a draft task.
func (s *Service) Create(ctx context.Context, sc program.Scope, in Input) (Task, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Task{}, err
	}
	var out Task
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		ladders, err := ladder.LoadTx(ctx, tx, sc.Program.ID)
		if err != nil {
			return err
		}
		if err := in.validate(ladders); err != nil {
			return err
		}
		brief, elig, reward, rec := encodeInput(in)
		out, err = scanTask(tx.QueryRowContext(ctx, `INSERT INTO tasks (program_id, public_id, title, kind, mode, brief, eligibility,
			capacity, claim_deadline, submit_deadline, submit_within_hours, reward_points, reward, effort_minutes, campaign, budget_line,
			recurrence, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
			RETURNING `+taskCols, sc.Program.ID, pubid.New("tsk"), in.Title, string(in.Kind), string(in.Mode), brief, elig, in.Capacity,
			micros(in.ClaimDeadline), micros(in.SubmitDeadline), in.SubmitWithinHours, in.Reward.Points, reward, in.EffortMinutes,
			in.Campaign, in.BudgetLine, rec, tx.Now.UnixMicro()))
		if err != nil {
			return fmt.Errorf("create task: %w", db.MapError(err))
		}
		if err := ladder.ReferTx(ctx, tx, sc.Program.ID, "task:"+out.PublicID, in.Eligibility.Ladder, in.Eligibility.MinTier); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "task.create", ObjectKind: "task", ObjectID: out.PublicID, After: out})
	})
	return s.withSlotsOne(ctx, out, err)
}

// lockTask reads a task for a change: locked exclusively to change the task
// itself (publish, update, cancel), shared for work on its claims, so that
// claims on one task go on side by side and meet only where they must, at
// the task's capacity account in the ledger.
func lockTask(ctx context.Context, tx *db.Tx, programID int64, ref string, exclusive bool) (Task, error) {
	lock := tx.ForShare()
	if exclusive {
		lock = tx.ForUpdate()
	}
	t, err := scanTask(tx.QueryRowContext(ctx, `SELECT `+taskCols+` FROM tasks WHERE program_id = $1 AND public_id = $2`+lock, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, fault.New(fault.NotFound, "task.not_found", "task {ref} not found", fault.P{"ref": ref})
	}
	if err != nil {
		return Task{}, db.MapError(err)
	}
	return t, nil
}

// Update rewrites a task. A draft may change in every way; once published,
// the kind, mode, reward, eligibility and recurrence are what members signed
// up for and stay; capacity may grow, or shrink down to the slots taken.
func (s *Service) Update(ctx context.Context, sc program.Scope, ref string, in Input) (Task, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Task{}, err
	}
	var out Task
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := lockTask(ctx, tx, sc.Program.ID, ref, true)
		if err != nil {
			return err
		}
		if !before.Changeable() {
			return fault.New(fault.Conflict, "task.status", "the task is {status}", fault.P{"status": string(before.Status)})
		}
		ladders, err := ladder.LoadTx(ctx, tx, sc.Program.ID)
		if err != nil {
			return err
		}
		if err := in.validate(ladders); err != nil {
			return err
		}
		if before.Status == Published {
			var f fault.Fields
			if in.Kind != before.Kind {
				f.Add("kind", "task.fixed", "cannot change after publishing")
			}
			if in.Mode != before.Mode {
				f.Add("mode", "task.fixed", "cannot change after publishing")
			}
			if !sameJSON(in.Reward, before.Reward) {
				f.Add("reward", "task.fixed", "cannot change after publishing")
			}
			if !sameJSON(in.Eligibility, before.Eligibility) {
				f.Add("eligibility", "task.fixed", "cannot change after publishing")
			}
			if !sameJSON(in.Recurrence, before.Recurrence) {
				f.Add("recurrence", "task.fixed", "cannot change after publishing")
			}
			if in.BudgetLine != before.BudgetLine {
				f.Add("budget_line", "task.fixed", "cannot change after publishing")
			}
			if err := f.Err(); err != nil {
				return err
			}
			if err := s.resize(ctx, tx, before, in.Capacity); err != nil {
				return err
			}
		}
		brief, elig, reward, rec := encodeInput(in)
		out, err = scanTask(tx.QueryRowContext(ctx, `UPDATE tasks SET title = $2, kind = $3, mode = $4, brief = $5, eligibility = $6,
			capacity = $7, claim_deadline = $8, submit_deadline = $9, submit_within_hours = $10, reward_points = $11, reward = $12,
			effort_minutes = $13, campaign = $14, budget_line = $15, recurrence = $16, updated_at = $17 WHERE id = $1 RETURNING `+taskCols,
			before.ID, in.Title, string(in.Kind), string(in.Mode), brief, elig, in.Capacity, micros(in.ClaimDeadline),
			micros(in.SubmitDeadline), in.SubmitWithinHours, in.Reward.Points, reward, in.EffortMinutes, in.Campaign, in.BudgetLine,
			rec, tx.Now.UnixMicro()))
		if err != nil {
			return err
		}
		if err := ladder.ReferTx(ctx, tx, sc.Program.ID, "task:"+out.PublicID, in.Eligibility.Ladder, in.Eligibility.MinTier); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "task.update", ObjectKind: "task", ObjectID: out.PublicID, Before: before, After: out})
	})
	return s.withSlotsOne(ctx, out, err)
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// slot accounts: the program's source of slots, and each task's capacity
// (which may not go below zero) and claimed accounts.
func (s *Service) slotAccounts(ctx context.Context, tx *db.Tx, t Task) (source, capacity, claimed ledger.Account, err error) {
	open := func(code, ref string, limit ledger.LimitRule) (ledger.Account, error) {
		return ledger.OpenAccountTx(ctx, tx, ledger.AccountSpec{ProgramID: t.ProgramID, Asset: "slots", Code: code, Ref: ref, Limit: limit})
	}
	if source, err = open("slots_source", "", ledger.NoLimit); err != nil {
		return
	}
	if capacity, err = open("task_capacity", "task:"+t.PublicID, ledger.DebitsMustNotExceedCredits); err != nil {
		return
	}
	claimed, err = open("task_claimed", "task:"+t.PublicID, ledger.NoLimit)
	return
}

// move applies one ledger transfer in tx and turns its failure into an
// error; the committed result is observed once the caller commits.
func (s *Service) move(ctx context.Context, tx *db.Tx, programID int64, t ledger.Transfer) (ledger.Result, error) {
	rs, err := s.Ledger.ApplyTx(ctx, tx, programID, []ledger.Transfer{t})
	if err != nil {
		return ledger.Result{}, err
	}
	return rs[0], rs[0].Err()
}

// resize changes a published task's capacity through the ledger.
func (s *Service) resize(ctx context.Context, tx *db.Tx, t Task, capacity int) error {
	if capacity == t.Capacity {
		return nil
	}
	source, cap, _, err := s.slotAccounts(ctx, tx, t)
	if err != nil {
		return err
	}
	id := fmt.Sprintf("resize:%s:%d:%d", t.PublicID, t.Capacity, tx.Now.UnixMicro())
	tr := ledger.Transfer{ClientID: id, DebitAccountID: source.ID, CreditAccountID: cap.ID, Amount: int64(capacity - t.Capacity), Code: "task_resize", Ref: "task:" + t.PublicID}
	if capacity < t.Capacity {
		tr.DebitAccountID, tr.CreditAccountID, tr.Amount = cap.ID, source.ID, int64(t.Capacity-capacity)
	}
	if _, err := s.move(ctx, tx, t.ProgramID, tr); err != nil {
		if fault.Is(err, fault.LimitExceeded) {
			var f fault.Fields
			f.Add("capacity", "task.below_taken", "is less than the slots already taken")
			return f.Err()
		}
		return err
	}
	if t.Reward.Money > 0 && t.BudgetLine != "" {
		// More places commit more of the line; fewer give the difference back.
		if capacity > t.Capacity {
			return budget.CommitTx(ctx, tx, s.Ledger, t.ProgramID, t.BudgetLine, "task:"+t.PublicID, "commit:"+id, t.Commitment(capacity-t.Capacity))
		}
		return budget.ReleaseTx(ctx, tx, s.Ledger, t.ProgramID, t.BudgetLine, "task:"+t.PublicID, "release:"+id, t.Commitment(t.Capacity-capacity))
	}
	return nil
}

// Publish opens a draft task to members: its capacity becomes slots in the
// ledger.
func (s *Service) Publish(ctx context.Context, sc program.Scope, ref string) (Task, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Task{}, err
	}
	var out Task
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t, err := lockTask(ctx, tx, sc.Program.ID, ref, true)
		if err != nil {
			return err
		}
		if !t.Publishable() {
			return fault.New(fault.Conflict, "task.not_draft", "only a draft can be published; the task is {status}", fault.P{"status": string(t.Status)})
		}
		if !t.ClaimDeadline.IsZero() && !t.ClaimDeadline.After(tx.Now) {
			var f fault.Fields
			f.Add("claim_deadline", "task.deadline_passed", "has passed: move it before publishing")
			return f.Err()
		}
		source, capacity, claimed, err := s.slotAccounts(ctx, tx, t)
		if err != nil {
			return err
		}
		if _, err := s.move(ctx, tx, t.ProgramID, ledger.Transfer{ClientID: "publish:" + t.PublicID, DebitAccountID: source.ID,
			CreditAccountID: capacity.ID, Amount: int64(t.Capacity), Code: "task_publish", Ref: "task:" + t.PublicID}); err != nil {
			return err
		}
		if t.Reward.Money > 0 {
			if t.BudgetLine == "" {
				return fault.Field("budget_line", "task.budget_line_required", "is required for a money reward: the places are committed on it")
			}
			if err := budget.CommitTx(ctx, tx, s.Ledger, t.ProgramID, t.BudgetLine, "task:"+t.PublicID, "commit:"+t.PublicID,
				t.Commitment(t.Capacity)); err != nil {
				return err
			}
		}
		out, err = scanTask(tx.QueryRowContext(ctx, `UPDATE tasks SET status = 'published', capacity_account_id = $2, claimed_account_id = $3,
			published_at = $4, updated_at = $4 WHERE id = $1 RETURNING `+taskCols, t.ID, capacity.ID, claimed.ID, tx.Now.UnixMicro()))
		if err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "task.publish", ObjectKind: "task", ObjectID: t.PublicID,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": out.Status, "capacity": out.Capacity}})
	})
	return s.withSlotsOne(ctx, out, err)
}

// Cancel ends a task: claims still in progress are cancelled and every slot
// goes back (T3: cancellation releases capacity).
func (s *Service) Cancel(ctx context.Context, sc program.Scope, ref, reason string) (Task, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Task{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		var f fault.Fields
		f.Length("reason", 1, 500)
		return Task{}, f.Err()
	}
	var out Task
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t, err := lockTask(ctx, tx, sc.Program.ID, ref, true)
		if err != nil {
			return err
		}
		if !t.Changeable() {
			return fault.New(fault.Conflict, "task.status", "the task is {status}", fault.P{"status": string(t.Status)})
		}
		claims, err := claimsOf(ctx, tx, t)
		if err != nil {
			return err
		}
		for _, c := range claims {
			if c.Status.working() || c.Status == Submitted || c.Status == Applied {
				if err := s.endClaim(ctx, tx, t, c, CancelledClaim, "task cancelled: "+reason); err != nil {
					return err
				}
			}
		}
		if t.Status == Published {
			if err := s.releaseUnused(ctx, tx, t, "cancel"); err != nil {
				return err
			}
		}
		out, err = scanTask(tx.QueryRowContext(ctx, `UPDATE tasks SET status = 'cancelled', updated_at = $2 WHERE id = $1 RETURNING `+taskCols,
			t.ID, tx.Now.UnixMicro()))
		if err != nil {
			return err
		}
		if err := ladder.UnreferTx(ctx, tx, sc.Program.ID, "task:"+t.PublicID); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "task.cancel", ObjectKind: "task", ObjectID: t.PublicID,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": out.Status, "reason": reason}})
	})
	return s.withSlotsOne(ctx, out, err)
}

// releaseUnused gives back a task's free places, and what its budget line
// still holds for it, as the task ends (why: cancel or close).
func (s *Service) releaseUnused(ctx context.Context, tx *db.Tx, t Task, why string) error {
	source, capacity, _, err := s.slotAccounts(ctx, tx, t)
	if err != nil {
		return err
	}
	a, err := ledger.AccountTx(ctx, tx, t.ProgramID, capacity.ID)
	if err != nil {
		return err
	}
	if a.Available() > 0 {
		if _, err := s.move(ctx, tx, t.ProgramID, ledger.Transfer{ClientID: why + ":" + t.PublicID, DebitAccountID: capacity.ID,
			CreditAccountID: source.ID, Amount: a.Available(), Code: "task_" + why, Ref: "task:" + t.PublicID}); err != nil {
			return err
		}
	}
	if t.Reward.Money > 0 && t.BudgetLine != "" {
		return budget.ReleaseTx(ctx, tx, s.Ledger, t.ProgramID, t.BudgetLine, "task:"+t.PublicID, "release:"+why+":"+t.PublicID, 0)
	}
	return nil
}

// Get returns a task. Everyone in the program may read published tasks;
// drafts are for operators.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Task, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return Task{}, err
	}
	t, err := scanTask(s.DB.R.QueryRowContext(ctx, `SELECT `+taskCols+` FROM tasks WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && t.Status == Draft && !program.Can(sc.Role, program.PermTasksRead)) {
		return Task{}, fault.New(fault.NotFound, "task.not_found", "task {ref} not found", fault.P{"ref": ref})
	}
	if err != nil {
		return Task{}, db.MapError(err)
	}
	return s.withSlotsOne(ctx, t, nil)
}

// Filter narrows a listing of tasks.
type Filter struct {
	Status   Status
	Kind     Kind
	Mode     Mode
	Campaign string
	Before   int64
	Limit    int
}

// List returns tasks, newest first. Members see published tasks only.
func (s *Service) List(ctx context.Context, sc program.Scope, f Filter) ([]Task, int64, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	if !program.Can(sc.Role, program.PermTasksRead) {
		f.Status = Published
	}
	w := db.Where("program_id = $1", sc.Program.ID)
	if f.Status != "" {
		w.Add("status = $?", string(f.Status))
	}
	if f.Kind != "" {
		w.Add("kind = $?", string(f.Kind))
	}
	if f.Mode != "" {
		w.Add("mode = $?", string(f.Mode))
	}
	if f.Campaign != "" {
		w.Add("campaign = $?", f.Campaign)
	}
	if f.Before > 0 {
		w.Add("id < $?", f.Before)
	}
	where, args := w.Page("id DESC", f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+taskCols+` FROM tasks`+where, args...)
	out, err := db.Collect(rows, err, scanTask)
	if err != nil {
		return nil, 0, err
	}
	out, next := db.TrimPage(out, f.Limit, func(t Task) int64 { return t.ID })
	out, err = s.withSlots(ctx, out)
	return out, next, err
}

// withSlots fills in tasks' free and taken slots from the ledger, in one
// query for the whole page.
func (s *Service) withSlots(ctx context.Context, ts []Task) ([]Task, error) {
	if len(ts) == 0 {
		return ts, nil
	}
	refs := make([]string, 0, len(ts))
	for i := range ts {
		ts[i].SlotsFree, ts[i].SlotsTaken = int64(ts[i].Capacity), 0
		if ts[i].capacityAccount != 0 {
			refs = append(refs, "task:"+ts[i].PublicID)
		}
	}
	as, err := s.Ledger.AccountsByRef(ctx, ts[0].ProgramID, "slots", refs)
	if err != nil {
		return nil, err
	}
	byRef := map[string]*Task{}
	for i := range ts {
		byRef["task:"+ts[i].PublicID] = &ts[i]
	}
	for _, a := range as {
		t := byRef[a.Ref]
		switch {
		case t == nil || t.capacityAccount == 0:
		case a.Code == "task_capacity":
			t.SlotsFree = a.Available()
		case a.Code == "task_claimed":
			t.SlotsTaken = a.Balance()
		}
	}
	return ts, nil
}

func (s *Service) withSlotsOne(ctx context.Context, t Task, err error) (Task, error) {
	if err != nil {
		return Task{}, err
	}
	ts, err := s.withSlots(ctx, []Task{t})
	if err != nil {
		return Task{}, err
	}
	return ts[0], nil
}
