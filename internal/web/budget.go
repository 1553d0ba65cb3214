package web

import (
	"net/http"
	"strconv"

	"kox/internal/budget"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/sheet"
	"kox/internal/web/components"
)

// Budgets in the console: plans by period in the layers broad, incentive,
// exclusive and the strategic reserve, their lines, approval by finance,
// the report with its charts, and requests to move money or use the
// reserve. The budget service holds every rule and every figure.

// planRows is how many empty line rows the plan form offers beyond its lines.
const planRows = 4

// usualLines are the line items a plan usually has (SPEC B1, seed 003),
// offered in a new plan's form with their codes and no amount.
var usualLines = []struct {
	layer budget.Layer
	code  string
}{
	{budget.Broad, "honour"}, {budget.Broad, "digital"}, {budget.Incentive, "kits"}, {budget.Incentive, "regional_events"},
	{budget.Incentive, "gift_cards"}, {budget.Incentive, "fees"}, {budget.Exclusive, "test_cars"}, {budget.Exclusive, "travel"},
	{budget.Exclusive, "crews"}, {budget.Reserve, "reserve"},
}

// money is fen in the program's currency, in the reader's language.
func (q *request) money(sc program.Scope, fen int64) string {
	return i18n.Money(components.Lang(q.ctx), sc.Program.Currency, fen)
}

// budgetPlans lists the plans with their totals.
func (s *Server) budgetPlans(q *request, sc program.Scope) error {
	ps, err := s.Budget.Plans(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/budget"
	v := components.RecordView{Title: t("nav.budget"), Help: t("budget.help"), Flash: flash(q)}
	tbl := components.Table{Head: []string{t("budget.plan"), t("budget.period"), t("tasks.status"), t("budget.planned"), t("budget.committed"),
		t("budget.spent"), t("budget.available")}, Empty: t("budget.no_plans")}
	for _, p := range ps {
		tbl.Links = append(tbl.Links, base+"/plans/"+p.PublicID)
		tbl.Rows = append(tbl.Rows, []string{p.Name, p.Period, t("planstatus." + string(p.Status)), q.money(sc, p.Totals.Planned),
			q.money(sc, p.Totals.Committed), q.money(sc, p.Totals.Spent), q.money(sc, p.Totals.Available)})
	}
	v.Sections = []components.Section{{Title: t("budget.plans"), Table: tbl}}
	v.Buttons = []components.Button{{Label: t("nav.requests"), Href: base + "/requests", Class: "btn-outline-secondary", Test: "requests"}}
	if program.Can(sc.Role, program.PermBudgetWrite) {
		v.Buttons = append(v.Buttons, components.Button{Label: t("budget.new_plan"), Href: base + "/plans/new", Test: "new-plan"})
	}
	return q.render(http.StatusOK, components.RecordPage(q.nav(), v))
}

// planInput reads the plan form: rows with an amount are lines.
func planInput(q *request, sc program.Scope) (budget.PlanInput, fault.Fields) {
	f := q.form(sc.Program.Location())
	in := budget.PlanInput{Code: f.str("code"), Name: f.str("name"), Period: f.str("period")}
	for i := 0; f.v.Has("lines[" + strconv.Itoa(i) + "].layer"); i++ {
		p := "lines[" + strconv.Itoa(len(in.Lines)) + "]."
		row := "lines[" + strconv.Itoa(i) + "]."
		if f.str(row+"amount") == "" {
			continue
		}
		// A wrong amount is named by the row's place among the lines kept:
		// where the form shows it again, and the service names its errors.
		amount, ok := i18n.ParseMoney(f.v.Get(row + "amount"))
		if !ok {
			f.bad.Add(p+"amount", "money", "must be an amount such as 1,234.50")
		}
		in.Lines = append(in.Lines, budget.LineInput{Layer: budget.Layer(f.str(row + "layer")), Code: f.str(row + "code"),
			Name: f.str(row + "name"), Amount: amount})
	}
	return in, f.bad
}

func (s *Server) planForm(q *request, sc program.Scope, in budget.PlanInput, r *refused) error {
	t := func(k string) string { return components.T(q.ctx, k) }
	layers := q.options("budget", fault.Names(budget.Layers))
	var grid [][]components.Field
	row := func(l budget.LineInput, amount string) {
		p := "lines[" + strconv.Itoa(len(grid)) + "]."
		grid = append(grid, []components.Field{
			{Name: p + "layer", Label: t("budget.layer"), Kind: "select", Value: string(l.Layer), Options: layers},
			{Name: p + "code", Label: t("budget.code"), Value: l.Code},
			{Name: p + "name", Label: t("budget.line"), Value: l.Name},
			{Name: p + "amount", Label: t("budget.planned"), Value: amount}})
	}
	for _, l := range in.Lines {
		row(l, yuanInput(l.Amount))
		if l.Amount == 0 {
			grid[len(grid)-1][3].Value = "0"
		}
	}
	if in.Lines == nil {
		for _, u := range usualLines {
			row(budget.LineInput{Layer: u.layer, Code: u.code, Name: t("usual." + u.code)}, "")
		}
	}
	for range planRows {
		row(budget.LineInput{Layer: budget.Incentive}, "")
	}
	v := components.RecordView{Title: t("budget.new_plan"), Forms: []components.Form{{Action: "/p/" + sc.Program.Slug + "/budget/plans",
		Test: "plan-form", Submit: t("taskform.save"), Wide: true, Help: t("budget.plan_help"), Grid: grid,
		Fields: []components.Field{{Name: "code", Label: t("budget.code"), Value: in.Code, Help: t("budget.code_help")},
			{Name: "name", Label: t("budget.plan"), Value: in.Name},
			{Name: "period", Label: t("budget.period"), Value: in.Period, Help: t("budget.period_help")}}}}}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func (s *Server) newPlan(q *request, sc program.Scope) error {
	return s.planForm(q, sc, budget.PlanInput{}, nil)
}

func (s *Server) createPlan(q *request, sc program.Scope) error {
	in, bad := planInput(q, sc)
	var p budget.Plan
	var err error
	if bad.Err() == nil {
		p, err = s.Budget.CreatePlan(q.ctx, sc, in)
	}
	if in.Lines == nil {
		in.Lines = []budget.LineInput{}
	}
	return q.settle("plan-form", err, bad, "/p/"+sc.Program.Slug+"/budget/plans/"+p.PublicID+"?done=saved", func(r *refused) error {
		return s.planForm(q, sc, in, r)
	})
}

// planPage is a plan: its figures, its lines, the report's charts (by
// layer, the burn curve, the forecast, the cost per member of each layer),
// and what the reader may do: approve, close, add or change lines.
func (s *Server) planPage(q *request, sc program.Scope) error {
	return s.renderPlan(q, sc, nil)
}

func (s *Server) renderPlan(q *request, sc program.Scope, r *refused) error {
	rep, err := s.Budget.Report(q.ctx, sc, q.r.PathValue("plan"))
	if err != nil {
		return q.problem(err)
	}
	p := rep.Plan
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	m := func(fen int64) string { return q.money(sc, fen) }
	base := "/p/" + sc.Program.Slug + "/budget/plans/" + p.PublicID
	v := components.RecordView{Pretitle: p.Period, Title: p.Name, Status: t("planstatus." + string(p.Status)), Flash: flash(q)}
	v.Stats = []components.Stat{
		{Key: "planned", Label: t("budget.planned"), Value: m(p.Totals.Planned)},
		{Key: "committed", Label: t("budget.committed"), Value: m(p.Totals.Committed)},
		{Key: "spent", Label: t("budget.spent"), Value: m(p.Totals.Spent)},
		{Key: "available", Label: t("budget.available"), Value: m(p.Totals.Available)},
	}
	f := rep.Forecast
	v.Facts = []components.Fact{
		{Label: t("budget.code"), Value: p.Code},
		{Label: t("budget.period"), Value: p.StartsOn + " – " + p.EndsOn},
		{Label: t("budget.held"), Value: m(p.Totals.Held)},
		{Label: t("budget.forecast"), Value: m(f.AtPeriodEnd) + " (" + i18n.Number(lang, int64(f.ElapsedDays)) + " / " + i18n.Number(lang, int64(f.PeriodDays)) + " " + t("budget.days") + ")"},
	}
	if f.Over {
		v.Facts = append(v.Facts, components.Fact{Label: t("budget.forecast_over"), Value: m(f.AtPeriodEnd - f.Planned)})
	}
	if p.ApprovedBy != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("budget.approved_by"), Value: p.ApprovedBy + " · " + q.when(sc, p.ApprovedAt)})
	}
	if d := rep.Reserve; d.Requests > 0 {
		v.Facts = append(v.Facts, components.Fact{Label: t("budget.reserve_decisions"),
			Value: i18n.Number(lang, int64(d.Decided)) + " / " + i18n.Number(lang, int64(d.Requests)) + " · " + t("budget.average") + " " + duration(q, d.AverageSeconds) +
				" · " + t("budget.longest") + " " + duration(q, d.LongestSeconds)})
	}
	lines := components.Table{Head: []string{t("budget.layer"), t("budget.code"), t("budget.line"), t("budget.planned"), t("budget.committed"),
		t("budget.spent"), t("budget.held"), t("budget.available")}, Empty: t("budget.no_lines")}
	var lineOpts []components.Option
	for _, l := range p.Lines {
		lines.Rows = append(lines.Rows, []string{t("budget." + string(l.Layer)), l.Code, l.Name, m(l.Planned), m(l.Committed), m(l.Spent), m(l.Held), m(l.Available)})
		lineOpts = append(lineOpts, components.Option{Value: l.PublicID, Label: l.Name + " (" + l.Code + ")"})
	}
	v.Sections = []components.Section{{Title: t("budget.lines"), Table: lines}}
	v.Charts = s.budgetCharts(q, sc, rep)
	write := program.Can(sc.Role, program.PermBudgetWrite)
	approve := program.Can(sc.Role, program.PermBudgetApprove)
	v.Buttons = []components.Button{
		{Label: t("budget.csv"), Href: base + "/report?format=csv", Class: "btn-outline-secondary", Test: "report-csv"},
		{Label: t("budget.xlsx"), Href: base + "/report?format=xlsx", Class: "btn-outline-secondary", Test: "report-xlsx"},
	}
	if approve && p.Status == budget.Draft {
		v.Buttons = append(v.Buttons, components.Button{Label: t("budget.approve"), Action: base + "/approve", Test: "approve-plan"})
	}
	if approve && p.Status == budget.Approved {
		v.Buttons = append(v.Buttons, components.Button{Label: t("budget.close"), Action: base + "/close", Class: "btn-outline-danger", Test: "close-plan"})
	}
	if write && p.Status != budget.Closed {
		help := ""
		if p.Status == budget.Approved {
			help = t("budget.add_line_approved")
		}
		v.Forms = append(v.Forms, components.Form{Title: t("budget.add_line"), Help: help, Action: base + "/lines", Test: "line-form", Submit: t("budget.add_line"),
			Fields: []components.Field{
				{Name: "layer", Label: t("budget.layer"), Kind: "select", Options: q.options("budget", fault.Names(budget.Layers))},
				{Name: "code", Label: t("budget.code")}, {Name: "name", Label: t("budget.line")}, {Name: "amount", Label: t("budget.planned")}}})
	}
	if write && p.Status == budget.Draft && len(lineOpts) > 0 {
		v.Forms = append(v.Forms, components.Form{Title: t("budget.set_line"), Action: base + "/line-amount", Test: "amount-form", Submit: t("taskform.save"),
			Fields: []components.Field{{Name: "line", Label: t("budget.line"), Kind: "select", Options: lineOpts},
				{Name: "amount", Label: t("budget.planned"), Help: t("taskform.money_help")}}})
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

// duration is a number of seconds in words: 42 s, 3 min, 5 h.
func duration(q *request, secs int64) string {
	lang := components.Lang(q.ctx)
	switch {
	case secs < 120:
		return i18n.Number(lang, secs) + " " + components.T(q.ctx, "unit.seconds")
	case secs < 2*3600:
		return i18n.Number(lang, secs/60) + " " + components.T(q.ctx, "unit.minutes")
	default:
		return i18n.Number(lang, secs/3600) + " " + components.T(q.ctx, "unit.hours")
	}
}

// figuresChart is plan against commitments and spend, a bar for each of
// names, with the table of exact amounts beside it (the chart plots
// whole yuan).
func (q *request) figuresChart(sc program.Scope, title, head string, names []string, figs []budget.Figures) components.Chart {
	t := func(k string) string { return components.T(q.ctx, k) }
	m := func(fen int64) string { return q.money(sc, fen) }
	yuan := func(fen int64) int64 { return fen / 100 }
	var planned, committed, spent []int64
	tbl := components.Table{Head: []string{head, t("budget.planned"), t("budget.committed"), t("budget.spent"), t("budget.available")}}
	for i, f := range figs {
		planned, committed, spent = append(planned, yuan(f.Planned)), append(committed, yuan(f.Committed)), append(spent, yuan(f.Spent))
		tbl.Rows = append(tbl.Rows, []string{names[i], m(f.Planned), m(f.Committed), m(f.Spent), m(f.Available)})
	}
	bar := func(name string, data []int64) map[string]any {
		return map[string]any{"type": "bar", "name": name, "data": data}
	}
	return components.Chart{Title: title, Height: "chart-md", Table: tbl, Option: option(map[string]any{
		"grid": map[string]any{"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": true}, "tooltip": map[string]any{"trigger": "axis"},
		"legend": map[string]any{}, "xAxis": map[string]any{"type": "category", "data": names}, "yAxis": map[string]any{"type": "value"},
		"series": []any{bar(t("budget.planned"), planned), bar(t("budget.committed"), committed), bar(t("budget.spent"), spent)},
	})}
}

// budgetCharts draws the report: the layers' plan against commitments and
// spend, the burn curve against the plan, and each layer's cost per
// member. Charts plot whole yuan; their tables say the exact amounts.
func (s *Server) budgetCharts(q *request, sc program.Scope, rep budget.Report) []components.Chart {
	t := func(k string) string { return components.T(q.ctx, k) }
	m := func(fen int64) string { return q.money(sc, fen) }
	yuan := func(fen int64) int64 { return fen / 100 }
	var names []string
	var figs []budget.Figures
	for _, l := range rep.Layers {
		names, figs = append(names, t("budget."+string(l.Layer))), append(figs, l.Figures)
	}
	out := []components.Chart{q.figuresChart(sc, t("budget.by_layer"), t("budget.layer"), names, figs)}
	var months []string
	var soFar, plan []int64
	burn := components.Table{Head: []string{t("budget.month"), t("budget.committed"), t("budget.spent"), t("budget.spent_so_far")}}
	for _, mo := range rep.Months {
		months = append(months, mo.Month)
		soFar, plan = append(soFar, yuan(mo.SpentSoFar)), append(plan, yuan(rep.Plan.Totals.Planned))
		burn.Rows = append(burn.Rows, []string{mo.Month, m(mo.Committed), m(mo.Spent), m(mo.SpentSoFar)})
	}
	out = append(out, components.Chart{Title: t("budget.burn"), Height: "chart-md", Table: burn, Option: option(map[string]any{
		"grid": map[string]any{"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": true}, "tooltip": map[string]any{"trigger": "axis"},
		"legend": map[string]any{}, "xAxis": map[string]any{"type": "category", "data": months}, "yAxis": map[string]any{"type": "value"},
		"series": []any{map[string]any{"type": "line", "name": t("budget.spent_so_far"), "data": soFar, "areaStyle": map[string]any{}},
			map[string]any{"type": "line", "name": t("budget.planned"), "data": plan, "lineStyle": map[string]any{"type": "dashed"}, "symbol": "none"}},
	})})
	lang := components.Lang(q.ctx)
	var inames []string
	var per []int64
	intensity := components.Table{Head: []string{t("budget.layer"), t("dash.members"), t("budget.spent"), t("budget.per_member")}}
	for _, in := range rep.Intensity {
		name := t("budget." + string(in.Layer))
		inames, per = append(inames, name), append(per, yuan(in.PerMember))
		intensity.Rows = append(intensity.Rows, []string{name, i18n.Number(lang, in.Members), m(in.Spent), m(in.PerMember)})
	}
	out = append(out, components.Chart{Title: t("budget.intensity"), Height: "chart-sm", Table: intensity, Option: option(map[string]any{
		"grid": map[string]any{"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": true}, "tooltip": map[string]any{},
		"xAxis": map[string]any{"type": "value"}, "yAxis": map[string]any{"type": "category", "data": inames},
		"series": []any{map[string]any{"type": "bar", "data": per, "label": map[string]any{"show": true, "position": "right"}}},
	})})
	return out
}

// planAction settles one of a plan's actions.
func (s *Server) planAction(q *request, sc program.Scope, form, done string, err error, bad fault.Fields) error {
	return q.settle(form, err, bad, "/p/"+sc.Program.Slug+"/budget/plans/"+q.r.PathValue("plan")+"?done="+done, func(r *refused) error {
		return s.renderPlan(q, sc, r)
	})
}

func (s *Server) approvePlan(q *request, sc program.Scope) error {
	_, err := s.Budget.ApprovePlan(q.ctx, sc, q.r.PathValue("plan"))
	return s.planAction(q, sc, "", "plan_approved", err, nil)
}

func (s *Server) closePlan(q *request, sc program.Scope) error {
	_, err := s.Budget.ClosePlan(q.ctx, sc, q.r.PathValue("plan"))
	return s.planAction(q, sc, "", "plan_closed", err, nil)
}

func (s *Server) addPlanLine(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := budget.LineInput{Layer: budget.Layer(f.str("layer")), Code: f.str("code"), Name: f.str("name"), Amount: f.money("amount")}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Budget.AddLine(q.ctx, sc, q.r.PathValue("plan"), in)
	}
	return s.planAction(q, sc, "line-form", "saved", err, f.bad)
}

func (s *Server) setPlanLine(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	amount := f.money("amount")
	if f.str("line") == "" {
		f.bad.Required("line")
	}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Budget.SetLineAmount(q.ctx, sc, f.str("line"), amount)
	}
	return s.planAction(q, sc, "amount-form", "saved", err, f.bad)
}

// formatOf is the download's ?format=, CSV when none is named.
func formatOf(q *request) sheet.Format {
	if f := q.r.URL.Query().Get("format"); f != "" {
		return sheet.Format(f)
	}
	return sheet.CSV
}

// planReport downloads the plan's report as CSV or XLSX.
func (s *Server) planReport(q *request, sc program.Scope) error {
	format := formatOf(q)
	if !sheet.Valid(format) {
		return q.problem(sheet.FormatError())
	}
	rep, err := s.Budget.Report(q.ctx, sc, q.r.PathValue("plan"))
	if err != nil {
		return q.problem(err)
	}
	h := q.w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Disposition", `attachment; filename="`+sc.Program.Slug+`-budget-`+rep.Plan.Code+`.`+string(format)+`"`)
	return budget.WriteReport(q.w, format, rep)
}
