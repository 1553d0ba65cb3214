package loan

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/media"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Loan statuses.
const (
	LoanReserved  = "reserved" // agreed, to be signed and handed over
	LoanOut       = "on_loan"
	LoanReturned  = "returned"
	LoanCancelled = "cancelled" // ended before the handover
)

// Stages of a loan a checklist is for.
const (
	Handover = "handover"
	Return   = "return"
)

// ChecklistItems are what a handover and a return look at.
var ChecklistItems = []string{"exterior", "interior", "tyres", "charging_cable", "keys", "documents", "clean"}

// Scenarios the member's posts cover over the loan (seed 001: the family's
// only car, in every part of its life).
var Scenarios = []string{"commute", "shopping", "school_run", "long_trip"}

// Loan is a unit lent to a member under an agreement.
type Loan struct {
	ID           int64       `json:"-"`
	PublicID     string      `json:"id"`
	Unit         string      `json:"unit"`
	VIN          string      `json:"vin"`
	Model        string      `json:"model"`
	Member       string      `json:"member"`
	MemberName   string      `json:"member_name"`
	Status       string      `json:"status" enum:"reserved,on_loan,returned,cancelled"`
	StartsOn     string      `json:"starts_on" doc:"YYYY-MM-DD, in the program's time zone."`
	EndsOn       string      `json:"ends_on" doc:"The agreed last day."`
	ReturnBy     string      `json:"return_by,omitempty" doc:"An earlier day the unit was asked back by (the member left the loan's rung)."`
	ReturnReason string      `json:"return_reason,omitempty"`
	DueOn        string      `json:"due_on" doc:"The day it must be back: the end, or the earlier return day."`
	Overdue      bool        `json:"overdue" doc:"Still out after its day, on the program's local calendar."`
	Terms        string      `json:"terms,omitempty"`
	Ladder       string      `json:"ladder,omitempty"`
	MinTier      string      `json:"min_tier,omitempty" doc:"The rung the loan is for; a member who leaves it is asked to bring the unit back."`
	Campaign     string      `json:"campaign,omitempty"`
	DiaryClaim   string      `json:"diary_claim,omitempty" doc:"The member's claim on the loan's diary task."`
	SignedAt     time.Time   `json:"signed_at,omitzero"`
	SignedName   string      `json:"signed_name,omitempty"`
	HandedOverAt time.Time   `json:"handed_over_at,omitzero"`
	ReturnedAt   time.Time   `json:"returned_at,omitzero"`
	Checks       []LoanCheck `json:"checks"`
	Scenarios    []Scenario  `json:"scenarios"`
	CreatedAt    time.Time   `json:"created_at"`
	unitID       int64
	memberID     int64
	transfer     string
	free, out    int64
}

// LoanCheck is a handover or a return as it was recorded.
type LoanCheck struct {
	Stage   string      `json:"stage" enum:"handover,return"`
	Mileage int         `json:"mileage"`
	Items   []string    `json:"items" doc:"The checklist's items found in order."`
	Note    string      `json:"note,omitempty"`
	Actor   string      `json:"actor,omitempty"`
	At      time.Time   `json:"at"`
	Photos  []LoanPhoto `json:"photos"`
}

// LoanPhoto is a picture taken at a handover or a return.
type LoanPhoto struct {
	PublicID    string    `json:"id"`
	Stage       string    `json:"stage"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	Data        []byte    `json:"-"`
}

// Scenario is one of the scenarios the member covered, with the post.
type Scenario struct {
	Key      string    `json:"key" enum:"commute,shopping,school_run,long_trip"`
	URL      string    `json:"url"`
	TickedAt time.Time `json:"ticked_at"`
}

// Stage returns the check of a stage, if recorded.
func (l Loan) Stage(stage string) (LoanCheck, bool) {
	for _, c := range l.Checks {
		if c.Stage == stage {
			return c, true
		}
	}
	return LoanCheck{}, false
}

// Ticked returns the scenario covered, if it is.
func (l Loan) Ticked(key string) (Scenario, bool) {
	for _, s := range l.Scenarios {
		if s.Key == key {
			return s, true
		}
	}
	return Scenario{}, false
}

// Signable says the member may sign the agreement now.
func (l Loan) Signable() bool { return l.Status == LoanReserved && l.SignedAt.IsZero() }

// HandOverable says operators may hand the unit over now: signed, not yet out.
func (l Loan) HandOverable() bool { return l.Status == LoanReserved && !l.SignedAt.IsZero() }

// Returnable says the unit is out and may come back.
func (l Loan) Returnable() bool { return l.Status == LoanOut }

// Cancellable says the loan may end before its handover.
func (l Loan) Cancellable() bool { return l.Status == LoanReserved }

// Tickable says the member may tick scenarios off: while the unit is out.
func (l Loan) Tickable() bool { return l.Status == LoanOut }

// Open says the loan holds its unit.
func (l Loan) Open() bool { return l.Status == LoanReserved || l.Status == LoanOut }

// LoanInput is a loan as agreed.
type LoanInput struct {
	Unit      string `json:"unit"`
	Member    string `json:"member"`
	StartsOn  string `json:"starts_on" doc:"YYYY-MM-DD."`
	EndsOn    string `json:"ends_on" doc:"YYYY-MM-DD; six months is the usual."`
	Terms     string `json:"terms,omitempty" maxLength:"8000"`
	Ladder    string `json:"ladder,omitempty"`
	MinTier   string `json:"min_tier,omitempty" doc:"The member must stand here; leaving it later asks the unit back."`
	Campaign  string `json:"campaign,omitempty" maxLength:"100"`
	DiaryTask string `json:"diary_task,omitempty" doc:"A recurring task to assign the member with the loan (a weekly diary)."`
}

// LoanCheckInput is a handover or a return as recorded.
type LoanCheckInput struct {
	Mileage   int      `json:"mileage" minimum:"0" maximum:"2000000"`
	Items     []string `json:"items,omitempty" doc:"The checklist's items found in order: exterior, interior, tyres, charging_cable, keys, documents, clean."`
	Note      string   `json:"note,omitempty" maxLength:"2000"`
	ToService bool     `json:"to_service,omitempty" doc:"A return only: the unit goes to the workshop, not back to the fleet."`
}

// LoanFilter narrows loans.
type LoanFilter struct {
	Status string // a loan status, or "open" or "overdue"
	Unit   string
	Member string
	From   string // loans running on or after this day (a calendar's month)
	To     string // and on or before this one
}

func loanNotFound(ref string) error {
	return fault.New(fault.NotFound, "loan.not_found", "no loan {loan}", fault.P{"loan": ref})
}

func (in *LoanInput) check(ls []ladder.Ladder) error {
	in.Unit, in.Member, in.Terms = strings.TrimSpace(in.Unit), strings.TrimSpace(in.Member), strings.TrimSpace(in.Terms)
	in.Campaign, in.DiaryTask = strings.TrimSpace(in.Campaign), strings.TrimSpace(in.DiaryTask)
	var f fault.Fields
	if in.Unit == "" {
		f.Required("unit")
	}
	if in.Member == "" {
		f.Required("member")
	}
	start, okStart := program.ParseDay(in.StartsOn)
	end, okEnd := program.ParseDay(in.EndsOn)
	if !okStart {
		f.Add("starts_on", "loan.day", "must be a day written YYYY-MM-DD")
	}
	if !okEnd {
		f.Add("ends_on", "loan.day", "must be a day written YYYY-MM-DD")
	}
	if okStart && okEnd {
		in.StartsOn, in.EndsOn = start.Format(time.DateOnly), end.Format(time.DateOnly)
		if end.Before(start) || end.Sub(start) > MaxLoanDays*24*time.Hour {
			f.Add("ends_on", "loan.length", "must be on or after the start, within {days} days", fault.P{"days": MaxLoanDays})
		}
	}
	if len([]rune(in.Terms)) > 8000 {
		f.MaxLength("terms", 8000)
	}
	if len([]rune(in.Campaign)) > 100 {
		f.MaxLength("campaign", 100)
	}
	if (in.Ladder != "" || in.MinTier != "") && !ladder.HasTier(ls, in.Ladder, in.MinTier) {
		f.Add("min_tier", "catalog.tier_unknown", "names no tier of the program's ladders")
	}
	return f.Err()
}

func (in *LoanCheckInput) check() error {
	in.Note = strings.TrimSpace(in.Note)
	var f fault.Fields
	if in.Mileage < 0 || in.Mileage > MaxMileage {
		f.Range("mileage", 0, MaxMileage)
	}
	for i, it := range in.Items {
		if !slices.Contains(ChecklistItems, it) {
			f.Add(fmt.Sprintf("items[%d]", i), "one_of", "must be one of {values}", fault.P{"values": strings.Join(ChecklistItems, ", ")})
		}
	}
	if len([]rune(in.Note)) > 2000 {
		f.MaxLength("note", 2000)
	}
	return f.Err()
}

const loanCols = `l.id, l.public_id, u.public_id, u.vin, u.model, m.public_id, m.name, l.status, l.starts_on, l.ends_on, l.return_by, l.return_reason, ` + dueSQL + `,
	l.terms, l.ladder, l.min_tier, l.campaign, l.diary_claim, l.signed_at, l.signed_name, l.handed_over_at, l.returned_at, l.created_at,
	l.unit_id, l.member_id, l.unit_transfer, u.free_account_id, u.out_account_id`

const loanFrom = ` FROM loans l JOIN loan_units u ON u.id = l.unit_id JOIN members m ON m.id = l.member_id`

func micro(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func scanLoan(today string) func(r interface{ Scan(...any) error }) (Loan, error) {
	return func(r interface{ Scan(...any) error }) (Loan, error) {
		var l Loan
		var signed, handed, returned, created int64
		err := r.Scan(&l.ID, &l.PublicID, &l.Unit, &l.VIN, &l.Model, &l.Member, &l.MemberName, &l.Status, &l.StartsOn, &l.EndsOn, &l.ReturnBy, &l.ReturnReason, &l.DueOn,
			&l.Terms, &l.Ladder, &l.MinTier, &l.Campaign, &l.DiaryClaim, &signed, &l.SignedName, &handed, &returned, &created,
			&l.unitID, &l.memberID, &l.transfer, &l.free, &l.out)
		l.SignedAt, l.HandedOverAt, l.ReturnedAt, l.CreatedAt = micro(signed), micro(handed), micro(returned), micro(created)
		l.Overdue = overdue(l.Status, l.DueOn, today)
		l.Checks, l.Scenarios = []LoanCheck{}, []Scenario{}
		return l, err
	}
}

type reader interface {
	querier
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// getLoan reads a loan with its checks, photos and scenarios; a member
// reaches only their own.
func (s *Service) getLoan(ctx context.Context, q reader, sc program.Scope, ref, today string) (Loan, error) {
	l, err := scanLoan(today)(q.QueryRowContext(ctx, `SELECT `+loanCols+loanFrom+` WHERE l.program_id = $1 AND l.public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sc.Actor.Kind == program.ActorMember && l.memberID != sc.Actor.ID) {
		return Loan{}, loanNotFound(ref)
	}
	if err != nil {
		return Loan{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT stage, mileage, items, note, actor, at FROM loan_checks WHERE loan_id = $1 ORDER BY at`, l.ID)
	l.Checks, err = db.Collect(rows, err, func(r interface{ Scan(...any) error }) (LoanCheck, error) {
		var c LoanCheck
		var items string
		var at int64
		err := r.Scan(&c.Stage, &c.Mileage, &items, &c.Note, &c.Actor, &at)
		if err == nil {
			err = json.Unmarshal([]byte(items), &c.Items)
		}
		c.At, c.Photos = micro(at), []LoanPhoto{}
		return c, err
	})
	if err != nil {
		return Loan{}, err
	}
	photos, err := s.photos(ctx, q, l.ID)
	if err != nil {
		return Loan{}, err
	}
	for _, p := range photos {
		i := slices.IndexFunc(l.Checks, func(c LoanCheck) bool { return c.Stage == p.Stage })
		if i < 0 {
			// Photos taken before the check is recorded wait under a check of no mileage.
			l.Checks = append(l.Checks, LoanCheck{Stage: p.Stage, Photos: []LoanPhoto{}})
			i = len(l.Checks) - 1
		}
		l.Checks[i].Photos = append(l.Checks[i].Photos, p)
	}
	rows, err = q.QueryContext(ctx, `SELECT scenario, url, ticked_at FROM loan_scenarios WHERE loan_id = $1`, l.ID)
	l.Scenarios, err = db.Collect(rows, err, func(r interface{ Scan(...any) error }) (Scenario, error) {
		var x Scenario
		var at int64
		err := r.Scan(&x.Key, &x.URL, &at)
		x.TickedAt = micro(at)
		return x, err
	})
	if l.Scenarios == nil {
		l.Scenarios = []Scenario{}
	}
	slices.SortFunc(l.Scenarios, func(a, b Scenario) int { return slices.Index(Scenarios, a.Key) - slices.Index(Scenarios, b.Key) })
	return l, err
}

func (s *Service) photos(ctx context.Context, q reader, loanID int64) ([]LoanPhoto, error) {
	rows, err := q.QueryContext(ctx, `SELECT public_id, stage, content_type, size, created_at FROM loan_photos WHERE loan_id = $1 ORDER BY id`, loanID)
	return db.Collect(rows, err, func(r interface{ Scan(...any) error }) (LoanPhoto, error) {
		var p LoanPhoto
		var at int64
		err := r.Scan(&p.PublicID, &p.Stage, &p.ContentType, &p.Size, &at)
		p.CreatedAt = micro(at)
		return p, err
	})
}

// lockLoan reads a loan with its unit's row locked (where the unit's loans
// queue), then again under the lock.
func (s *Service) lockLoan(ctx context.Context, tx *db.Tx, sc program.Scope, ref string) (Loan, error) {
	l, err := s.getLoan(ctx, tx, sc, ref, "")
	if err != nil {
		return Loan{}, err
	}
	if _, err := lockUnit(ctx, tx, sc.Program.ID, l.Unit); err != nil {
		return Loan{}, err
	}
	day, err := program.Today(ctx, tx, sc.Program.ID, tx.Now)
	if err != nil {
		return Loan{}, err
	}
	return s.getLoan(ctx, tx, sc, ref, day)
}

// Get returns a loan; a member reads only their own.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Loan, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksRead); err != nil {
			return Loan{}, err
		}
	}
	day, err := program.Today(ctx, s.DB.R, sc.Program.ID, s.DB.Now())
	if err != nil {
		return Loan{}, err
	}
	return s.getLoan(ctx, s.DB.R, sc, ref, day)
}

// List is loans, those due back soonest first; a member sees their own.
func (s *Service) List(ctx context.Context, sc program.Scope, f LoanFilter) ([]Loan, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksRead); err != nil {
			return nil, err
		}
	}
	day, err := program.Today(ctx, s.DB.R, sc.Program.ID, s.DB.Now())
	if err != nil {
		return nil, err
	}
	w := db.Where("l.program_id = $1", sc.Program.ID)
	if sc.Actor.Kind == program.ActorMember {
		w.Add("l.member_id = $?", sc.Actor.ID)
	} else if f.Member != "" {
		w.Add("m.public_id = $?", f.Member)
	}
	switch f.Status {
	case "":
	case "open":
		w.AddFixed("l.status IN ('reserved', 'on_loan')")
	case "overdue":
		w.Add("l.status = 'on_loan' AND "+dueSQL+" < $?", day)
	case LoanReserved, LoanOut, LoanReturned, LoanCancelled:
		w.Add("l.status = $?", f.Status)
	default:
		return nil, fault.Field("status", "one_of", "must be one of {values}", fault.P{"values": "open, overdue, reserved, on_loan, returned, cancelled"})
	}
	if f.Unit != "" {
		w.Add("u.public_id = $?", f.Unit)
	}
	if f.From != "" {
		w.Add(dueSQL+" >= $?", f.From)
	}
	if f.To != "" {
		w.Add("l.starts_on <= $?", f.To)
	}
	where, args := w.Page(dueSQL+", l.id", 1000)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+loanCols+loanFrom+where, args...)
	ls, err := db.Collect(rows, err, scanLoan(day))
	if len(ls) > 1000 {
		ls = ls[:1000]
	}
	if ls == nil {
		ls = []Loan{}
	}
	return ls, err
}

// Create agrees a loan of an available unit to a member: the unit is
// taken out of its ledger account and promised (reserved) until it is
// handed over. However many operators lend the same unit at once, one
// loan has it; a member holds one loan at a time. With a diary task the
// member is assigned it in the same change.
func (s *Service) Create(ctx context.Context, sc program.Scope, in LoanInput) (Loan, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Loan{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		ls, err := ladder.LoadTx(ctx, tx, sc.Program.ID)
		if err != nil {
			return "", err
		}
		if err := in.check(ls); err != nil {
			return "", err
		}
		m, err := member.LookupTx(ctx, tx, sc.Program.ID, in.Member)
		if fault.Is(err, fault.NotFound) {
			return "", fault.Field("member", "event.member_unknown", "names no member of the program")
		}
		if err != nil {
			return "", err
		}
		u, err := lockUnit(ctx, tx, sc.Program.ID, in.Unit)
		if fault.Is(err, fault.NotFound) {
			return "", fault.Field("unit", "loan.unit_unknown", "names no unit of the fleet")
		}
		if err != nil {
			return "", err
		}
		if u.Status != Available {
			return "", fault.New(fault.Conflict, "loan.unit_unavailable", "the unit is {status}, not available", fault.P{"status": u.Status})
		}
		if m.Status != member.Active {
			return "", fault.New(fault.Conflict, "event.member_inactive", "only an active member may take a seat (the member is {status})", fault.P{"status": string(m.Status)})
		}
		if in.Ladder != "" {
			ok, err := ladder.NewRanks(tx, sc.Program.ID, m.ID).AtLeast(ctx, in.Ladder, in.MinTier)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", fault.New(fault.Forbidden, "loan.tier", "the loan is for members at {tier} or above", fault.P{"tier": in.MinTier})
			}
		}
		var open string
		err = tx.QueryRowContext(ctx, `SELECT public_id FROM loans WHERE member_id = $1 AND status IN ('reserved', 'on_loan')`, m.ID).Scan(&open)
		if err == nil {
			return "", fault.New(fault.Conflict, "loan.member_has_loan", "{name} already has loan {loan}", fault.P{"name": m.Name, "loan": open})
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		ref := pubid.New("loan")
		transfer := "loan:" + ref
		rs, err := s.Ledger.ApplyNewTx(ctx, tx, sc.Program.ID, []ledger.Transfer{{ClientID: transfer, DebitAccountID: u.free, CreditAccountID: u.out,
			Amount: 1, Code: "unit_loan", Ref: "loan:" + ref}})
		if err != nil {
			return "", err
		}
		if err := rs[0].Err(); fault.Is(err, fault.LimitExceeded) {
			return "", fault.New(fault.Conflict, "loan.unit_unavailable", "the unit is {status}, not available", fault.P{"status": OnLoan})
		} else if err != nil {
			return "", err
		}
		claim := ""
		if in.DiaryTask != "" {
			c, err := s.Tasks.TakeTx(ctx, tx, sc, in.DiaryTask, m.PublicID)
			if fault.Is(err, fault.NotFound) {
				return "", fault.Field("diary_task", "loan.task_unknown", "names no task of the program")
			}
			if err != nil {
				return "", err
			}
			claim = c.PublicID
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO loans (program_id, public_id, unit_id, member_id, status, starts_on, ends_on, terms, ladder, min_tier, campaign,
			diary_claim, unit_transfer, created_at, updated_at) VALUES ($1, $2, $3, $4, 'reserved', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
			sc.Program.ID, ref, u.ID, m.ID, in.StartsOn, in.EndsOn, in.Terms, in.Ladder, in.MinTier, in.Campaign, claim, transfer, tx.Now.UnixMicro())
		if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
			return "", fault.New(fault.Conflict, "loan.unit_unavailable", "the unit is {status}, not available", fault.P{"status": Reserved})
		}
		if err != nil {
			return "", err
		}
		if err := s.setUnit(ctx, tx, u.ID, Reserved, -1); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "loan.create", ObjectKind: "loan", ObjectID: ref, After: in})
	})
	if err != nil {
		return Loan{}, err
	}
	return s.Get(ctx, sc, ref)
}

// setUnit sets a unit's status and, when mileage is not -1, its reading.
func (s *Service) setUnit(ctx context.Context, tx *db.Tx, unitID int64, status string, mileage int) error {
	_, err := tx.ExecContext(ctx, `UPDATE loan_units SET status = $2, mileage = CASE WHEN $3 < 0 THEN mileage ELSE $3 END, updated_at = $4 WHERE id = $1`,
		unitID, status, mileage, tx.Now.UnixMicro())
	return err
}

// change runs fn on the loan locked, then audits action.
func (s *Service) change(ctx context.Context, sc program.Scope, ref, action string, fn func(tx *db.Tx, l Loan) (any, error)) (Loan, error) {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		l, err := s.lockLoan(ctx, tx, sc, ref)
		if err != nil {
			return err
		}
		after, err := fn(tx, l)
		if err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "loan." + action, ObjectKind: "loan", ObjectID: ref,
			Before: map[string]any{"status": l.Status}, After: after})
	})
	if err != nil {
		return Loan{}, err
	}
	return s.Get(ctx, sc, ref)
}

// Sign is the member signing the agreement, their name typed as they
// sign; an operator (tasks.write) records an agreement signed on paper.
func (s *Service) Sign(ctx context.Context, sc program.Scope, ref, name string) (Loan, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Loan{}, err
		}
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		var f fault.Fields
		f.Length("name", 1, 100)
		return Loan{}, f.Err()
	}
	return s.change(ctx, sc, ref, "sign", func(tx *db.Tx, l Loan) (any, error) {
		if !l.Signable() {
			return nil, fault.New(fault.Conflict, "loan.not_signable", "a loan that is {status} and signed cannot be signed again", fault.P{"status": l.Status})
		}
		_, err := tx.ExecContext(ctx, `UPDATE loans SET signed_at = $2, signed_name = $3, updated_at = $2 WHERE id = $1`, l.ID, tx.Now.UnixMicro(), name)
		return map[string]any{"signed_name": name}, err
	})
}

// record writes a handover's or a return's check.
func record(ctx context.Context, tx *db.Tx, sc program.Scope, l Loan, stage string, in LoanCheckInput) error {
	items := in.Items
	if items == nil {
		items = []string{}
	}
	slices.SortFunc(items, func(a, b string) int { return slices.Index(ChecklistItems, a) - slices.Index(ChecklistItems, b) })
	js, _ := json.Marshal(slices.Compact(items))
	_, err := tx.ExecContext(ctx, `INSERT INTO loan_checks (program_id, loan_id, stage, mileage, items, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		sc.Program.ID, l.ID, stage, in.Mileage, string(js), in.Note, sc.Actor.PublicID, tx.Now.UnixMicro())
	return err
}

// HandOver records the handover of a signed loan's unit: its mileage
// (not less than the unit's last reading) and checklist. The unit is out.
func (s *Service) HandOver(ctx context.Context, sc program.Scope, ref string, in LoanCheckInput) (Loan, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Loan{}, err
	}
	if err := in.check(); err != nil {
		return Loan{}, err
	}
	return s.change(ctx, sc, ref, "handover", func(tx *db.Tx, l Loan) (any, error) {
		switch {
		case l.Status == LoanReserved && l.SignedAt.IsZero():
			return nil, fault.New(fault.Conflict, "loan.unsigned", "the member has not signed the agreement yet")
		case !l.HandOverable():
			return nil, fault.New(fault.Conflict, "loan.not_reserved", "a loan that is {status} cannot be handed over or cancelled", fault.P{"status": l.Status})
		}
		var km int
		if err := tx.QueryRowContext(ctx, `SELECT mileage FROM loan_units WHERE id = $1`, l.unitID).Scan(&km); err != nil {
			return nil, err
		}
		if in.Mileage < km {
			return nil, fault.Field("mileage", "loan.mileage_back", "must not be less than the {km} km last read", fault.P{"km": km})
		}
		if err := record(ctx, tx, sc, l, Handover, in); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE loans SET status = 'on_loan', handed_over_at = $2, updated_at = $2 WHERE id = $1`, l.ID, tx.Now.UnixMicro()); err != nil {
			return nil, err
		}
		return map[string]any{"status": LoanOut, "mileage": in.Mileage, "items": in.Items}, s.setUnit(ctx, tx, l.unitID, OnLoan, in.Mileage)
	})
}

// TakeBack records the unit's return: mileage (not less than at the
// handover) and checklist; the unit goes back to the fleet, or to the
// workshop, and its ledger account holds it again.
func (s *Service) TakeBack(ctx context.Context, sc program.Scope, ref string, in LoanCheckInput) (Loan, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Loan{}, err
	}
	if err := in.check(); err != nil {
		return Loan{}, err
	}
	return s.change(ctx, sc, ref, "return", func(tx *db.Tx, l Loan) (any, error) {
		if !l.Returnable() {
			return nil, fault.New(fault.Conflict, "loan.not_out", "the unit is not out on this loan (it is {status})", fault.P{"status": l.Status})
		}
		if h, ok := l.Stage(Handover); ok && in.Mileage < h.Mileage {
			return nil, fault.Field("mileage", "loan.mileage_back", "must not be less than the {km} km last read", fault.P{"km": h.Mileage})
		}
		if err := record(ctx, tx, sc, l, Return, in); err != nil {
			return nil, err
		}
		to := Available
		if in.ToService {
			to = InService
		}
		return map[string]any{"status": LoanReturned, "mileage": in.Mileage, "unit": to}, s.end(ctx, tx, sc.Program.ID, l, LoanReturned, to, in.Mileage)
	})
}

// Cancel ends a loan before its handover; the unit is available again.
func (s *Service) Cancel(ctx context.Context, sc program.Scope, ref string) (Loan, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Loan{}, err
	}
	return s.change(ctx, sc, ref, "cancel", func(tx *db.Tx, l Loan) (any, error) {
		if !l.Cancellable() {
			return nil, fault.New(fault.Conflict, "loan.not_reserved", "a loan that is {status} cannot be handed over or cancelled", fault.P{"status": l.Status})
		}
		if l.DiaryClaim != "" {
			// The diary was assigned with the loan; it goes with it.
			if err := s.Tasks.WithdrawTx(ctx, tx, sc, l.DiaryClaim, "loan cancelled"); err != nil {
				return nil, err
			}
		}
		return map[string]any{"status": LoanCancelled}, s.end(ctx, tx, sc.Program.ID, l, LoanCancelled, Available, -1)
	})
}

// end closes a loan: its unit goes back to its ledger account and to the
// status to.
func (s *Service) end(ctx context.Context, tx *db.Tx, programID int64, l Loan, status, to string, mileage int) error {
	rs, err := s.Ledger.ApplyTx(ctx, tx, programID, []ledger.Transfer{{ClientID: "back:" + l.transfer, Reverses: l.transfer, Code: "unit_back", Ref: "loan:" + l.PublicID}})
	if err != nil {
		return err
	}
	if err := rs[0].Err(); err != nil {
		return err
	}
	var returned int64
	if status == LoanReturned {
		returned = tx.Now.UnixMicro()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE loans SET status = $2, returned_at = $3, updated_at = $4 WHERE id = $1`, l.ID, status, returned, tx.Now.UnixMicro()); err != nil {
		return err
	}
	return s.setUnit(ctx, tx, l.unitID, to, mileage)
}

// AddPhoto keeps a picture of a handover (before the unit is returned) or
// a return (once it is out): its type read from its bytes.
func (s *Service) AddPhoto(ctx context.Context, sc program.Scope, ref, stage string, data []byte) (LoanPhoto, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return LoanPhoto{}, err
	}
	if stage != Handover && stage != Return {
		return LoanPhoto{}, fault.Field("stage", "one_of", "must be one of {values}", fault.P{"values": "handover, return"})
	}
	if len(data) == 0 {
		return LoanPhoto{}, fault.Field("file", "required", "is required")
	}
	ct, err := media.Check(data)
	if err != nil {
		return LoanPhoto{}, fault.Field("file", "image.type", "must be a JPEG, PNG, WebP or GIF image")
	}
	p := LoanPhoto{PublicID: pubid.New("lph"), Stage: stage, ContentType: ct, Size: int64(len(data))}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		l, err := s.lockLoan(ctx, tx, sc, ref)
		if err != nil {
			return err
		}
		if (stage == Handover && !l.Open()) || (stage == Return && l.Status != LoanOut && l.Status != LoanReturned) {
			return fault.New(fault.Conflict, "loan.photo_stage", "a loan that is {status} takes no {stage} photos", fault.P{"status": l.Status, "stage": stage})
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM loan_photos WHERE loan_id = $1 AND stage = $2`, l.ID, stage).Scan(&n); err != nil {
			return err
		}
		if n >= MaxPhotos {
			return fault.Field("file", "loan.too_many_photos", "a handover or a return keeps at most {max} photos", fault.P{"max": MaxPhotos})
		}
		p.CreatedAt = tx.Now.UTC()
		if _, err := tx.ExecContext(ctx, `INSERT INTO loan_photos (program_id, public_id, loan_id, stage, content_type, size, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, sc.Program.ID, p.PublicID, l.ID, stage, ct, p.Size, data, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "loan.photo", ObjectKind: "loan", ObjectID: ref,
			After: map[string]any{"photo": p.PublicID, "stage": stage, "size": p.Size}})
	})
	return p, err
}

// LoanPhoto reads a photo of a loan; a member only of their own.
func (s *Service) Photo(ctx context.Context, sc program.Scope, ref, photoRef string) (LoanPhoto, error) {
	l, err := s.Get(ctx, sc, ref)
	if err != nil {
		return LoanPhoto{}, err
	}
	var p LoanPhoto
	var at int64
	err = s.DB.R.QueryRowContext(ctx, `SELECT public_id, stage, content_type, size, data, created_at FROM loan_photos WHERE loan_id = $1 AND public_id = $2`,
		l.ID, photoRef).Scan(&p.PublicID, &p.Stage, &p.ContentType, &p.Size, &p.Data, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return LoanPhoto{}, fault.New(fault.NotFound, "loan.photo_not_found", "no photo {photo}", fault.P{"photo": photoRef})
	}
	p.CreatedAt = micro(at)
	return p, err
}

// Tick is the member covering a scenario with a post while the unit is
// out (or an operator, tasks.write, who found the post); ticking it again
// names another post.
func (s *Service) Tick(ctx context.Context, sc program.Scope, ref, scenario, postURL string) (Loan, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Loan{}, err
		}
	}
	postURL = strings.TrimSpace(postURL)
	var f fault.Fields
	if !slices.Contains(Scenarios, scenario) {
		f.OneOf("scenario", Scenarios)
	}
	if u, err := url.Parse(postURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(postURL) > 500 {
		f.URL("url")
	}
	if err := f.Err(); err != nil {
		return Loan{}, err
	}
	return s.change(ctx, sc, ref, "scenario", func(tx *db.Tx, l Loan) (any, error) {
		if !l.Tickable() {
			return nil, fault.New(fault.Conflict, "loan.not_out", "the unit is not out on this loan (it is {status})", fault.P{"status": l.Status})
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM loan_scenarios WHERE loan_id = $1 AND scenario = $2`, l.ID, scenario)
		if err == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO loan_scenarios (loan_id, scenario, url, ticked_at) VALUES ($1, $2, $3, $4)`, l.ID, scenario, postURL, tx.Now.UnixMicro())
		}
		return map[string]any{"scenario": scenario, "url": postURL}, err
	})
}
