package budget

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/program"
	"kox/internal/sheet"
)

// LayerFigures are a layer's sums.
type LayerFigures struct {
	Layer Layer `json:"layer"`
	Figures
}

// Month is a calendar month's movement (in the program's time zone):
// what was newly committed (less what was released or paid out of
// commitments) and spent, and the spend so far (the burn curve).
type Month struct {
	Month      string `json:"month" doc:"YYYY-MM"`
	Committed  int64  `json:"committed"`
	Spent      int64  `json:"spent"`
	SpentSoFar int64  `json:"spent_so_far"`
}

// Forecast projects the period's spend from the burn rate so far.
type Forecast struct {
	ElapsedDays int   `json:"elapsed_days"`
	PeriodDays  int   `json:"period_days"`
	SpentToDate int64 `json:"spent_to_date"`
	AtPeriodEnd int64 `json:"at_period_end" doc:"Spent to date ÷ elapsed days × days in the period, in fen."`
	Planned     int64 `json:"planned"`
	Over        bool  `json:"over" doc:"The projection passes the plan."`
}

// Intensity is what a layer costs per active member on its tiers (seed
// 003: how intense each layer is).
type Intensity struct {
	Layer     Layer    `json:"layer"`
	Tiers     []string `json:"tiers"`
	Members   int64    `json:"members"`
	Spent     int64    `json:"spent"`
	PerMember int64    `json:"per_member" doc:"Spent ÷ members, in fen, rounded down."`
}

// Decisions sums how fast finance answers reserve requests (B3).
type Decisions struct {
	Requests       int   `json:"requests"`
	Decided        int   `json:"decided"`
	AverageSeconds int64 `json:"average_seconds"`
	LongestSeconds int64 `json:"longest_seconds"`
}

// Report is a plan's report (B5).
type Report struct {
	Plan      Plan           `json:"plan"`
	Layers    []LayerFigures `json:"layers"`
	Months    []Month        `json:"months"`
	Forecast  Forecast       `json:"forecast"`
	Intensity []Intensity    `json:"intensity"`
	Reserve   Decisions      `json:"reserve_decisions"`
}

// Report is plan vs committed vs spent by layer, line and month, the burn
// curve, the period-end forecast and the cost per member of each layer.
func (s *Service) Report(ctx context.Context, sc program.Scope, planRef string) (Report, error) {
	p, err := s.Plan(ctx, sc, planRef)
	if err != nil {
		return Report{}, err
	}
	r := Report{Plan: p, Layers: make([]LayerFigures, len(Layers)), Months: []Month{}, Intensity: []Intensity{}}
	byLayer := map[Layer]*Figures{}
	for i, l := range Layers {
		// Pointers into a slice made whole first: appending would move it.
		r.Layers[i].Layer = l
		byLayer[l] = &r.Layers[i].Figures
	}
	lineOf := map[string]bool{}
	for _, l := range p.Lines {
		byLayer[l.Layer].Add(l.Figures)
		lineOf["line:"+l.PublicID] = true
	}
	if r.Months, err = s.months(ctx, sc, p, lineOf); err != nil {
		return Report{}, err
	}
	r.Forecast = forecast(p, s.DB.Now().In(sc.Program.Location()))
	if r.Intensity, err = s.intensity(ctx, sc.Program.ID, byLayer); err != nil {
		return Report{}, err
	}
	r.Reserve, err = s.decisions(ctx, sc.Program.ID, p.ID)
	return r, err
}

func (s *Service) months(ctx context.Context, sc program.Scope, p Plan, lineOf map[string]bool) ([]Month, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT t.amount, t.created_at, ca.code, ca.ref, da.code, da.ref FROM ledger_transfers t
		JOIN ledger_accounts ca ON ca.id = t.credit_account_id JOIN ledger_accounts da ON da.id = t.debit_account_id
		WHERE t.program_id = $1 AND t.asset = 'CNY' AND t.kind IN ('posted', 'post')
		AND (ca.code IN ('budget_spent', 'budget_committed') OR da.code IN ('budget_spent', 'budget_committed'))`, sc.Program.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	loc := sc.Program.Location()
	byMonth := map[string]*Month{}
	at := func(us int64) *Month {
		key := time.UnixMicro(us).In(loc).Format("2006-01")
		if byMonth[key] == nil {
			byMonth[key] = &Month{Month: key}
		}
		return byMonth[key]
	}
	// line: the line part of an account's ref (committed accounts add /task:…).
	line := func(ref string) string { l, _, _ := strings.Cut(ref, "/"); return l }
	for rows.Next() {
		var amount, created int64
		var cc, cr, dc, dr string
		if err := rows.Scan(&amount, &created, &cc, &cr, &dc, &dr); err != nil {
			return nil, err
		}
		m := at(created)
		if lineOf[line(cr)] {
			switch cc {
			case "budget_spent":
				m.Spent += amount
			case "budget_committed":
				m.Committed += amount
			}
		}
		if lineOf[line(dr)] {
			switch dc {
			case "budget_spent":
				m.Spent -= amount
			case "budget_committed":
				m.Committed -= amount
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Month, 0, len(byMonth))
	for _, m := range byMonth {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	var sum int64
	for i := range out {
		sum += out[i].Spent
		out[i].SpentSoFar = sum
	}
	return out, nil
}

// forecast projects the spend at the period's end from the burn rate so
// far, counting whole days in the program's time zone.
func forecast(p Plan, now time.Time) Forecast {
	start, _ := time.Parse(time.DateOnly, p.StartsOn)
	end, _ := time.Parse(time.DateOnly, p.EndsOn)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	f := Forecast{PeriodDays: int(end.Sub(start).Hours()/24) + 1, SpentToDate: p.Totals.Spent, Planned: p.Totals.Planned}
	switch {
	case today.Before(start):
		f.ElapsedDays = 0
	case today.After(end):
		f.ElapsedDays = f.PeriodDays
	default:
		f.ElapsedDays = int(today.Sub(start).Hours()/24) + 1
	}
	if f.ElapsedDays > 0 {
		f.AtPeriodEnd = f.SpentToDate * int64(f.PeriodDays) / int64(f.ElapsedDays)
	}
	f.Over = f.AtPeriodEnd > f.Planned
	return f
}

func (s *Service) intensity(ctx context.Context, programID int64, byLayer map[Layer]*Figures) ([]Intensity, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT t.budget_layer, t.key, COUNT(m.id) FROM tiers t JOIN ladders l ON l.id = t.ladder_id
		LEFT JOIN member_tiers mt ON mt.tier_id = t.id LEFT JOIN members m ON m.id = mt.member_id AND m.status = 'active'
		WHERE l.program_id = $1 AND t.retired_at = 0 GROUP BY t.budget_layer, t.key, t.rank, l.id ORDER BY l.id, t.rank`, programID)
	type row struct {
		layer, name string
		n           int64
	}
	rs, err := db.Collect(rows, err, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.layer, &x.name, &x.n)
	})
	if err != nil {
		return nil, err
	}
	out := []Intensity{}
	for _, l := range []Layer{Broad, Incentive, Exclusive} {
		in := Intensity{Layer: l, Tiers: []string{}, Spent: byLayer[l].Spent}
		for _, x := range rs {
			if Layer(x.layer) == l {
				in.Tiers = append(in.Tiers, x.name)
				in.Members += x.n
			}
		}
		if in.Members > 0 {
			in.PerMember = in.Spent / in.Members
		}
		out = append(out, in)
	}
	return out, nil
}

func (s *Service) decisions(ctx context.Context, programID, planID int64) (Decisions, error) {
	var d Decisions
	var sum, longest sql.NullInt64
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(NULLIF(r.decided_at, 0)),
		SUM(CASE WHEN r.decided_at > 0 THEN r.decided_at - r.requested_at END), MAX(CASE WHEN r.decided_at > 0 THEN r.decided_at - r.requested_at END)
		FROM budget_requests r JOIN budget_lines l ON l.id = r.from_line_id WHERE r.program_id = $1 AND l.plan_id = $2 AND r.kind = 'reserve'`,
		programID, planID).Scan(&d.Requests, &d.Decided, &sum, &longest)
	if d.Decided > 0 {
		d.AverageSeconds = sum.Int64 / int64(d.Decided) / 1e6
		d.LongestSeconds = longest.Int64 / 1e6
	}
	return d, err
}

// ReportColumns are the spreadsheet's columns: a row a line, a layer, a
// month, and the whole plan; amounts in yuan.
var ReportColumns = []string{"kind", "layer", "code", "name", "month", "planned", "committed", "spent", "held", "available"}

func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// WriteReport writes the report as a spreadsheet (B5's downloads).
func WriteReport(w io.Writer, format sheet.Format, r Report) error {
	fig := func(f Figures) []string {
		return []string{yuan(f.Planned), yuan(f.Committed), yuan(f.Spent), yuan(f.Held), yuan(f.Available)}
	}
	return sheet.Write(w, format, ReportColumns, func(put func([]string) error) error {
		for _, l := range r.Plan.Lines {
			if err := put(append([]string{"line", string(l.Layer), l.Code, l.Name, ""}, fig(l.Figures)...)); err != nil {
				return err
			}
		}
		for _, l := range r.Layers {
			if err := put(append([]string{"layer", string(l.Layer), "", "", ""}, fig(l.Figures)...)); err != nil {
				return err
			}
		}
		for _, m := range r.Months {
			if err := put([]string{"month", "", "", "", m.Month, "", yuan(m.Committed), yuan(m.Spent), "", ""}); err != nil {
				return err
			}
		}
		return put(append([]string{"plan", "", r.Plan.Code, r.Plan.Name, ""}, fig(r.Plan.Totals)...))
	})
}
