package web

import (
	"kox/internal/i18n"
	"kox/internal/loan"
	"kox/internal/program"
	"kox/internal/web/components"
)

// fleetCosts is the fleet's cost report: by kind (a chart with its table),
// per unit, and per loan with its content and cost per piece. Every figure
// is a sum of the costs posted.
func (s *Server) fleetCosts(q *request, sc program.Scope) error {
	r, err := s.Loans.Report(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	m := func(fen int64) string { return q.money(sc, fen) }
	base := "/p/" + sc.Program.Slug
	v := components.RecordView{Title: t("fleet.costs"), Help: t("fleet.costs_help"),
		Buttons: []components.Button{{Label: t("fleet.title"), Href: base + "/fleet", Class: "btn-outline-primary"}},
		Stats: []components.Stat{{Label: t("fleet.cost_total"), Value: m(r.Total)}, {Label: t("fleet.units"), Value: i18n.Number(lang, int64(len(r.Units)))},
			{Label: t("loans.title"), Value: i18n.Number(lang, int64(len(r.Loans)))}}}
	var names []string
	var yuan []int64
	kinds := components.Table{Head: []string{t("events.cost_kind"), t("events.amount")}}
	for _, k := range loan.CostKinds {
		names, yuan = append(names, t("unitcost."+k)), append(yuan, r.ByKind[k]/100)
		kinds.Rows = append(kinds.Rows, []string{t("unitcost." + k), m(r.ByKind[k])})
	}
	v.Charts = []components.Chart{{Title: t("fleet.by_kind"), Height: "chart-md", Table: kinds, Option: option(map[string]any{
		"grid": map[string]any{"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": true}, "tooltip": map[string]any{"trigger": "axis"},
		"xAxis": map[string]any{"type": "category", "data": names}, "yAxis": map[string]any{"type": "value"},
		"series": []any{map[string]any{"type": "bar", "name": t("events.amount"), "data": yuan}}})}}
	units := components.Table{Head: append([]string{t("fleet.vin"), t("fleet.model"), t("loans.title")}, append(names, t("fleet.cost_total"))...), Empty: t("fleet.none")}
	for _, u := range r.Units {
		row := []string{u.VIN, u.Model, i18n.Number(lang, int64(u.Loans))}
		for _, k := range loan.CostKinds {
			row = append(row, m(u.ByKind[k]))
		}
		units.Rows = append(units.Rows, append(row, m(u.Total)))
		units.Links = append(units.Links, base+"/fleet/"+u.Unit)
	}
	loans := components.Table{Head: []string{t("loans.member"), t("fleet.vin"), t("loans.status"), t("fleet.cost_total"), t("fleet.pieces"), t("fleet.per_piece")},
		Empty: t("loans.none")}
	for _, l := range r.Loans {
		per := "—"
		if l.Pieces > 0 {
			per = m(l.PerPiece)
		}
		loans.Rows = append(loans.Rows, []string{l.MemberName, l.VIN, t("loanstatus." + l.Status), m(l.Total), i18n.Number(lang, int64(l.Pieces)), per})
		loans.Links = append(loans.Links, base+"/loans/"+l.Loan)
	}
	v.Sections = []components.Section{{Title: t("fleet.per_unit"), Table: units}, {Title: t("fleet.per_loan"), Table: loans}}
	return q.render(200, components.RecordPage(q.nav(), v))
}
