// Package budget holds the program's budget (SPEC B1–B5, seed 003): plans
// per period in the layers broad, incentive and exclusive plus a strategic
// reserve, their lines, and every movement of money on them. The money is
// only ever in the ledger (asset CNY, in fen), three kinds of account a line:
//
//   - available (budget_line, line:bln_…): funded when finance approves the
//     plan; it may not go below zero, so nothing is committed or spent past
//     the plan however many requests race;
//   - committed (budget_committed, line:bln_…/task:tsk_…): what a published
//     task holds for its unpaid places, one account per line and task, so a
//     task can never pay or release more than it committed;
//   - spent (budget_spent, line:bln_…): what was paid out of the line.
//
// A line's plan is always available + held + committed + spent, where held
// is what a move or reserve request awaiting finance keeps back.
package budget

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/ledger"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Asset is the ledger asset budgets are kept in: CNY, in fen.
const Asset = "CNY"

// Layer is a layer of the budget (seed 003).
type Layer string

const (
	Broad     Layer = "broad"     // 普惠
	Incentive Layer = "incentive" // 激励
	Exclusive Layer = "exclusive" // 专属
	Reserve   Layer = "reserve"   // 策略性储备
)

// Layers in the order reports show them.
var Layers = []Layer{Broad, Incentive, Exclusive, Reserve}

// PlanStatus is where a plan stands.
type PlanStatus string

const (
	Draft    PlanStatus = "draft"
	Approved PlanStatus = "approved"
	Closed   PlanStatus = "closed"
)

// Figures are a line's (or a sum of lines') money, in fen.
type Figures struct {
	Planned   int64 `json:"planned"`
	Committed int64 `json:"committed"`
	Spent     int64 `json:"spent"`
	Held      int64 `json:"held" doc:"Kept back by move and reserve requests awaiting finance."`
	Available int64 `json:"available"`
}

// Add adds o's figures to f's.
func (f *Figures) Add(o Figures) {
	f.Planned += o.Planned
	f.Committed += o.Committed
	f.Spent += o.Spent
	f.Held += o.Held
	f.Available += o.Available
}

// BudgetLine is a line item of a plan with its figures from the ledger.
type BudgetLine struct {
	ID       int64  `json:"-"`
	PublicID string `json:"id"`
	Plan     string `json:"plan"`
	PlanName string `json:"plan_name"`
	Layer    Layer  `json:"layer"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Figures
	planID     int64
	planStatus PlanStatus
}

// Plan is a budget plan with its lines.
type Plan struct {
	ID         int64        `json:"-"`
	PublicID   string       `json:"id"`
	Code       string       `json:"code"`
	Name       string       `json:"name"`
	Period     string       `json:"period" doc:"A year (2026) or a quarter (2026-Q3)."`
	StartsOn   string       `json:"starts_on"`
	EndsOn     string       `json:"ends_on"`
	Status     PlanStatus   `json:"status"`
	ApprovedBy string       `json:"approved_by,omitempty"`
	ApprovedAt time.Time    `json:"approved_at,omitzero"`
	CreatedAt  time.Time    `json:"created_at"`
	Lines      []BudgetLine `json:"lines"`
	Totals     Figures      `json:"totals"`
}

// LineInput is a line as written.
type LineInput struct {
	Layer  Layer  `json:"layer" enum:"broad,incentive,exclusive,reserve"`
	Code   string `json:"code" maxLength:"60"`
	Name   string `json:"name" maxLength:"200"`
	Amount int64  `json:"amount" minimum:"0" doc:"The plan, in fen."`
}

// PlanInput is a plan as written.
type PlanInput struct {
	Code   string      `json:"code" maxLength:"60"`
	Name   string      `json:"name" maxLength:"200"`
	Period string      `json:"period" maxLength:"7"`
	Lines  []LineInput `json:"lines,omitempty" maxItems:"200"`
}

// MaxAmount bounds one line or request (¥10 billion), far from overflow.
const MaxAmount = 1_000_000_000_000

var (
	codeRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,59}$`)
	periodRE = regexp.MustCompile(`^(\d{4})(?:-Q([1-4]))?$`)
)

// PeriodDates returns the first and last day of a period: a year (2026) or
// a quarter (2026-Q3).
func PeriodDates(period string) (start, end time.Time, ok bool) {
	m := periodRE.FindStringSubmatch(period)
	if m == nil {
		return time.Time{}, time.Time{}, false
	}
	var year int
	fmt.Sscan(m[1], &year)
	if year < 2000 || year > 2100 {
		return time.Time{}, time.Time{}, false
	}
	if m[2] == "" {
		return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC), true
	}
	q := int(m[2][0] - '0')
	start = time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 3, -1), true
}

func (in *LineInput) check(f *fault.Fields, prefix string) {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	if !validLayer(in.Layer) {
		f.OneOf(prefix+"layer", layerNames())
	}
	if !codeRE.MatchString(in.Code) {
		f.Add(prefix+"code", "budget.code", "use lower-case letters, digits, - and _ (at most 60)")
	}
	if in.Name == "" || len([]rune(in.Name)) > 200 {
		f.Length(prefix+"name", 1, 200)
	}
	if in.Amount < 0 || in.Amount > MaxAmount {
		f.Range(prefix+"amount", 0, MaxAmount)
	}
}

func validLayer(l Layer) bool {
	for _, x := range Layers {
		if x == l {
			return true
		}
	}
	return false
}

func layerNames() []string { return fault.Names(Layers) }

func (in *PlanInput) check() error {
	var f fault.Fields
	in.Code, in.Name, in.Period = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.Period)
	if !codeRE.MatchString(in.Code) {
		f.Add("code", "budget.code", "use lower-case letters, digits, - and _ (at most 60)")
	}
	if in.Name == "" || len([]rune(in.Name)) > 200 {
		f.Length("name", 1, 200)
	}
	if _, _, ok := PeriodDates(in.Period); !ok {
		f.Add("period", "budget.period", "must be a year such as 2026 or a quarter such as 2026-Q3")
	}
	if len(in.Lines) > 200 {
		f.MaxItems("lines", 200)
	}
	seen := map[string]bool{}
	for i := range in.Lines {
		in.Lines[i].check(&f, fmt.Sprintf("lines[%d].", i))
		if seen[in.Lines[i].Code] {
			f.Add(fmt.Sprintf("lines[%d].code", i), "budget.line_taken", "another line of the plan has this code")
		}
		seen[in.Lines[i].Code] = true
	}
	return f.Err()
}

// Service keeps budgets.
type Service struct {
	DB     *db.DB
	Ledger *ledger.Ledger
}

func available(programID int64, line string) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: Asset, Code: "budget_line", Ref: "line:" + line, Limit: ledger.DebitsMustNotExceedCredits}
}

func spent(programID int64, line string) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: Asset, Code: "budget_spent", Ref: "line:" + line}
}

func committed(programID int64, line, ref string) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: Asset, Code: "budget_committed", Ref: "line:" + line + "/" + ref,
		Limit: ledger.DebitsMustNotExceedCredits}
}

func source(programID int64) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: Asset, Code: "budget_source"}
}

const planCols = `id, public_id, code, name, period, starts_on, ends_on, status, approved_by, approved_at, created_at`

func scanPlan(s interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	var approved, created int64
	err := s.Scan(&p.ID, &p.PublicID, &p.Code, &p.Name, &p.Period, &p.StartsOn, &p.EndsOn, &p.Status, &p.ApprovedBy, &approved, &created)
	if approved > 0 {
		p.ApprovedAt = time.UnixMicro(approved).UTC()
	}
	p.CreatedAt = time.UnixMicro(created).UTC()
	return p, err
}

const lineCols = `l.id, l.public_id, p.public_id, p.name, l.layer, l.code, l.name, l.amount, l.plan_id, p.status`

func scanLine(s interface{ Scan(...any) error }) (BudgetLine, error) {
	var l BudgetLine
	err := s.Scan(&l.ID, &l.PublicID, &l.Plan, &l.PlanName, &l.Layer, &l.Code, &l.Name, &l.Planned, &l.planID, &l.planStatus)
	return l, err
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// CreatePlan writes a draft plan with its lines.
func (s *Service) CreatePlan(ctx context.Context, sc program.Scope, in PlanInput) (Plan, error) {
	if err := sc.Require(program.PermBudgetWrite); err != nil {
		return Plan{}, err
	}
	if err := in.check(); err != nil {
		return Plan{}, err
	}
	start, end, _ := PeriodDates(in.Period)
	id, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		ref := pubid.New("bpl")
		var planID int64
		err := tx.QueryRowContext(ctx, `INSERT INTO budget_plans (program_id, public_id, code, name, period, starts_on, ends_on, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, sc.Program.ID, ref, in.Code, in.Name, in.Period,
			start.Format(time.DateOnly), end.Format(time.DateOnly), tx.Now.UnixMicro()).Scan(&planID)
		if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
			return "", fault.Field("code", "budget.plan_taken", "another plan has this code")
		}
		if err != nil {
			return "", err
		}
		for _, l := range in.Lines {
			if _, err := insertLine(ctx, tx, sc.Program.ID, planID, l); err != nil {
				return "", err
			}
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "budget.plan_create", ObjectKind: "budget_plan",
			ObjectID: ref, After: in})
	})
	if err != nil {
		return Plan{}, err
	}
	return s.Plan(ctx, sc, id)
}

func insertLine(ctx context.Context, tx *db.Tx, programID, planID int64, l LineInput) (string, error) {
	ref := pubid.New("bln")
	_, err := tx.ExecContext(ctx, `INSERT INTO budget_lines (program_id, plan_id, public_id, layer, code, name, amount, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, programID, planID, ref, string(l.Layer), l.Code, l.Name, l.Amount, tx.Now.UnixMicro())
	if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
		return "", fault.Field("code", "budget.line_taken", "another line of the plan has this code")
	}
	return ref, err
}

func lockPlan(ctx context.Context, tx *db.Tx, programID int64, ref string) (Plan, error) {
	p, err := scanPlan(tx.QueryRowContext(ctx, `SELECT `+planCols+` FROM budget_plans WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(),
		programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, fault.New(fault.NotFound, "budget.plan_not_found", "no budget plan {plan}", fault.P{"plan": ref})
	}
	return p, err
}

// AddLine adds a line to a plan. A draft plan takes any amount; an approved
// plan's new line starts empty and is funded by a move that finance approves.
func (s *Service) AddLine(ctx context.Context, sc program.Scope, planRef string, in LineInput) (BudgetLine, error) {
	if err := sc.Require(program.PermBudgetWrite); err != nil {
		return BudgetLine{}, err
	}
	var f fault.Fields
	in.check(&f, "")
	if err := f.Err(); err != nil {
		return BudgetLine{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		p, err := lockPlan(ctx, tx, sc.Program.ID, planRef)
		if err != nil {
			return "", err
		}
		switch {
		case p.Status == Closed:
			return "", fault.New(fault.Conflict, "budget.plan_closed", "the plan is closed")
		case p.Status == Approved && in.Amount != 0:
			return "", fault.Field("amount", "budget.approved_line_empty", "a line added to an approved plan starts at 0; fund it with a move")
		}
		ref, err := insertLine(ctx, tx, sc.Program.ID, p.ID, in)
		if err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "budget.line_add", ObjectKind: "budget_line",
			ObjectID: ref, After: in})
	})
	if err != nil {
		return BudgetLine{}, err
	}
	return s.Line(ctx, sc, ref)
}

// SetLineAmount changes a draft plan's line.
func (s *Service) SetLineAmount(ctx context.Context, sc program.Scope, lineRef string, amount int64) (BudgetLine, error) {
	if err := sc.Require(program.PermBudgetWrite); err != nil {
		return BudgetLine{}, err
	}
	if amount < 0 || amount > MaxAmount {
		var f fault.Fields
		f.Range("amount", 0, MaxAmount)
		return BudgetLine{}, f.Err()
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		l, err := lineTx(ctx, tx, sc.Program.ID, lineRef)
		if err != nil {
			return err
		}
		// The plan's row, as approval takes it: a line cannot change while
		// its plan is being approved and funded.
		p, err := lockPlan(ctx, tx, sc.Program.ID, l.Plan)
		if err != nil {
			return err
		}
		if p.Status != Draft {
			return fault.New(fault.Conflict, "budget.plan_not_draft", "only a draft plan's lines change by hand; move money between approved lines")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE budget_lines SET amount = $2 WHERE id = $1`, l.ID, amount); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "budget.line_amount", ObjectKind: "budget_line",
			ObjectID: l.PublicID, Before: map[string]any{"amount": l.Planned}, After: map[string]any{"amount": amount}})
	})
	if err != nil {
		return BudgetLine{}, err
	}
	return s.Line(ctx, sc, lineRef)
}

// ApprovePlan is finance's approval: each line's plan is funded into its
// ledger account, and from then on it can be committed and spent.
func (s *Service) ApprovePlan(ctx context.Context, sc program.Scope, ref string) (Plan, error) {
	if err := sc.Require(program.PermBudgetApprove); err != nil {
		return Plan{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		p, err := lockPlan(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		if p.Status != Draft {
			return fault.New(fault.Conflict, "budget.plan_not_draft", "only a draft plan's lines change by hand; move money between approved lines")
		}
		lines, err := linesOf(ctx, tx, sc.Program.ID, p.ID)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return fault.New(fault.Conflict, "budget.plan_empty", "a plan needs at least one line before it is approved")
		}
		src, err := ledger.OpenAccountTx(ctx, tx, source(sc.Program.ID))
		if err != nil {
			return err
		}
		var ts []ledger.Transfer
		for _, l := range lines {
			a, err := ledger.OpenAccountTx(ctx, tx, available(sc.Program.ID, l.PublicID))
			if err != nil {
				return err
			}
			if _, err := ledger.OpenAccountTx(ctx, tx, spent(sc.Program.ID, l.PublicID)); err != nil {
				return err
			}
			if l.Planned > 0 {
				ts = append(ts, ledger.Transfer{ClientID: "fund:" + l.PublicID, DebitAccountID: src.ID, CreditAccountID: a.ID,
					Amount: l.Planned, Code: "budget_fund", Ref: "line:" + l.PublicID})
			}
		}
		if err := s.apply(ctx, tx, sc.Program.ID, ts); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE budget_plans SET status = 'approved', approved_by = $2, approved_at = $3, updated_at = $3
			WHERE id = $1`, p.ID, sc.Actor.Name, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "budget.plan_approve", ObjectKind: "budget_plan",
			ObjectID: p.PublicID, Before: map[string]any{"status": p.Status}, After: map[string]any{"status": Approved}})
	})
	if err != nil {
		return Plan{}, err
	}
	return s.Plan(ctx, sc, ref)
}

// ClosePlan ends a plan: nothing more is committed or spent on its lines.
func (s *Service) ClosePlan(ctx context.Context, sc program.Scope, ref string) (Plan, error) {
	if err := sc.Require(program.PermBudgetApprove); err != nil {
		return Plan{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		p, err := lockPlan(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		if p.Status != Approved {
			return fault.New(fault.Conflict, "budget.plan_not_approved", "plan {plan} is not approved", fault.P{"plan": p.Name})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE budget_plans SET status = 'closed', updated_at = $2 WHERE id = $1`, p.ID, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "budget.plan_close", ObjectKind: "budget_plan",
			ObjectID: p.PublicID, Before: map[string]any{"status": p.Status}, After: map[string]any{"status": Closed}})
	})
	if err != nil {
		return Plan{}, err
	}
	return s.Plan(ctx, sc, ref)
}

func (s *Service) apply(ctx context.Context, tx *db.Tx, programID int64, ts []ledger.Transfer) error {
	if len(ts) == 0 {
		return nil
	}
	rs, err := s.Ledger.ApplyTx(ctx, tx, programID, ts)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := r.Err(); err != nil {
			return err
		}
	}
	return nil
}

func linesOf(ctx context.Context, q querier, programID, planID int64) ([]BudgetLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+lineCols+` FROM budget_lines l JOIN budget_plans p ON p.id = l.plan_id
		WHERE l.program_id = $1 AND l.plan_id = $2 ORDER BY l.id`, programID, planID)
	return db.Collect(rows, err, scanLine)
}

func lineTx(ctx context.Context, q querier, programID int64, ref string) (BudgetLine, error) {
	l, err := scanLine(q.QueryRowContext(ctx, `SELECT `+lineCols+` FROM budget_lines l JOIN budget_plans p ON p.id = l.plan_id
		WHERE l.program_id = $1 AND l.public_id = $2`, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return BudgetLine{}, fault.New(fault.NotFound, "budget.line_not_found", "no budget line {line}", fault.P{"line": ref})
	}
	return l, err
}

// figures fills lines' figures from the ledger: three reads however many
// lines.
func figures(ctx context.Context, q querier, programID int64, lines []BudgetLine) error {
	if len(lines) == 0 {
		return nil
	}
	byRef := map[string]*BudgetLine{}
	refs := make([]any, 0, len(lines))
	marks := make([]string, 0, len(lines))
	for i := range lines {
		byRef["line:"+lines[i].PublicID] = &lines[i]
		refs = append(refs, "line:"+lines[i].PublicID)
		marks = append(marks, fmt.Sprintf("$%d", i+2))
	}
	in := strings.Join(marks, ", ")
	args := append([]any{programID}, refs...)
	rows, err := q.QueryContext(ctx, `SELECT code, ref, credits_posted - debits_posted, debits_pending FROM ledger_accounts
		WHERE program_id = $1 AND asset = 'CNY' AND code IN ('budget_line', 'budget_spent') AND ref IN (`+in+`)`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var code, ref string
		var bal, pend int64
		if err := rows.Scan(&code, &ref, &bal, &pend); err != nil {
			rows.Close()
			return err
		}
		l := byRef[ref]
		if code == "budget_line" {
			l.Available, l.Held = bal-pend, pend
		} else {
			l.Spent = bal
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Committed accounts are named line:bln_…/task:…; their line is the
	// part before the slash.
	rows, err = q.QueryContext(ctx, `SELECT ref, credits_posted - debits_posted FROM ledger_accounts
		WHERE program_id = $1 AND asset = 'CNY' AND code = 'budget_committed' AND credits_posted > debits_posted`, programID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		var bal int64
		if err := rows.Scan(&ref, &bal); err != nil {
			return err
		}
		line, _, _ := strings.Cut(ref, "/")
		if l, ok := byRef[line]; ok {
			l.Committed += bal
		}
	}
	return rows.Err()
}

// Plan returns a plan with its lines and their figures.
func (s *Service) Plan(ctx context.Context, sc program.Scope, ref string) (Plan, error) {
	if err := sc.Require(program.PermBudgetRead); err != nil {
		return Plan{}, err
	}
	p, err := scanPlan(s.DB.R.QueryRowContext(ctx, `SELECT `+planCols+` FROM budget_plans WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, fault.New(fault.NotFound, "budget.plan_not_found", "no budget plan {plan}", fault.P{"plan": ref})
	}
	if err != nil {
		return Plan{}, err
	}
	if p.Lines, err = linesOf(ctx, s.DB.R, sc.Program.ID, p.ID); err != nil {
		return Plan{}, err
	}
	if err := figures(ctx, s.DB.R, sc.Program.ID, p.Lines); err != nil {
		return Plan{}, err
	}
	for _, l := range p.Lines {
		p.Totals.Add(l.Figures)
	}
	return p, nil
}

// Plans lists the program's plans, newest first, with their totals.
func (s *Service) Plans(ctx context.Context, sc program.Scope) ([]Plan, error) {
	if err := sc.Require(program.PermBudgetRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+planCols+` FROM budget_plans WHERE program_id = $1 ORDER BY id DESC LIMIT 200`, sc.Program.ID)
	plans, err := db.Collect(rows, err, scanPlan)
	if err != nil {
		return nil, err
	}
	lines, err := s.lines(ctx, sc.Program.ID, false)
	if err != nil {
		return nil, err
	}
	for i := range plans {
		plans[i].Lines = []BudgetLine{}
		for _, l := range lines {
			if l.planID == plans[i].ID {
				plans[i].Lines = append(plans[i].Lines, l)
				plans[i].Totals.Add(l.Figures)
			}
		}
	}
	return plans, nil
}

func (s *Service) lines(ctx context.Context, programID int64, open bool) ([]BudgetLine, error) {
	cond := ""
	if open {
		cond = ` AND p.status = 'approved'`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+lineCols+` FROM budget_lines l JOIN budget_plans p ON p.id = l.plan_id
		WHERE l.program_id = $1`+cond+` ORDER BY p.id DESC, l.id`, programID)
	lines, err := db.Collect(rows, err, scanLine)
	if err != nil {
		return nil, err
	}
	return lines, figures(ctx, s.DB.R, programID, lines)
}

// OpenLines lists the lines of approved plans: what tasks and catalog
// items may be charged to. Operators who write tasks or the catalog read
// them too.
func (s *Service) OpenLines(ctx context.Context, sc program.Scope) ([]BudgetLine, error) {
	if !program.Can(sc.Role, program.PermBudgetRead) && !program.Can(sc.Role, program.PermTasksWrite) {
		return nil, sc.Require(program.PermBudgetRead)
	}
	return s.lines(ctx, sc.Program.ID, true)
}

// BudgetLine returns one line with its figures.
func (s *Service) Line(ctx context.Context, sc program.Scope, ref string) (BudgetLine, error) {
	if err := sc.Require(program.PermBudgetRead); err != nil {
		return BudgetLine{}, err
	}
	l, err := lineTx(ctx, s.DB.R, sc.Program.ID, ref)
	if err != nil {
		return BudgetLine{}, err
	}
	ls := []BudgetLine{l}
	if err := figures(ctx, s.DB.R, sc.Program.ID, ls); err != nil {
		return BudgetLine{}, err
	}
	return ls[0], nil
}

// CheckLineTx says whether a line may be charged: it exists in the program
// and its plan is approved. field names the input that chose it.
func CheckLineTx(ctx context.Context, tx *db.Tx, programID int64, ref, field string) (BudgetLine, error) {
	l, err := lineTx(ctx, tx, programID, ref)
	if fault.Is(err, fault.NotFound) {
		return BudgetLine{}, fault.Field(field, "budget.line_unknown", "is not a budget line of this program")
	}
	if err != nil {
		return BudgetLine{}, err
	}
	if l.planStatus != Approved {
		return BudgetLine{}, fault.Field(field, "budget.line_not_open", "belongs to a plan that is not approved (or is closed)")
	}
	return l, nil
}

// Refusal is the refusal when a line has too little left (a commit, a
// request, or a caller's chain that failed on the line's spend): it names
// the line, its plan, and what is committed, spent and left.
func Refusal(ctx context.Context, tx *db.Tx, programID int64, l BudgetLine, needed int64) error {
	ls := []BudgetLine{l}
	if err := figures(ctx, tx, programID, ls); err != nil {
		return err
	}
	f := ls[0].Figures
	m := func(v int64) string { return i18n.Money("en", Asset, v) }
	return fault.New(fault.LimitExceeded, "budget.exceeded",
		"budget line {line} of {plan} has {available} left of {planned} ({committed} committed, {spent} spent); {needed} is needed",
		fault.P{"line": l.Name, "line_id": l.PublicID, "plan": l.PlanName, "planned": m(f.Planned), "committed": m(f.Committed),
			"spent": m(f.Spent), "available": m(f.Available), "needed": m(needed), "available_fen": f.Available, "needed_fen": needed})
}

// Commit holds amount of a line for ref (task:tsk_…): on publish, the
// places times the money reward. Refused, naming the figures, when the
// line has less left.
func CommitTx(ctx context.Context, tx *db.Tx, l *ledger.Ledger, programID int64, lineRef, ref, clientID string, amount int64) error {
	line, err := CheckLineTx(ctx, tx, programID, lineRef, "budget_line")
	if err != nil {
		return err
	}
	from, err := ledger.OpenAccountTx(ctx, tx, available(programID, lineRef))
	if err != nil {
		return err
	}
	to, err := ledger.OpenAccountTx(ctx, tx, committed(programID, lineRef, ref))
	if err != nil {
		return err
	}
	rs, err := l.ApplyTx(ctx, tx, programID, []ledger.Transfer{{ClientID: clientID, DebitAccountID: from.ID, CreditAccountID: to.ID,
		Amount: amount, Code: "budget_commit", Ref: ref}})
	if err != nil {
		return err
	}
	if rs[0].Code == ledger.ExceedsCredits {
		return Refusal(ctx, tx, programID, line, amount)
	}
	return rs[0].Err()
}

// PayTx spends amount of what ref committed on its line.
func PayTx(ctx context.Context, tx *db.Tx, l *ledger.Ledger, programID int64, lineRef, ref, clientID string, amount int64) error {
	from, err := ledger.OpenAccountTx(ctx, tx, committed(programID, lineRef, ref))
	if err != nil {
		return err
	}
	to, err := ledger.OpenAccountTx(ctx, tx, spent(programID, lineRef))
	if err != nil {
		return err
	}
	rs, err := l.ApplyTx(ctx, tx, programID, []ledger.Transfer{{ClientID: clientID, DebitAccountID: from.ID, CreditAccountID: to.ID,
		Amount: amount, Code: "budget_pay", Ref: ref}})
	if err != nil {
		return err
	}
	if rs[0].Code == ledger.ExceedsCredits {
		return fault.New(fault.LimitExceeded, "budget.commitment_spent", "{ref} has paid all it committed on its budget line", fault.P{"ref": ref})
	}
	return rs[0].Err()
}

// ReleaseTx gives back to the line what ref still holds (amount 0: all of
// it): on cancellation, expiry, unused places, a smaller capacity.
func ReleaseTx(ctx context.Context, tx *db.Tx, l *ledger.Ledger, programID int64, lineRef, ref, clientID string, amount int64) error {
	from, err := ledger.OpenAccountTx(ctx, tx, committed(programID, lineRef, ref))
	if err != nil {
		return err
	}
	if amount == 0 {
		amount = from.Balance()
	}
	if amount <= 0 {
		return nil
	}
	to, err := ledger.OpenAccountTx(ctx, tx, available(programID, lineRef))
	if err != nil {
		return err
	}
	rs, err := l.ApplyTx(ctx, tx, programID, []ledger.Transfer{{ClientID: clientID, DebitAccountID: from.ID, CreditAccountID: to.ID,
		Amount: amount, Code: "budget_release", Ref: ref}})
	if err != nil {
		return err
	}
	return rs[0].Err()
}

// Spend is a direct spend of a line (a redemption's unit cost): the
// transfer, for the caller to put in its linked chain, and the line, for
// Refusal should the chain fail on it.
func SpendTransfer(ctx context.Context, tx *db.Tx, programID int64, lineRef, clientID, ref string, amount int64) (ledger.Transfer, BudgetLine, error) {
	line, err := CheckLineTx(ctx, tx, programID, lineRef, "budget_line")
	if err != nil {
		return ledger.Transfer{}, BudgetLine{}, err
	}
	from, err := ledger.OpenAccountTx(ctx, tx, available(programID, lineRef))
	if err != nil {
		return ledger.Transfer{}, BudgetLine{}, err
	}
	to, err := ledger.OpenAccountTx(ctx, tx, spent(programID, lineRef))
	if err != nil {
		return ledger.Transfer{}, BudgetLine{}, err
	}
	return ledger.Transfer{ClientID: clientID, DebitAccountID: from.ID, CreditAccountID: to.ID, Amount: amount, Code: "budget_spend", Ref: ref}, line, nil
}

// SpendTx spends amount of a line at once, on its own (an event's venue,
// a test car's insurance): a line without enough left refuses it whole,
// with the line's figures in the refusal.
func SpendTx(ctx context.Context, tx *db.Tx, l *ledger.Ledger, programID int64, lineRef, clientID, ref string, amount int64) error {
	t, line, err := SpendTransfer(ctx, tx, programID, lineRef, clientID, ref, amount)
	if err != nil {
		return err
	}
	rs, err := l.ApplyTx(ctx, tx, programID, []ledger.Transfer{t})
	if err != nil {
		return err
	}
	if err := rs[0].Err(); fault.Is(err, fault.LimitExceeded) {
		return Refusal(ctx, tx, programID, line, amount)
	} else if err != nil {
		return err
	}
	return nil
}
