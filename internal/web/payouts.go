package web

import (
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/payout"
	"kox/internal/program"
	"kox/internal/sheet"
	"kox/internal/tax"
	"kox/internal/web/components"
)

// Payouts in the console (finance): batches of what members are owed, each
// line's gross, tax withheld and net, approval, the bank file, and marking
// a batch paid once. The payout service holds every rule.

func (s *Server) payoutBatches(q *request, sc program.Scope) error {
	return s.renderBatches(q, sc, payout.BatchInput{}, nil)
}

func (s *Server) renderBatches(q *request, sc program.Scope, in payout.BatchInput, r *refused) error {
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	bs, next, err := s.Payouts.Batches(q.ctx, sc, before, 50)
	if err != nil {
		return q.problem(err)
	}
	rule, err := s.Payouts.TaxRule(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/payouts"
	v := components.RecordView{Title: t("nav.payouts"), Help: t("payouts.help"), Flash: flash(q)}
	tbl := components.Table{Head: []string{t("payouts.period"), t("tasks.status"), t("payouts.lines"), t("payouts.gross"), t("payouts.tax"), t("payouts.net"),
		t("member.when")}, Empty: t("payouts.none"), Next: components.NextPage(q.r.URL.Path, q.r.URL.Query(), cursor(next))}
	for _, b := range bs {
		tbl.Links = append(tbl.Links, base+"/"+b.PublicID)
		tbl.Rows = append(tbl.Rows, []string{b.Period, t("batch." + string(b.Status)), i18n.Number(lang, int64(b.Totals.Lines)), q.money(sc, b.Totals.Gross),
			q.money(sc, b.Totals.Tax), q.money(sc, b.Totals.Net), q.when(sc, b.CreatedAt)})
	}
	v.Sections = []components.Section{{Title: t("payouts.batches"), Table: tbl}}
	v.Forms = []components.Form{
		{Title: t("payouts.new"), Help: t("payouts.new_help"), Action: base, Test: "batch-form", Submit: t("payouts.create"), Fields: []components.Field{
			{Name: "period", Label: t("payouts.period"), Value: in.Period, Help: t("payouts.period_help")},
			{Name: "minimum", Label: t("payouts.minimum"), Value: yuanInput(in.Minimum), Help: t("payouts.minimum_help")}}},
		{Title: t("payouts.tax_rule"), Help: t("taxrule.help"), Action: base + "/tax-rule", Test: "tax-form", Submit: t("taskform.save"), Fields: []components.Field{
			{Name: "tax_rule", Label: t("payouts.tax_rule"), Kind: "select", Value: string(rule), Options: q.options("taxrule", fault.Names(tax.Rules))}}},
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func (s *Server) createBatch(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := payout.BatchInput{Period: f.str("period"), Minimum: f.money("minimum")}
	var b payout.Batch
	var err error
	if f.bad.Err() == nil {
		b, err = s.Payouts.CreateBatch(q.ctx, sc, in)
	}
	return q.settle("batch-form", err, f.bad, "/p/"+sc.Program.Slug+"/payouts/"+b.PublicID+"?done=saved", func(r *refused) error {
		return s.renderBatches(q, sc, in, r)
	})
}

func (s *Server) setTaxRule(q *request, sc program.Scope) error {
	_, err := s.Payouts.SetTaxRule(q.ctx, sc, tax.Rule(q.r.PostFormValue("tax_rule")))
	return q.settle("tax-form", err, nil, "/p/"+sc.Program.Slug+"/payouts?done=saved", func(r *refused) error {
		return s.renderBatches(q, sc, payout.BatchInput{}, r)
	})
}

// batchPage is a batch: its totals, each member's line (payee details
// masked) and the step it waits for.
func (s *Server) batchPage(q *request, sc program.Scope) error {
	return s.renderBatch(q, sc, nil)
}

func (s *Server) renderBatch(q *request, sc program.Scope, r *refused) error {
	b, err := s.Payouts.Batch(q.ctx, sc, q.r.PathValue("batch"))
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	m := func(fen int64) string { return q.money(sc, fen) }
	base := "/p/" + sc.Program.Slug + "/payouts/" + b.PublicID
	v := components.RecordView{Pretitle: t("nav.payouts"), Title: b.Period, Status: t("batch." + string(b.Status)), Flash: flash(q)}
	v.Stats = []components.Stat{
		{Key: "lines", Label: t("payouts.lines"), Value: i18n.Number(lang, int64(b.Totals.Lines))},
		{Key: "gross", Label: t("payouts.gross"), Value: m(b.Totals.Gross)},
		{Key: "tax", Label: t("payouts.tax"), Value: m(b.Totals.Tax)},
		{Key: "net", Label: t("payouts.net"), Value: m(b.Totals.Net)},
	}
	v.Facts = []components.Fact{
		{Label: t("payouts.minimum"), Value: m(b.Minimum)},
		{Label: t("payouts.tax_rule"), Value: t("taxrule." + string(b.TaxRule))},
		{Label: t("payouts.made_by"), Value: b.CreatedBy + " · " + q.when(sc, b.CreatedAt)},
	}
	if b.ApprovedBy != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("budget.approved_by"), Value: b.ApprovedBy + " · " + q.when(sc, b.ApprovedAt)})
	}
	if b.PaidBy != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("payouts.paid_by"), Value: b.PaidBy + " · " + q.when(sc, b.PaidAt)})
	}
	lines := components.Table{Head: []string{t("members.name"), t("payouts.payee"), t("payouts.gross"), t("payouts.taxable"), t("payouts.tax"), t("payouts.net"),
		t("tasks.status")}, Empty: t("payouts.no_lines")}
	for _, l := range b.Lines {
		payee := "—"
		if p := l.Payee; p != nil {
			payee = p.LegalName + " · " + p.Bank + " " + p.Account
		}
		lines.Links = append(lines.Links, "/p/"+sc.Program.Slug+"/members/"+l.Member)
		lines.Rows = append(lines.Rows, []string{l.MemberName, payee, m(l.Gross), m(l.Taxable), m(l.Tax), m(l.Net), t("payline." + l.Status)})
		var acts []components.Button
		if b.Status == payout.Draft && l.Status == "included" {
			acts = []components.Button{{Label: t("payouts.exclude"), Action: base + "/exclude", Hidden: []components.Pair{{Name: "member", Value: l.Member}},
				Class: "btn-sm btn-outline-secondary", Test: "exclude"}}
		}
		lines.Actions = append(lines.Actions, acts)
	}
	v.Sections = []components.Section{{Title: t("payouts.lines"), Table: lines}}
	if b.Status == payout.Approved || b.Status == payout.Paid {
		v.Buttons = append(v.Buttons, components.Button{Label: t("payouts.bank_csv"), Href: base + "/bank-file?format=csv", Class: "btn-outline-secondary", Test: "bank-csv"},
			components.Button{Label: t("payouts.bank_xlsx"), Href: base + "/bank-file?format=xlsx", Class: "btn-outline-secondary", Test: "bank-xlsx"})
	}
	switch b.Status {
	case payout.Draft:
		v.Buttons = append(v.Buttons, components.Button{Label: t("payouts.approve"), Action: base + "/approve", Test: "approve-batch"})
	case payout.Approved:
		v.Buttons = append(v.Buttons, components.Button{Label: t("payouts.mark_paid"), Action: base + "/paid", Test: "mark-paid"})
	}
	if b.Status == payout.Draft || b.Status == payout.Approved {
		v.Buttons = append(v.Buttons, components.Button{Label: t("payouts.cancel"), Action: base + "/cancel", Class: "btn-outline-danger", Test: "cancel-batch"})
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func (s *Server) batchAction(q *request, sc program.Scope, done string, err error) error {
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/payouts/"+q.r.PathValue("batch")+"?done="+done, func(r *refused) error {
		return s.renderBatch(q, sc, r)
	})
}

func (s *Server) approveBatch(q *request, sc program.Scope) error {
	_, err := s.Payouts.Approve(q.ctx, sc, q.r.PathValue("batch"))
	return s.batchAction(q, sc, "batch_approved", err)
}

func (s *Server) payBatch(q *request, sc program.Scope) error {
	_, err := s.Payouts.MarkPaid(q.ctx, sc, q.r.PathValue("batch"))
	return s.batchAction(q, sc, "batch_paid", err)
}

func (s *Server) cancelBatch(q *request, sc program.Scope) error {
	_, err := s.Payouts.Cancel(q.ctx, sc, q.r.PathValue("batch"))
	return s.batchAction(q, sc, "cancelled", err)
}

func (s *Server) excludeLine(q *request, sc program.Scope) error {
	_, err := s.Payouts.Exclude(q.ctx, sc, q.r.PathValue("batch"), q.r.PostFormValue("member"))
	return s.batchAction(q, sc, "saved", err)
}

// bankFile downloads an approved or paid batch for the bank: the one place
// payee details are whole (the service audits each export).
func (s *Server) bankFile(q *request, sc program.Scope) error {
	format := formatOf(q)
	if !sheet.Valid(format) {
		return q.problem(sheet.FormatError())
	}
	ref := q.r.PathValue("batch")
	write, err := s.Payouts.BankFile(q.ctx, sc, ref, format)
	if err != nil {
		if fe, ok := fault.As(err); ok && fe.Kind != fault.NotFound {
			return s.renderBatch(q, sc, &refused{general: q.refusal(err), status: statusOf(fe)})
		}
		return q.problem(err)
	}
	h := q.w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="`+sc.Program.Slug+`-`+ref+`.`+string(format)+`"`)
	return write(q.w)
}
