package web

import (
	"slices"
	"strconv"
	"strings"

	"kox/internal/i18n"
	"kox/internal/loan"
	"kox/internal/program"
	"kox/internal/task"
	"kox/internal/web/components"
)

// fleet is the fleet board: every unit in its status's column, with the
// member who has it and the day it is due back, late ones marked; a role
// that may write tasks adds a unit.
func (s *Server) fleet(q *request, sc program.Scope) error {
	return s.renderFleet(q, sc, loan.UnitInput{}, nil)
}

func (s *Server) renderFleet(q *request, sc program.Scope, in loan.UnitInput, r *refused) error {
	query := strings.TrimSpace(q.r.URL.Query().Get("q"))
	us, err := s.Loans.Units(q.ctx, sc, loan.UnitFilter{Q: query})
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	base := "/p/" + sc.Program.Slug
	v := components.BoardView{Title: t("fleet.title"), Help: t("fleet.help"), Flash: flash(q), Q: query, Action: base + "/fleet",
		Buttons: []components.Button{{Label: t("loans.title"), Href: base + "/loans", Class: "btn-outline-primary"},
			{Label: t("calendar.title"), Href: base + "/calendar", Class: "btn-outline-primary"}}}
	if program.Can(sc.Role, program.PermBudgetRead) {
		v.Buttons = append(v.Buttons, components.Button{Label: t("fleet.costs"), Href: base + "/fleet/costs", Class: "btn-outline-primary"})
	}
	late := 0
	for _, st := range loan.UnitStatuses {
		c := components.BoardColumn{Key: st, Title: t("unitstatus." + st)}
		for _, u := range us {
			if u.Status != st {
				continue
			}
			line := strings.Join(slices.DeleteFunc([]string{u.Model, u.Colour, u.Plate, u.City}, func(s string) bool { return s == "" }), " · ")
			card := components.BoardCard{Href: base + "/fleet/" + u.PublicID, Title: u.VIN, Line: line, Who: u.MemberName, Due: u.DueOn, Overdue: u.Overdue}
			if u.Overdue {
				late++
			}
			c.Cards = append(c.Cards, card)
		}
		v.Columns = append(v.Columns, c)
	}
	v.Stats = []components.Stat{{Label: t("fleet.units"), Value: i18n.Number(lang, int64(len(us)))}}
	for _, c := range v.Columns[:3] {
		v.Stats = append(v.Stats, components.Stat{Label: c.Title, Value: i18n.Number(lang, int64(len(c.Cards)))})
	}
	v.Stats = append(v.Stats, components.Stat{Label: t("loans.overdue"), Value: i18n.Number(lang, int64(late))})
	if program.Can(sc.Role, program.PermTasksWrite) {
		v.Forms = []components.Form{{Title: t("fleet.new"), Action: base + "/fleet", Test: "unit-form", Submit: t("fleet.add"), Fields: unitFields(t, in)}}
	}
	rv := components.RecordView{Forms: v.Forms}
	status := r.apply(&rv)
	v.Forms, v.Error = rv.Forms, rv.Error
	return q.render(status, components.FleetBoard(q.nav(), v))
}

func unitFields(t func(string) string, in loan.UnitInput) []components.Field {
	mileage := ""
	if in.Mileage > 0 {
		mileage = strconv.Itoa(in.Mileage)
	}
	return []components.Field{
		{Name: "vin", Label: t("fleet.vin"), Value: in.VIN, Help: t("fleet.vin_help")},
		{Name: "model", Label: t("fleet.model"), Value: in.Model},
		{Name: "colour", Label: t("fleet.colour"), Value: in.Colour},
		{Name: "plate", Label: t("fleet.plate"), Value: in.Plate},
		{Name: "city", Label: t("events.city"), Value: in.City},
		{Name: "mileage", Label: t("fleet.mileage"), Kind: "number", Value: mileage},
		{Name: "note", Label: t("member.note"), Kind: "textarea", Value: in.Note},
	}
}

func unitInput(f *formReader) loan.UnitInput {
	return loan.UnitInput{VIN: f.str("vin"), Model: f.str("model"), Colour: f.str("colour"), Plate: f.str("plate"), City: f.str("city"),
		Mileage: int(f.int("mileage")), Note: f.str("note")}
}

func (s *Server) createUnit(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := unitInput(f)
	var u loan.Unit
	var err error
	if f.bad.Err() == nil {
		u, err = s.Loans.CreateUnit(q.ctx, sc, in)
	}
	return q.settle("unit-form", err, f.bad, "/p/"+sc.Program.Slug+"/fleet/"+u.PublicID+"?done=saved", func(r *refused) error {
		return s.renderFleet(q, sc, in, r)
	})
}

// unitPage is one unit: its particulars, its loans, its costs; for a role
// that may write tasks the forms to lend it, edit it, send it to the
// workshop or retire it, and to one that may write the budget, a cost.
func (s *Server) unitPage(q *request, sc program.Scope) error {
	return s.renderUnit(q, sc, nil, nil, nil)
}

func (s *Server) renderUnit(q *request, sc program.Scope, edit *loan.UnitInput, lend *loan.LoanInput, r *refused) error {
	u, err := s.Loans.Unit(q.ctx, sc, q.r.PathValue("unit"))
	if err != nil {
		return q.problem(err)
	}
	ls, err := s.Loans.List(q.ctx, sc, loan.LoanFilter{Unit: u.PublicID})
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	base := "/p/" + sc.Program.Slug + "/fleet/" + u.PublicID
	write := program.Can(sc.Role, program.PermTasksWrite)
	v := components.RecordView{Pretitle: u.Model, Title: u.VIN, Status: t("unitstatus." + u.Status), Flash: flash(q), Help: u.Note,
		Facts: []components.Fact{{Label: t("fleet.model"), Value: u.Model}, {Label: t("fleet.colour"), Value: orDash(u.Colour)},
			{Label: t("fleet.plate"), Value: orDash(u.Plate)}, {Label: t("events.city"), Value: orDash(u.City)},
			{Label: t("fleet.mileage"), Value: i18n.Number(lang, int64(u.Mileage)) + " km"}}}
	if u.Loan != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("loans.member"), Value: u.MemberName}, components.Fact{Label: t("loans.due"), Value: u.DueOn})
	}
	if u.Overdue {
		v.Error = t("loans.overdue_help")
	}
	v.List = loansTable(q, sc, ls)
	if write && u.Loan == "" {
		for _, st := range loan.Settable {
			if st != u.Status {
				v.Buttons = append(v.Buttons, components.Button{Label: t("fleet.to_" + st), Action: base + "/status", Hidden: []components.Pair{{Name: "status", Value: st}},
					Class: "btn-outline-secondary", Test: "unit-" + st})
			}
		}
	}
	if program.Can(sc.Role, program.PermBudgetRead) {
		cs, err := s.Loans.Costs(q.ctx, sc, u.PublicID)
		if err != nil {
			return q.problem(err)
		}
		ct := components.Table{Head: []string{t("kits.updated"), t("events.cost_kind"), t("events.amount"), t("loans.loan"), t("member.note")}, Empty: t("events.no_costs")}
		for _, c := range cs {
			ct.Rows = append(ct.Rows, []string{q.when(sc, c.CreatedAt), t("unitcost." + c.Kind), i18n.Money(lang, sc.Program.Currency, c.Amount), orDash(c.Loan), c.Note})
		}
		v.Sections = append(v.Sections, components.Section{Title: t("events.costs") + " · " + i18n.Money(lang, sc.Program.Currency, u.CostTotal), Table: ct})
	}
	if write && u.Status == loan.Available {
		in := loan.LoanInput{Ladder: "main", MinTier: "product"}
		if lend != nil {
			in = *lend
		}
		form, err := s.lendForm(q, sc, base, in)
		if err != nil {
			return q.problem(err)
		}
		v.Forms = append(v.Forms, form)
	}
	if program.Can(sc.Role, program.PermBudgetWrite) {
		lines, err := s.lineOptions(q, sc)
		if err != nil {
			return q.problem(err)
		}
		loans := []components.Option{{Value: "", Label: "—"}}
		for _, l := range ls {
			loans = append(loans, components.Option{Value: l.PublicID, Label: l.MemberName + " · " + l.StartsOn})
		}
		v.Forms = append(v.Forms, components.Form{Title: t("events.add_cost"), Help: t("fleet.cost_help"), Action: base + "/costs", Test: "unit-cost-form",
			Submit: t("events.add_cost"), Fields: []components.Field{
				{Name: "kind", Label: t("events.cost_kind"), Kind: "select", Options: q.options("unitcost", loan.CostKinds)},
				{Name: "budget_line", Label: t("taskform.budget_line"), Kind: "select", Options: lines},
				{Name: "amount", Label: t("events.amount"), Help: t("events.amount_help")},
				{Name: "loan", Label: t("loans.loan"), Kind: "select", Options: loans},
				{Name: "note", Label: t("member.note")}}})
	}
	if write {
		in := loan.UnitInput{Model: u.Model, Colour: u.Colour, Plate: u.Plate, City: u.City, Mileage: u.Mileage, Note: u.Note}
		if edit != nil {
			in = *edit
		}
		v.Forms = append(v.Forms, components.Form{Title: t("fleet.edit"), Action: base + "/edit", Test: "unit-edit-form", Submit: t("taskform.save"),
			Fields: unitFields(t, in)[1:]})
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

// lendForm is the form that agrees a loan of the unit: the member, the
// days, the terms, the rung it is for, and the diary to assign with it.
func (s *Server) lendForm(q *request, sc program.Scope, base string, in loan.LoanInput) (components.Form, error) {
	t := func(k string) string { return components.T(q.ctx, k) }
	tiers, err := s.tierOptions(q, sc, " +")
	if err != nil {
		return components.Form{}, err
	}
	diaries, _, err := s.Tasks.List(q.ctx, sc, task.Filter{Status: task.Published, Kind: task.Diary, Limit: 100})
	if err != nil {
		return components.Form{}, err
	}
	diary := []components.Option{{Value: "", Label: "—"}}
	for _, d := range diaries {
		diary = append(diary, components.Option{Value: d.PublicID, Label: d.Title})
	}
	tier := ""
	if in.MinTier != "" {
		tier = in.Ladder + "/" + in.MinTier
	}
	return components.Form{Title: t("loans.new"), Help: t("loans.new_help"), Action: base + "/loans", Test: "lend-form", Submit: t("loans.lend"), Wide: true,
		Fields: []components.Field{
			{Name: "member", Label: t("awards.member_ref"), Value: in.Member},
			{Name: "tier", Label: t("loans.rung"), Kind: "select", Value: tier, Options: append([]components.Option{{Value: "", Label: "—"}}, tiers...)},
			{Name: "starts_on", Label: t("loans.starts"), Kind: "date", Value: in.StartsOn},
			{Name: "ends_on", Label: t("loans.ends"), Kind: "date", Value: in.EndsOn, Help: t("loans.ends_help")},
			{Name: "diary_task", Label: t("loans.diary_task"), Kind: "select", Value: in.DiaryTask, Options: diary},
			{Name: "campaign", Label: t("taskform.campaign"), Value: in.Campaign},
			{Name: "terms", Label: t("loans.terms"), Kind: "textarea", Value: in.Terms},
		}}, nil
}

func (s *Server) editUnit(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := unitInput(f)
	var err error
	if f.bad.Err() == nil {
		_, err = s.Loans.UpdateUnit(q.ctx, sc, q.r.PathValue("unit"), in)
	}
	return s.unitAction(q, sc, "unit-edit-form", err, f, &in, nil)
}

func (s *Server) setUnitStatus(q *request, sc program.Scope) error {
	_, err := s.Loans.SetStatus(q.ctx, sc, q.r.PathValue("unit"), q.r.PostFormValue("status"))
	return s.unitAction(q, sc, "", err, nil, nil, nil)
}

func (s *Server) addUnitCost(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := loan.UnitCostInput{Kind: f.str("kind"), BudgetLine: f.str("budget_line"), Amount: f.money("amount"), Loan: f.str("loan"), Note: f.str("note")}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Loans.AddCost(q.ctx, sc, q.r.PathValue("unit"), in)
	}
	return s.unitAction(q, sc, "unit-cost-form", err, f, nil, nil)
}

func (s *Server) lendUnit(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := loan.LoanInput{Unit: q.r.PathValue("unit"), Member: f.str("member"), StartsOn: f.str("starts_on"), EndsOn: f.str("ends_on"),
		Terms: f.str("terms"), Campaign: f.str("campaign"), DiaryTask: f.str("diary_task")}
	in.Ladder, in.MinTier, _ = strings.Cut(f.str("tier"), "/")
	l, err := s.Loans.Create(q.ctx, sc, in)
	if err == nil {
		return q.redirect("/p/" + sc.Program.Slug + "/loans/" + l.PublicID + "?done=saved")
	}
	return s.unitAction(q, sc, "lend-form", err, f, nil, &in)
}

func (s *Server) unitAction(q *request, sc program.Scope, form string, err error, f *formReader, edit *loan.UnitInput, lend *loan.LoanInput) error {
	var bad = f.badFields()
	return q.settle(form, err, bad, "/p/"+sc.Program.Slug+"/fleet/"+q.r.PathValue("unit")+"?done=saved", func(r *refused) error {
		return s.renderUnit(q, sc, edit, lend, r)
	})
}

// loansTable lists loans, each linked to its page.
func loansTable(q *request, sc program.Scope, ls []loan.Loan) components.Table {
	t := func(k string) string { return components.T(q.ctx, k) }
	tb := components.Table{Head: []string{t("loans.member"), t("fleet.vin"), t("fleet.model"), t("loans.starts"), t("loans.due"), t("loans.status")},
		Empty: t("loans.none")}
	for _, l := range ls {
		st := t("loanstatus." + l.Status)
		if l.Overdue {
			st += " · " + t("loans.overdue")
		}
		tb.Rows = append(tb.Rows, []string{l.MemberName, l.VIN, l.Model, l.StartsOn, l.DueOn, st})
		tb.Links = append(tb.Links, "/p/"+sc.Program.Slug+"/loans/"+l.PublicID)
	}
	return tb
}
