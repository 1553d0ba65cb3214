package web

import (
	"strconv"

	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/web/components"
)

// Points by hand: grants and deductions with a reason, for one member or
// many at once (all or none, each audited), and how long points last.

func (s *Server) pointsPage(q *request, sc program.Scope) error {
	return s.renderPoints(q, sc, points.Adjustment{}, nil)
}

func (s *Server) renderPoints(q *request, sc program.Scope, a points.Adjustment, r *refused) error {
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/points"
	months, err := s.Points.ExpiryMonths(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	amount := ""
	if a.Amount != 0 {
		amount = strconv.FormatInt(a.Amount, 10)
	}
	v := components.RecordView{Title: t("nav.points"), Flash: flash(q), Facts: []components.Fact{{Label: t("points.expiry"), Value: expiryText(q, months)}}}
	v.Forms = []components.Form{{Title: t("points.adjust"), Help: t("points.adjust_help"), Action: base + "/adjust", Test: "adjust-form", Submit: t("points.apply"),
		Fields: []components.Field{
			{Name: "members", Label: t("points.members"), Kind: "textarea", Rows: 4, Value: joinLines(a.Members), Help: t("points.members_help")},
			{Name: "amount", Label: t("points.amount"), Kind: "number", Value: amount, Help: t("points.amount_help")},
			{Name: "reason", Label: t("member.reason"), Value: a.Reason}}}}
	if program.Can(sc.Role, program.PermProgramUpdate) {
		v.Forms = append(v.Forms, components.Form{Title: t("points.expiry"), Help: t("points.expiry_help"), Action: base + "/expiry", Test: "expiry-form",
			Submit: t("taskform.save"), Fields: []components.Field{{Name: "months", Label: t("points.months"), Kind: "number", Value: strconv.Itoa(months)}}})
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func expiryText(q *request, months int) string {
	if months == 0 {
		return components.T(q.ctx, "points.never")
	}
	return strconv.Itoa(months) + " " + components.T(q.ctx, "unit.months")
}

func joinLines(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += "\n"
		}
		out += x
	}
	return out
}

// adjustment reads a grant or deduction from the form.
func adjustment(q *request, sc program.Scope, members []string) (points.Adjustment, *formReader) {
	f := q.form(sc.Program.Location())
	if members == nil {
		members = words(f.v.Get("members"))
	}
	return points.Adjustment{Members: members, Amount: f.int("amount"), Reason: f.str("reason")}, f
}

func (s *Server) adjustPoints(q *request, sc program.Scope) error {
	a, f := adjustment(q, sc, nil)
	var err error
	if f.bad.Err() == nil {
		_, err = s.Points.Adjust(q.ctx, sc, a)
	}
	return q.settle("adjust-form", err, f.bad, "/p/"+sc.Program.Slug+"/points?done=adjusted", func(r *refused) error {
		return s.renderPoints(q, sc, a, r)
	})
}

func (s *Server) setPointsExpiry(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	months := f.int("months")
	var err error
	if f.bad.Err() == nil {
		_, err = s.Points.SetExpiryMonths(q.ctx, sc, int(months))
	}
	return q.settle("expiry-form", err, f.bad, "/p/"+sc.Program.Slug+"/points?done=saved", func(r *refused) error {
		return s.renderPoints(q, sc, points.Adjustment{}, r)
	})
}

// adjustMemberPoints grants or deducts one member's points from their page.
func (s *Server) adjustMemberPoints(q *request, sc program.Scope) error {
	ref := q.r.PathValue("member")
	a, f := adjustment(q, sc, []string{ref})
	var err error
	if f.bad.Err() == nil {
		_, err = s.Points.Adjust(q.ctx, sc, a)
	}
	return q.settle("member-points", err, f.bad, "/p/"+sc.Program.Slug+"/members/"+ref+"?done=adjusted", func(r *refused) error {
		return s.renderMemberRefused(q, sc, components.MemberActions{}, r)
	})
}
