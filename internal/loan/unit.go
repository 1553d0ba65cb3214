// Package loan holds the product rung's loan fleet (SPEC A3, seed 001's 产品
// 授权; costs from seed 003): units (a car by its VIN, a device by its
// serial) lent to members for months under a signed agreement, handed over
// and taken back with a checklist, mileage and photos, with the content the
// loan asks for (a diary every week, a checklist of scenarios) and each
// unit's costs spent on budget lines. A unit is a ledger account holding
// one: a loan takes it, a return gives it back, so however many operators
// hand the same unit over at once, it is on one loan.
package loan

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/program"
	"kox/internal/pubid"
	"kox/internal/task"
)

// Unit statuses.
const (
	Available = "available"
	Reserved  = "reserved" // promised to a member: agreement made, not handed over
	OnLoan    = "on_loan"
	InService = "in_service" // at the workshop
	Retired   = "retired"
)

// UnitStatuses in the order the fleet board shows them.
var UnitStatuses = []string{Available, Reserved, OnLoan, InService, Retired}

// Settable are the statuses operators set by hand; a loan sets the others.
var Settable = []string{Available, InService, Retired}

// Unit is one car (or device) of the fleet, with its open loan if any.
type Unit struct {
	ID         int64     `json:"-"`
	PublicID   string    `json:"id"`
	VIN        string    `json:"vin" doc:"The VIN, or a device's serial."`
	Model      string    `json:"model"`
	Colour     string    `json:"colour,omitempty"`
	Plate      string    `json:"plate,omitempty"`
	City       string    `json:"city,omitempty"`
	Status     string    `json:"status" enum:"available,reserved,on_loan,in_service,retired"`
	Mileage    int       `json:"mileage" doc:"Kilometres, as last read at a handover or return."`
	Note       string    `json:"note,omitempty"`
	Loan       string    `json:"loan,omitempty" doc:"The open loan (reserved or on loan)."`
	Member     string    `json:"member,omitempty"`
	MemberName string    `json:"member_name,omitempty"`
	DueOn      string    `json:"due_on,omitempty" doc:"The open loan's return day (YYYY-MM-DD, the program's time zone)."`
	Overdue    bool      `json:"overdue"`
	CostTotal  int64     `json:"cost_total" doc:"Costs posted on the unit, in fen."`
	CreatedAt  time.Time `json:"created_at"`
	free       int64
	out        int64
}

// UnitInput is a unit as written; its VIN is fixed once written.
type UnitInput struct {
	VIN     string `json:"vin,omitempty" maxLength:"40" doc:"Required to add a unit; fixed after."`
	Model   string `json:"model" maxLength:"100"`
	Colour  string `json:"colour,omitempty" maxLength:"40"`
	Plate   string `json:"plate,omitempty" maxLength:"20"`
	City    string `json:"city,omitempty" maxLength:"60"`
	Mileage int    `json:"mileage,omitempty" minimum:"0" maximum:"2000000"`
	Note    string `json:"note,omitempty" maxLength:"1000"`
}

// UnitFilter narrows the fleet.
type UnitFilter struct {
	Status string
	Q      string // VIN, plate, model or the member's name
}

// Service keeps the fleet and its loans.
type Service struct {
	DB     *db.DB
	Ledger *ledger.Ledger
	Tasks  *task.Service
}

// Limits.
const (
	MaxMileage    = 2_000_000
	MaxLoanDays   = 730
	MaxPhotos     = 12
	ReturnInDays  = 14 // a member who leaves the loan's rung brings the car back within
	maxFleetUnits = 2000
)

func unitNotFound(ref string) error {
	return fault.New(fault.NotFound, "loan.unit_not_found", "no unit {unit}", fault.P{"unit": ref})
}

func (in *UnitInput) check(create bool) error {
	in.VIN = strings.ToUpper(strings.TrimSpace(in.VIN))
	in.Model, in.Colour, in.Plate = strings.TrimSpace(in.Model), strings.TrimSpace(in.Colour), strings.ToUpper(strings.TrimSpace(in.Plate))
	in.City, in.Note = strings.TrimSpace(in.City), strings.TrimSpace(in.Note)
	var f fault.Fields
	if create && (in.VIN == "" || len(in.VIN) > 40) {
		f.Length("vin", 1, 40)
	}
	if in.Model == "" || len([]rune(in.Model)) > 100 {
		f.Length("model", 1, 100)
	}
	for name, v := range map[string]struct {
		s   string
		max int
	}{"colour": {in.Colour, 40}, "plate": {in.Plate, 20}, "city": {in.City, 60}, "note": {in.Note, 1000}} {
		if len([]rune(v.s)) > v.max {
			f.MaxLength(name, v.max)
		}
	}
	if in.Mileage < 0 || in.Mileage > MaxMileage {
		f.Range("mileage", 0, MaxMileage)
	}
	return f.Err()
}

// dueSQL is a loan's return day: its end, or the earlier day it was asked
// back by. A loan on loan past it is overdue (see overdue).
const dueSQL = `(CASE WHEN l.return_by <> '' AND l.return_by < l.ends_on THEN l.return_by ELSE l.ends_on END)`

// overdue says a loan is overdue on the local day today: its car is still
// out after its return day.
func overdue(status, due, today string) bool { return status == OnLoan && due != "" && due < today }

const unitCols = `u.id, u.public_id, u.vin, u.model, u.colour, u.plate, u.city, u.status, u.mileage, u.note, u.created_at, u.free_account_id, u.out_account_id,
	coalesce(l.public_id, ''), coalesce(m.public_id, ''), coalesce(m.name, ''), coalesce(l.status, ''), coalesce(` + dueSQL + `, ''),
	(SELECT coalesce(SUM(c.amount), 0) FROM unit_costs c WHERE c.unit_id = u.id)`

const unitFrom = ` FROM loan_units u LEFT JOIN loans l ON l.unit_id = u.id AND l.status IN ('reserved', 'on_loan') LEFT JOIN members m ON m.id = l.member_id`

func scanUnit(today string) func(r interface{ Scan(...any) error }) (Unit, error) {
	return func(r interface{ Scan(...any) error }) (Unit, error) {
		var u Unit
		var created int64
		var status string
		err := r.Scan(&u.ID, &u.PublicID, &u.VIN, &u.Model, &u.Colour, &u.Plate, &u.City, &u.Status, &u.Mileage, &u.Note, &created, &u.free, &u.out,
			&u.Loan, &u.Member, &u.MemberName, &status, &u.DueOn, &u.CostTotal)
		u.CreatedAt = time.UnixMicro(created).UTC()
		u.Overdue = overdue(status, u.DueOn, today)
		return u, err
	}
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func getUnit(ctx context.Context, q querier, programID int64, ref, lock, today string) (Unit, error) {
	u, err := scanUnit(today)(q.QueryRowContext(ctx, `SELECT `+unitCols+unitFrom+` WHERE u.program_id = $1 AND u.public_id = $2`+lock, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, unitNotFound(ref)
	}
	return u, err
}

// lockUnit reads a unit with its row locked: the row is where changes to
// the unit and its loans queue.
func lockUnit(ctx context.Context, tx *db.Tx, programID int64, ref string) (Unit, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM loan_units WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(), programID, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, unitNotFound(ref)
	}
	if err != nil {
		return Unit{}, err
	}
	return getUnit(ctx, tx, programID, ref, "", "")
}

// CreateUnit adds a unit to the fleet, available, with its ledger account
// holding the one unit it is.
func (s *Service) CreateUnit(ctx context.Context, sc program.Scope, in UnitInput) (Unit, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Unit{}, err
	}
	if err := in.check(true); err != nil {
		return Unit{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		ref := pubid.New("unit")
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO loan_units (program_id, public_id, vin, model, colour, plate, city, mileage, note, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			sc.Program.ID, ref, in.VIN, in.Model, in.Colour, in.Plate, in.City, in.Mileage, in.Note, tx.Now.UnixMicro()).Scan(&id)
		if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
			return "", fault.Field("vin", "loan.vin_taken", "another unit of the fleet has this VIN")
		}
		if err != nil {
			return "", err
		}
		open := func(code string, limit ledger.LimitRule) (ledger.Account, error) {
			return ledger.OpenAccountTx(ctx, tx, ledger.AccountSpec{ProgramID: sc.Program.ID, Asset: "units", Code: code, Ref: "unit:" + ref, Limit: limit})
		}
		source, err := ledger.OpenAccountTx(ctx, tx, ledger.AccountSpec{ProgramID: sc.Program.ID, Asset: "units", Code: "units_source"})
		if err != nil {
			return "", err
		}
		free, err := open("unit_free", ledger.DebitsMustNotExceedCredits)
		if err != nil {
			return "", err
		}
		out, err := open("unit_out", ledger.NoLimit)
		if err != nil {
			return "", err
		}
		rs, err := s.Ledger.ApplyTx(ctx, tx, sc.Program.ID, []ledger.Transfer{{ClientID: "unit:" + ref, DebitAccountID: source.ID, CreditAccountID: free.ID,
			Amount: 1, Code: "unit_add", Ref: "unit:" + ref}})
		if err != nil {
			return "", err
		}
		if err := rs[0].Err(); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE loan_units SET free_account_id = $2, out_account_id = $3 WHERE id = $1`, id, free.ID, out.ID); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "unit.create", ObjectKind: "unit", ObjectID: ref, After: in})
	})
	if err != nil {
		return Unit{}, err
	}
	return s.Unit(ctx, sc, ref)
}

// UpdateUnit rewrites a unit's particulars (its VIN stays).
func (s *Service) UpdateUnit(ctx context.Context, sc program.Scope, ref string, in UnitInput) (Unit, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Unit{}, err
	}
	if err := in.check(false); err != nil {
		return Unit{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		u, err := lockUnit(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		if in.Mileage < u.Mileage {
			return fault.Field("mileage", "loan.mileage_back", "must not be less than the {km} km last read", fault.P{"km": u.Mileage})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE loan_units SET model = $2, colour = $3, plate = $4, city = $5, mileage = $6, note = $7, updated_at = $8 WHERE id = $1`,
			u.ID, in.Model, in.Colour, in.Plate, in.City, in.Mileage, in.Note, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "unit.update", ObjectKind: "unit", ObjectID: ref, After: in})
	})
	if err != nil {
		return Unit{}, err
	}
	return s.Unit(ctx, sc, ref)
}

// SetStatus sends a unit to the workshop, retires it or makes it
// available again; a unit promised or out on a loan keeps its loan's
// status until the loan ends.
func (s *Service) SetStatus(ctx context.Context, sc program.Scope, ref, status string) (Unit, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Unit{}, err
	}
	if !slices.Contains(Settable, status) {
		return Unit{}, fault.Field("status", "one_of", "must be one of {values}", fault.P{"values": strings.Join(Settable, ", ")})
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		u, err := lockUnit(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		if u.Loan != "" {
			return fault.New(fault.Conflict, "loan.unit_on_loan", "the unit is on loan {loan}: end the loan first", fault.P{"loan": u.Loan})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE loan_units SET status = $2, updated_at = $3 WHERE id = $1`, u.ID, status, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "unit.status", ObjectKind: "unit", ObjectID: ref,
			Before: map[string]any{"status": u.Status}, After: map[string]any{"status": status}})
	})
	if err != nil {
		return Unit{}, err
	}
	return s.Unit(ctx, sc, ref)
}

// Unit returns one unit of the fleet.
func (s *Service) Unit(ctx context.Context, sc program.Scope, ref string) (Unit, error) {
	if err := sc.Require(program.PermTasksRead); err != nil {
		return Unit{}, err
	}
	day, err := program.Today(ctx, s.DB.R, sc.Program.ID, s.DB.Now())
	if err != nil {
		return Unit{}, err
	}
	return getUnit(ctx, s.DB.R, sc.Program.ID, ref, "", day)
}

// Units is the fleet, by model and VIN.
func (s *Service) Units(ctx context.Context, sc program.Scope, f UnitFilter) ([]Unit, error) {
	if err := sc.Require(program.PermTasksRead); err != nil {
		return nil, err
	}
	if f.Status != "" && f.Status != "overdue" && !slices.Contains(UnitStatuses, f.Status) {
		return nil, fault.Field("status", "one_of", "must be one of {values}", fault.P{"values": strings.Join(append(UnitStatuses, "overdue"), ", ")})
	}
	day, err := program.Today(ctx, s.DB.R, sc.Program.ID, s.DB.Now())
	if err != nil {
		return nil, err
	}
	w := db.Where("u.program_id = $1", sc.Program.ID)
	switch f.Status {
	case "":
	case "overdue":
		w.Add("l.status = 'on_loan' AND "+dueSQL+" < $?", day)
	default:
		w.Add("u.status = $?", f.Status)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		w.Add(`(lower(u.vin) LIKE $? ESCAPE '\' OR lower(u.plate) LIKE $? ESCAPE '\' OR lower(u.model) LIKE $? ESCAPE '\' OR lower(coalesce(m.name, '')) LIKE $? ESCAPE '\')`, db.Contains(q))
	}
	where, args := w.Page("u.model, u.vin", maxFleetUnits)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+unitCols+unitFrom+where, args...)
	us, err := db.Collect(rows, err, scanUnit(day))
	if len(us) > maxFleetUnits {
		us = us[:maxFleetUnits]
	}
	if us == nil {
		us = []Unit{}
	}
	return us, err
}
