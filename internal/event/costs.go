package event

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
)

// CostKinds are what an event spends on.
var CostKinds = []string{"venue", "materials", "catering", "travel", "other"}

// Cost is one of an event's costs, spent on a budget line.
type Cost struct {
	PublicID   string    `json:"id"`
	Kind       string    `json:"kind" enum:"venue,materials,catering,travel,other"`
	BudgetLine string    `json:"budget_line"`
	Amount     int64     `json:"amount" doc:"In fen."`
	Note       string    `json:"note,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// CostInput is a cost to spend.
type CostInput struct {
	Kind       string `json:"kind" enum:"venue,materials,catering,travel,other"`
	BudgetLine string `json:"budget_line" maxLength:"64"`
	Amount     int64  `json:"amount" minimum:"1" doc:"In fen."`
	Note       string `json:"note,omitempty" maxLength:"500"`
}

// AddCost spends an event's cost on a budget line through the ledger: a
// line without enough left refuses it whole.
func (s *Service) AddCost(ctx context.Context, sc program.Scope, ref string, in CostInput) (Cost, error) {
	if err := sc.Require(program.PermBudgetWrite); err != nil {
		return Cost{}, err
	}
	in.Note, in.BudgetLine = strings.TrimSpace(in.Note), strings.TrimSpace(in.BudgetLine)
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
		return Cost{}, err
	}
	return db.Do(ctx, s.DB, func(tx *db.Tx) (Cost, error) {
		e, err := getEvent(ctx, tx, sc.Program.ID, ref, tx.ForUpdate())
		if err != nil {
			return Cost{}, err
		}
		c := Cost{PublicID: pubid.New("ecost"), Kind: in.Kind, BudgetLine: in.BudgetLine, Amount: in.Amount, Note: in.Note, CreatedAt: tx.Now.UTC()}
		if err := budget.SpendTx(ctx, tx, s.Ledger, sc.Program.ID, in.BudgetLine, "event_cost:"+c.PublicID, "event:"+e.PublicID, in.Amount); err != nil {
			return Cost{}, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_costs (program_id, public_id, event_id, kind, budget_line, amount, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, sc.Program.ID, c.PublicID, e.ID, c.Kind, c.BudgetLine, c.Amount, c.Note, tx.Now.UnixMicro()); err != nil {
			return Cost{}, err
		}
		return c, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.cost", ObjectKind: "event", ObjectID: e.PublicID, After: c})
	})
}

// Costs are an event's costs, oldest first, and their total.
func (s *Service) Costs(ctx context.Context, sc program.Scope, ref string) ([]Cost, int64, error) {
	if err := sc.Require(program.PermBudgetRead); err != nil {
		return nil, 0, err
	}
	e, err := getEvent(ctx, s.DB.R, sc.Program.ID, ref, "")
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT public_id, kind, budget_line, amount, note, created_at FROM event_costs WHERE event_id = $1 ORDER BY id`, e.ID)
	cs, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (Cost, error) {
		var c Cost
		var at int64
		err := r.Scan(&c.PublicID, &c.Kind, &c.BudgetLine, &c.Amount, &c.Note, &at)
		c.CreatedAt = time.UnixMicro(at).UTC()
		return c, err
	})
	var total int64
	for _, c := range cs {
		total += c.Amount
	}
	if cs == nil {
		cs = []Cost{}
	}
	return cs, total, err
}
