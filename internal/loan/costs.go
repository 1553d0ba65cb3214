package loan

import (
	"context"
	"slices"
	"strings"
	"time"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/pubid"
	"kox/internal/task"
)

// CostKinds are what a unit costs (seed 003's test car lines).
var CostKinds = []string{"depreciation", "insurance", "maintenance", "repairs", "opportunity", "other"}

// UnitCost is one of a unit's costs, spent on a budget line.
type UnitCost struct {
	PublicID   string    `json:"id"`
	Unit       string    `json:"unit"`
	Loan       string    `json:"loan,omitempty" doc:"The loan it was for, if one."`
	Kind       string    `json:"kind" enum:"depreciation,insurance,maintenance,repairs,opportunity,other"`
	BudgetLine string    `json:"budget_line"`
	Amount     int64     `json:"amount" doc:"In fen."`
	Note       string    `json:"note,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// UnitCostInput is a cost to spend.
type UnitCostInput struct {
	Kind       string `json:"kind" enum:"depreciation,insurance,maintenance,repairs,opportunity,other"`
	BudgetLine string `json:"budget_line" maxLength:"64"`
	Amount     int64  `json:"amount" minimum:"1" doc:"In fen."`
	Loan       string `json:"loan,omitempty" doc:"A loan of the unit the cost was for."`
	Note       string `json:"note,omitempty" maxLength:"500"`
}

// AddCost spends a unit's cost on a budget line through the ledger: a line
// without enough left refuses it whole.
func (s *Service) AddCost(ctx context.Context, sc program.Scope, unitRef string, in UnitCostInput) (UnitCost, error) {
	if err := sc.Require(program.PermBudgetWrite); err != nil {
		return UnitCost{}, err
	}
	in.Note, in.BudgetLine, in.Loan = strings.TrimSpace(in.Note), strings.TrimSpace(in.BudgetLine), strings.TrimSpace(in.Loan)
	var f fault.Fields
	if !slices.Contains(CostKinds, in.Kind) {
		f.OneOf("kind", CostKinds)
	}
	if in.BudgetLine == "" {
		f.Required("budget_line")
	}
	if in.Amount < 1 || in.Amount > budget.MaxAmount {
		f.Range("amount", 1, budget.MaxAmount)
	}
	if len([]rune(in.Note)) > 500 {
		f.MaxLength("note", 500)
	}
	if err := f.Err(); err != nil {
		return UnitCost{}, err
	}
	return db.Do(ctx, s.DB, func(tx *db.Tx) (UnitCost, error) {
		u, err := lockUnit(ctx, tx, sc.Program.ID, unitRef)
		if err != nil {
			return UnitCost{}, err
		}
		var loanID int64
		if in.Loan != "" {
			err := tx.QueryRowContext(ctx, `SELECT id FROM loans WHERE unit_id = $1 AND public_id = $2`, u.ID, in.Loan).Scan(&loanID)
			if err != nil {
				return UnitCost{}, fault.Field("loan", "loan.not_of_unit", "names no loan of this unit")
			}
		}
		c := UnitCost{PublicID: pubid.New("ucost"), Unit: u.PublicID, Loan: in.Loan, Kind: in.Kind, BudgetLine: in.BudgetLine, Amount: in.Amount, Note: in.Note,
			CreatedAt: tx.Now.UTC()}
		if err := budget.SpendTx(ctx, tx, s.Ledger, sc.Program.ID, in.BudgetLine, "unit_cost:"+c.PublicID, "unit:"+u.PublicID, in.Amount); err != nil {
			return UnitCost{}, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO unit_costs (program_id, public_id, unit_id, loan_id, kind, budget_line, amount, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, sc.Program.ID, c.PublicID, u.ID, loanID, c.Kind, c.BudgetLine, c.Amount, c.Note, tx.Now.UnixMicro()); err != nil {
			return UnitCost{}, err
		}
		return c, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "unit.cost", ObjectKind: "unit", ObjectID: u.PublicID, After: c})
	})
}

// Costs are a unit's costs, oldest first.
func (s *Service) Costs(ctx context.Context, sc program.Scope, unitRef string) ([]UnitCost, error) {
	if err := sc.Require(program.PermBudgetRead); err != nil {
		return nil, err
	}
	u, err := getUnit(ctx, s.DB.R, sc.Program.ID, unitRef, "", "")
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT c.public_id, coalesce(l.public_id, ''), c.kind, c.budget_line, c.amount, c.note, c.created_at
		FROM unit_costs c LEFT JOIN loans l ON l.id = c.loan_id WHERE c.unit_id = $1 ORDER BY c.id`, u.ID)
	cs, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (UnitCost, error) {
		c := UnitCost{Unit: u.PublicID}
		var at int64
		err := r.Scan(&c.PublicID, &c.Loan, &c.Kind, &c.BudgetLine, &c.Amount, &c.Note, &at)
		c.CreatedAt = micro(at)
		return c, err
	})
	if cs == nil {
		cs = []UnitCost{}
	}
	return cs, err
}

// UnitCosts is a unit's line of the cost report.
type UnitCosts struct {
	Unit   string           `json:"unit"`
	VIN    string           `json:"vin"`
	Model  string           `json:"model"`
	ByKind map[string]int64 `json:"by_kind" doc:"Fen per cost kind."`
	Total  int64            `json:"total"`
	Loans  int              `json:"loans" doc:"Loans the unit has been on (returned or open)."`
}

// LoanCosts is a loan's line of the cost report: the costs posted for it,
// the content it brought (approved diary weeks and scenarios covered) and
// what each piece cost.
type LoanCosts struct {
	Loan       string `json:"loan"`
	Unit       string `json:"unit"`
	VIN        string `json:"vin"`
	Member     string `json:"member"`
	MemberName string `json:"member_name"`
	Status     string `json:"status"`
	Total      int64  `json:"total"`
	Pieces     int    `json:"pieces"`
	PerPiece   int64  `json:"per_piece" doc:"Total over pieces, in fen rounded down; 0 with no piece."`
}

// CostReport is the fleet's costs: per unit, per loan, and in all.
type CostReport struct {
	Units  []UnitCosts      `json:"units"`
	Loans  []LoanCosts      `json:"loans"`
	ByKind map[string]int64 `json:"by_kind"`
	Total  int64            `json:"total"`
}

// Report sums the costs posted: each unit's by kind, each loan's with its
// content, the fleet's. Every figure is a sum of unit_costs rows.
func (s *Service) Report(ctx context.Context, sc program.Scope) (CostReport, error) {
	if err := sc.Require(program.PermBudgetRead); err != nil {
		return CostReport{}, err
	}
	r := CostReport{Units: []UnitCosts{}, Loans: []LoanCosts{}, ByKind: map[string]int64{}}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT u.public_id, u.vin, u.model, coalesce(c.kind, ''), coalesce(SUM(c.amount), 0),
		(SELECT COUNT(*) FROM loans l WHERE l.unit_id = u.id AND l.status <> 'cancelled')
		FROM loan_units u LEFT JOIN unit_costs c ON c.unit_id = u.id WHERE u.program_id = $1
		GROUP BY u.id, u.public_id, u.vin, u.model, c.kind ORDER BY u.model, u.vin`, sc.Program.ID)
	if err != nil {
		return CostReport{}, err
	}
	index := map[string]int{}
	for rows.Next() {
		var ref, vin, model, kind string
		var amount int64
		var loans int
		if err := rows.Scan(&ref, &vin, &model, &kind, &amount, &loans); err != nil {
			rows.Close()
			return CostReport{}, err
		}
		i, ok := index[ref]
		if !ok {
			i = len(r.Units)
			index[ref] = i
			r.Units = append(r.Units, UnitCosts{Unit: ref, VIN: vin, Model: model, ByKind: map[string]int64{}, Loans: loans})
		}
		if kind != "" {
			r.Units[i].ByKind[kind] += amount
			r.Units[i].Total += amount
			r.ByKind[kind] += amount
			r.Total += amount
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return CostReport{}, err
	}
	rows, err = s.DB.R.QueryContext(ctx, `SELECT l.public_id, u.public_id, u.vin, m.public_id, m.name, l.status, l.diary_claim,
		(SELECT coalesce(SUM(c.amount), 0) FROM unit_costs c WHERE c.loan_id = l.id),
		(SELECT COUNT(*) FROM loan_scenarios x WHERE x.loan_id = l.id)
		FROM loans l JOIN loan_units u ON u.id = l.unit_id JOIN members m ON m.id = l.member_id
		WHERE l.program_id = $1 AND l.status <> 'cancelled' ORDER BY u.model, u.vin, l.id`, sc.Program.ID)
	var claims []string
	var claimOf []string // each loan's diary claim, by the loan's place
	r.Loans, err = db.Collect(rows, err, func(row interface{ Scan(...any) error }) (LoanCosts, error) {
		var x LoanCosts
		var claim string
		err := row.Scan(&x.Loan, &x.Unit, &x.VIN, &x.Member, &x.MemberName, &x.Status, &claim, &x.Total, &x.Pieces)
		if claim != "" {
			claims = append(claims, claim)
		}
		claimOf = append(claimOf, claim)
		return x, err
	})
	if err != nil {
		return CostReport{}, err
	}
	weeks, err := task.ApprovedOccurrences(ctx, s.DB.R, sc.Program.ID, claims)
	if err != nil {
		return CostReport{}, err
	}
	for i := range r.Loans {
		r.Loans[i].Pieces += weeks[claimOf[i]]
		if r.Loans[i].Pieces > 0 {
			r.Loans[i].PerPiece = r.Loans[i].Total / int64(r.Loans[i].Pieces)
		}
	}
	if r.Loans == nil {
		r.Loans = []LoanCosts{}
	}
	return r, nil
}
