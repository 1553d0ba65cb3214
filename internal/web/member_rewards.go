package web

import (
	"kox/internal/catalog"
	"kox/internal/payout"
	"kox/internal/program"
	"kox/internal/web/components"
)

// memberRewards are the member page's rewards: redemptions, and money owed
// and paid (each for the roles that may read them).
func (s *Server) memberRewards(q *request, sc program.Scope, ref string) ([]components.Section, error) {
	t := func(k string) string { return components.T(q.ctx, k) }
	var out []components.Section
	if program.Can(sc.Role, program.PermRewardsRead) {
		rs, _, err := s.Catalog.Redemptions(q.ctx, sc, catalog.RedemptionFilter{Member: ref, Limit: 10})
		if err != nil {
			return nil, err
		}
		out = append(out, components.Section{Title: t("nav.redemptions"), Table: q.redemptionTable(sc, rs)})
	}
	if program.Can(sc.Role, program.PermLedgerRead) {
		st, err := s.Payouts.MemberStatement(q.ctx, sc, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, components.Section{Title: t("money.title") + " · " + t("money.owed") + " " + q.money(sc, st.Owed) + " · " + t("money.in_batch") + " " +
			q.money(sc, st.InBatch), Table: q.paymentTable(sc, st.Payments)})
	}
	return out, nil
}

// paymentTable is a member's payments: gross, tax withheld and net.
func (q *request) paymentTable(sc program.Scope, ps []payout.Payment) components.Table {
	t := func(k string) string { return components.T(q.ctx, k) }
	tbl := components.Table{Head: []string{t("payouts.period"), t("tasks.status"), t("payouts.gross"), t("payouts.tax"), t("payouts.net"), t("money.paid_at")},
		Empty: t("money.no_payments")}
	for _, p := range ps {
		paid := "—"
		if !p.PaidAt.IsZero() {
			paid = q.when(sc, p.PaidAt)
		}
		tbl.Rows = append(tbl.Rows, []string{p.Period, t("batch." + string(p.Status)), q.money(sc, p.Gross), q.money(sc, p.Tax), q.money(sc, p.Net), paid})
	}
	return tbl
}

// memberRewardForms are the member page's forms the role may use: grant or
// deduct points, and keep payee details (shown masked).
func (s *Server) memberRewardForms(q *request, sc program.Scope, ref string) ([]components.Form, error) {
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/members/" + ref
	var out []components.Form
	if program.Can(sc.Role, program.PermPointsAdjust) {
		out = append(out, components.Form{Title: t("points.adjust"), Help: t("points.adjust_one_help"), Action: base + "/points", Test: "member-points",
			Submit: t("points.apply"), Fields: []components.Field{
				{Name: "amount", Label: t("points.amount"), Kind: "number", Help: t("points.amount_help")},
				{Name: "reason", Label: t("member.reason")}}})
	}
	if program.Can(sc.Role, program.PermPayoutsManage) {
		p, ok, err := s.Payouts.Payee(q.ctx, sc, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, q.payeeForm(base+"/payee", p, ok))
	}
	return out, nil
}

// payeeForm keeps payee details; what is kept shows masked, and is typed
// again whole to change it.
func (q *request) payeeForm(action string, p payout.Payee, ok bool) components.Form {
	t := func(k string) string { return components.T(q.ctx, k) }
	help := t("payee.none")
	if ok {
		help = t("payee.kept") + " " + p.LegalName + " · " + p.IDNumber + " · " + p.Bank + " " + p.Account
	}
	return components.Form{Title: t("payee.title"), Help: help, Action: action, Test: "payee-form", Submit: t("taskform.save"), Fields: []components.Field{
		{Name: "legal_name", Label: t("payee.legal_name")}, {Name: "id_number", Label: t("payee.id_number")},
		{Name: "bank", Label: t("payee.bank")}, {Name: "account", Label: t("payee.account")}}}
}

// payeeInput reads payee details from the form.
func payeeInput(q *request, sc program.Scope) payout.PayeeInput {
	f := q.form(sc.Program.Location())
	return payout.PayeeInput{LegalName: f.str("legal_name"), IDNumber: f.str("id_number"), Bank: f.str("bank"), Account: f.str("account")}
}

func (s *Server) setMemberPayee(q *request, sc program.Scope) error {
	ref := q.r.PathValue("member")
	_, err := s.Payouts.SetPayee(q.ctx, sc, ref, payeeInput(q, sc))
	return q.settle("payee-form", err, nil, "/p/"+sc.Program.Slug+"/members/"+ref+"?done=saved", func(r *refused) error {
		return s.renderMemberRefused(q, sc, components.MemberActions{}, r)
	})
}
