package web

import (
	"kox/internal/program"
	"kox/internal/web/components"
)

// memberPromotion is the member page's way up: what the next tier asks on
// each ladder and where the member is, their strikes and nominations, and
// the forms to record them.
func (s *Server) memberPromotion(q *request, sc program.Scope, ref string) ([]components.Section, []components.Form, error) {
	t := func(k string) string { return components.T(q.ctx, k) }
	ps, err := s.Promotion.Progress(q.ctx, sc, ref)
	if err != nil {
		return nil, nil, err
	}
	ls, err := s.Ladders.Ladders(q.ctx, sc, "")
	if err != nil {
		return nil, nil, err
	}
	prog := components.Table{Head: []string{t("promotions.step"), t("promotions.criterion"), t("promotions.met")}, Empty: t("promotions.no_rule")}
	for _, p := range ps {
		for _, e := range p.Criteria {
			met := t("member.no")
			if e.Met {
				met = t("member.yes")
			}
			prog.Rows = append(prog.Rows, []string{tierName(q, ls, p.Ladder, p.From) + " → " + tierName(q, ls, p.Ladder, p.To), q.criterion(e), met})
		}
	}
	marks, err := s.Promotion.Marks(q.ctx, sc, ref)
	if err != nil {
		return nil, nil, err
	}
	mt := components.Table{Head: []string{t("member.when"), t("promotions.mark"), t("member.reason"), t("dash.who")}, Empty: t("promotions.no_marks")}
	for _, m := range marks {
		what := t("mark." + m.Kind)
		if m.Tier != "" {
			what += " · " + m.Tier
		}
		mt.Rows = append(mt.Rows, []string{q.when(sc, m.At), what, m.Reason, m.Actor})
	}
	sections := []components.Section{{Title: t("promotions.progress"), Table: prog}, {Title: t("promotions.marks"), Table: mt}}
	base := "/p/" + sc.Program.Slug + "/members/" + ref
	var forms []components.Form
	if program.Can(sc.Role, program.PermTiersAssign) {
		tiers, err := s.tierOptions(q, sc, "")
		if err != nil {
			return nil, nil, err
		}
		forms = append(forms, components.Form{Title: t("promotions.nominate"), Help: t("promotions.nominate_help"), Action: base + "/nominations",
			Test: "nominate-form", Submit: t("promotions.nominate"), Fields: []components.Field{
				{Name: "tier", Label: t("member.tier"), Kind: "select", Options: tiers}, {Name: "reason", Label: t("member.reason")}}})
	}
	if program.Can(sc.Role, program.PermMembersWrite) {
		forms = append(forms, components.Form{Title: t("promotions.strike"), Help: t("promotions.strike_help"), Action: base + "/strikes",
			Test: "strike-form", Submit: t("promotions.strike"), Danger: true, Fields: []components.Field{{Name: "reason", Label: t("member.reason")}}})
	}
	return sections, forms, nil
}

func (s *Server) strikeMember(q *request, sc program.Scope) error {
	ref := q.r.PathValue("member")
	_, err := s.Promotion.Strike(q.ctx, sc, ref, q.r.PostFormValue("reason"))
	return q.settle("strike-form", err, nil, "/p/"+sc.Program.Slug+"/members/"+ref+"?done=saved", func(r *refused) error {
		return s.renderMemberRefused(q, sc, components.MemberActions{}, r)
	})
}

func (s *Server) nominateMember(q *request, sc program.Scope) error {
	ref := q.r.PathValue("member")
	_, err := s.Promotion.Nominate(q.ctx, sc, ref, q.r.PostFormValue("tier"), q.r.PostFormValue("reason"))
	return q.settle("nominate-form", err, nil, "/p/"+sc.Program.Slug+"/members/"+ref+"?done=saved", func(r *refused) error {
		return s.renderMemberRefused(q, sc, components.MemberActions{}, r)
	})
}
