package web

import (
	"strconv"

	"kox/internal/badge"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/web/components"
)

// badges lists the program's badges with how many hold each; a role that
// may write rewards defines new ones (members who already qualify get them
// at once).
func (s *Server) badges(q *request, sc program.Scope) error {
	return s.renderBadges(q, sc, badge.BadgeInput{Criterion: badge.ApprovedTasks}, nil)
}

func (s *Server) renderBadges(q *request, sc program.Scope, in badge.BadgeInput, r *refused) error {
	bs, err := s.Badges.List(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	v := components.RecordView{Title: t("nav.badges"), Flash: flash(q), Help: t("badges.help")}
	tbl := components.Table{Head: []string{t("badges.name"), t("badges.criterion"), t("badges.threshold"), t("badges.holders")}, Empty: t("badges.none")}
	for _, b := range bs {
		tbl.Rows = append(tbl.Rows, []string{b.Name(lang), criterionText(q, b.Criterion, b.Threshold), i18n.Number(lang, b.Threshold), i18n.Number(lang, b.Holders)})
	}
	v.Sections = []components.Section{{Title: t("nav.badges"), Table: tbl}}
	if program.Can(sc.Role, program.PermRewardsWrite) {
		threshold := ""
		if in.Threshold > 0 {
			threshold = strconv.FormatInt(in.Threshold, 10)
		}
		v.Forms = []components.Form{{Title: t("badges.new"), Action: "/p/" + sc.Program.Slug + "/badges", Test: "badge-form", Submit: t("badges.create"),
			Fields: []components.Field{
				{Name: "code", Label: t("budget.code"), Value: in.Code, Help: t("budget.code_help")},
				{Name: "criterion", Label: t("badges.criterion"), Kind: "select", Value: string(in.Criterion), Options: q.options("criterion", fault.Names(badge.Criteria))},
				{Name: "name_zh", Label: t("badges.name_zh"), Value: in.NameZh},
				{Name: "name_en", Label: t("badges.name_en"), Value: in.NameEn},
				{Name: "threshold", Label: t("badges.threshold"), Kind: "number", Value: threshold, Help: t("badges.threshold_help")}}}}
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func (s *Server) createBadge(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := badge.BadgeInput{Code: f.str("code"), NameZh: f.str("name_zh"), NameEn: f.str("name_en"), Criterion: badge.Criterion(f.str("criterion")),
		Threshold: f.int("threshold")}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Badges.Create(q.ctx, sc, in)
	}
	return q.settle("badge-form", err, f.bad, "/p/"+sc.Program.Slug+"/badges?done=saved", func(r *refused) error {
		return s.renderBadges(q, sc, in, r)
	})
}

// criterionText says what a badge asks in words.
func criterionText(q *request, c badge.Criterion, threshold int64) string {
	text := components.T(q.ctx, "criterion."+string(c))
	if c == badge.ApprovedTasks || c == badge.PointsEarned {
		text += " ≥ " + i18n.Number(components.Lang(q.ctx), threshold)
	}
	return text
}
