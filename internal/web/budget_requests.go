package web

import (
	"strconv"

	"kox/internal/budget"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/web/components"
)

// budgetRequests lists moves between lines and requests on the strategic
// reserve, newest first, with how long finance took to decide; operators
// ask, finance approves or declines in the list.
func (s *Server) budgetRequests(q *request, sc program.Scope) error {
	return s.renderRequests(q, sc, budget.RequestInput{Kind: budget.ReserveUse}, nil)
}

func (s *Server) renderRequests(q *request, sc program.Scope, in budget.RequestInput, r *refused) error {
	v := q.r.URL.Query()
	status := budget.RequestStatus(v.Get("status"))
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	rs, next, err := s.Budget.Requests(q.ctx, sc, status, before, 50)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/budget/requests"
	page := components.RecordView{Title: t("nav.requests"), Help: t("requests.help"), Flash: flash(q),
		Buttons: []components.Button{{Label: t("nav.budget"), Href: "/p/" + sc.Program.Slug + "/budget", Class: "btn-outline-secondary"}}}
	page.List = components.Table{Action: q.r.URL.Path, Empty: t("requests.none"),
		Filters: []components.Filter{{Name: "status", Label: t("tasks.status"), Value: string(status),
			Options: q.options("request", []string{string(budget.Requested), string(budget.Granted), string(budget.Declined)})}},
		Head: []string{t("member.when"), t("requests.kind"), t("requests.from"), t("requests.to"), t("requests.amount"), t("requests.reason"),
			t("tasks.status"), t("requests.decided")},
		Next: components.NextPage(q.r.URL.Path, v, cursor(next))}
	decide := program.Can(sc.Role, program.PermBudgetApprove)
	for _, x := range rs {
		reason := x.Reason
		if x.Purpose != "" {
			reason = t("purpose."+x.Purpose) + " · " + reason
		}
		decided := ""
		if !x.DecidedAt.IsZero() {
			decided = x.DecidedBy + " · " + duration(q, x.DecisionSeconds)
			if x.Note != "" {
				decided += " · " + x.Note
			}
		}
		to := x.ToName
		if to == "" {
			to = t("requests.spend_now")
		}
		page.List.Rows = append(page.List.Rows, []string{q.when(sc, x.RequestedAt), t("requestkind." + string(x.Kind)), x.FromName, to,
			q.money(sc, x.Amount), reason, t("request." + string(x.Status)), decided})
		var acts []components.Button
		if decide && x.Status == budget.Requested {
			action := base + "/" + x.PublicID + "/decision"
			acts = []components.Button{
				{Label: t("requests.approve"), Action: action, Hidden: []components.Pair{{Name: "approve", Value: "1"}}, Class: "btn-sm btn-success", Test: "approve-request"},
				{Label: t("requests.decline"), Action: action, Hidden: []components.Pair{{Name: "approve", Value: "0"}}, Class: "btn-sm btn-outline-danger ms-1", Test: "decline-request"}}
		}
		page.List.Actions = append(page.List.Actions, acts)
	}
	if program.Can(sc.Role, program.PermBudgetWrite) {
		open, err := s.Budget.OpenLines(q.ctx, sc)
		if err != nil {
			return q.problem(err)
		}
		var from []components.Option
		to := []components.Option{{Value: "", Label: t("requests.spend_now")}}
		for _, l := range open {
			o := components.Option{Value: l.PublicID, Label: l.PlanName + " · " + t("budget."+string(l.Layer)) + " · " + l.Name + " · " + q.money(sc, l.Available)}
			from, to = append(from, o), append(to, o)
		}
		page.Forms = append(page.Forms, components.Form{Title: t("requests.new"), Help: t("requests.new_help"), Action: base, Test: "request-form",
			Submit: t("requests.send"), Fields: []components.Field{
				{Name: "kind", Label: t("requests.kind"), Kind: "select", Value: string(in.Kind), Options: q.options("requestkind", []string{string(budget.ReserveUse), string(budget.Move)})},
				{Name: "purpose", Label: t("requests.purpose"), Kind: "select", Value: in.Purpose,
					Options: append([]components.Option{{Value: "", Label: "—"}}, q.options("purpose", budget.Purposes)...)},
				{Name: "from_line", Label: t("requests.from"), Kind: "select", Value: in.From, Options: from},
				{Name: "to_line", Label: t("requests.to"), Kind: "select", Value: in.To, Options: to},
				{Name: "amount", Label: t("requests.amount"), Value: yuanInput(in.Amount), Help: t("taskform.money_help")},
				{Name: "reason", Label: t("requests.reason"), Kind: "textarea", Rows: 2, Value: in.Reason}}})
	}
	return q.render(r.apply(&page), components.RecordPage(q.nav(), page))
}

func (s *Server) askBudget(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := budget.RequestInput{Kind: budget.RequestKind(f.str("kind")), From: f.str("from_line"), To: f.str("to_line"), Amount: f.money("amount"),
		Purpose: f.str("purpose"), Reason: f.str("reason")}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Budget.Ask(q.ctx, sc, in)
	}
	return q.settle("request-form", err, f.bad, "/p/"+sc.Program.Slug+"/budget/requests?done=requested", func(r *refused) error {
		return s.renderRequests(q, sc, in, r)
	})
}

func (s *Server) decideBudget(q *request, sc program.Scope) error {
	approve, _ := strconv.ParseBool(q.r.PostFormValue("approve"))
	_, err := s.Budget.Decide(q.ctx, sc, q.r.PathValue("request"), approve, q.r.PostFormValue("note"))
	done := "declined"
	if approve {
		done = "granted"
	}
	return q.settle("", err, fault.Fields{}, "/p/"+sc.Program.Slug+"/budget/requests?done="+done, func(r *refused) error {
		return s.renderRequests(q, sc, budget.RequestInput{Kind: budget.ReserveUse}, r)
	})
}
