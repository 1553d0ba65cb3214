package web

import (
	"strconv"
	"strings"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/ladder"
	"kox/internal/program"
	"kox/internal/promotion"
	"kox/internal/web/components"
)

// promotions is the queue of promotion candidates: each with the evidence
// of every criterion, ticked and approved or declined many at once; and an
// evaluation run now.
func (s *Server) promotions(q *request, sc program.Scope) error {
	return s.renderPromotions(q, sc, nil)
}

func (s *Server) renderPromotions(q *request, sc program.Scope, r *refused) error {
	v := q.r.URL.Query()
	f := promotion.Filter{Status: v.Get("status"), Limit: 100}
	var err error
	if f.Before, err = cursorOf(q); err != nil {
		return q.problem(err)
	}
	cs, next, err := s.Promotion.Candidates(q.ctx, sc, f)
	if err != nil {
		return q.problem(err)
	}
	ls, err := s.Ladders.Ladders(q.ctx, sc, "")
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/promotions"
	page := components.RecordView{Title: t("nav.promotions"), Help: t("promotions.help"), Flash: flash(q)}
	page.List = components.Table{Action: q.r.URL.Path, Filters: []components.Filter{{Name: "status", Label: t("tasks.status"), Value: f.Status,
		Options: q.options("candidate", []string{promotion.Approved, promotion.Declined, promotion.Promoted, promotion.Lapsed})}}}
	tbl := components.Table{Head: []string{t("members.name"), t("promotions.step"), t("promotions.evidence"), t("promotions.found")},
		Empty: t("promotions.none"), Next: components.NextPage(q.r.URL.Path, v, cursor(next))}
	bulk := &components.Bulk{Action: base + "/decide", Name: "candidate", Table: tbl}
	open := f.Status == "" || f.Status == promotion.Open
	for _, c := range cs {
		bulk.Table.Links = append(bulk.Table.Links, "/p/"+sc.Program.Slug+"/members/"+c.Member)
		bulk.Table.Rows = append(bulk.Table.Rows, []string{c.MemberName, tierName(q, ls, c.Ladder, c.From) + " → " + tierName(q, ls, c.Ladder, c.To),
			q.evidence(c.Evidence), q.when(sc, c.FoundAt)})
		key := ""
		if open {
			key = c.PublicID
		}
		bulk.Keys = append(bulk.Keys, key)
	}
	if open && program.Can(sc.Role, program.PermTiersAssign) {
		bulk.Note = components.Field{Name: "note", Label: t("promotions.note")}
		bulk.Buttons = []components.Button{
			{Label: t("promotions.approve"), Hidden: []components.Pair{{Name: "approve", Value: "1"}}, Class: "btn-success", Test: "approve-selected"},
			{Label: t("promotions.decline"), Hidden: []components.Pair{{Name: "approve", Value: "0"}}, Class: "btn-outline-danger", Test: "decline-selected"}}
		page.Buttons = []components.Button{{Label: t("promotions.evaluate"), Action: base + "/evaluate", Class: "btn-outline-primary", Test: "evaluate"}}
	} else {
		bulk.Keys = nil
	}
	page.Bulk = bulk
	ws, err := s.Promotion.Warnings(q.ctx, sc, promotion.Warned, "", 100)
	if err != nil {
		return q.problem(err)
	}
	wt := components.Table{Head: []string{t("members.name"), t("member.tier"), t("keep.reason"), t("keep.warned"), t("keep.grace_until")}, Empty: t("keep.none")}
	for _, x := range ws {
		wt.Links = append(wt.Links, "/p/"+sc.Program.Slug+"/members/"+x.Member)
		wt.Rows = append(wt.Rows, []string{x.MemberName, tierName(q, ls, x.Ladder, x.Tier), t("keep." + x.Reason), q.when(sc, x.WarnedAt), q.when(sc, x.GraceUntil)})
	}
	page.Sections = []components.Section{{Title: t("keep.title"), Table: wt}}
	if program.Can(sc.Role, program.PermTiersAssign) {
		page.Buttons = append(page.Buttons, components.Button{Label: t("keep.apply"), Action: base + "/keep", Class: "btn-outline-secondary", Test: "apply-keep"})
	}
	return q.render(r.apply(&page), components.RecordPage(q.nav(), page))
}

// tierName is a tier in the reader's language.
func tierName(q *request, ls []ladder.Ladder, ladderKey, tierKey string) string {
	for _, l := range ls {
		if l.Key == ladderKey {
			if t, ok := l.Tier(tierKey); ok {
				return t.Name.In(components.Lang(q.ctx))
			}
		}
	}
	return tierKey
}

// evidence says each criterion: what it asks, the member's figure, met or not.
func (q *request) evidence(es []promotion.Evidence) string {
	parts := make([]string, len(es))
	for i, e := range es {
		mark := "✗"
		if e.Met {
			mark = "✓"
		}
		parts[i] = mark + " " + q.criterion(e)
	}
	return strings.Join(parts, "；")
}

// criterion is one criterion and the member's figure against it, in words:
// "审核通过的任务 2 / 3".
func (q *request) criterion(e promotion.Evidence) string {
	lang := components.Lang(q.ctx)
	name := components.T(q.ctx, "rule."+e.Kind)
	num := func(f float64) string {
		if f == float64(int64(f)) {
			return i18n.Number(lang, int64(f))
		}
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	switch e.Kind {
	case ladder.NoStrikes:
		return name + " (" + strconv.Itoa(e.Days) + " " + components.T(q.ctx, "budget.days") + "): " + num(e.Value)
	case ladder.Nominated:
		return name + ": " + num(e.Value)
	case ladder.OnTimeRate:
		return name + " " + num(e.Value) + "% / " + num(e.Min) + "%"
	}
	return name + " " + num(e.Value) + " / " + num(e.Min)
}

func (s *Server) applyKeepRules(q *request, sc program.Scope) error {
	_, err := s.Promotion.Keep(q.ctx, sc)
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/promotions?done=kept", func(r *refused) error { return s.renderPromotions(q, sc, r) })
}

func (s *Server) evaluatePromotions(q *request, sc program.Scope) error {
	_, err := s.Promotion.Evaluate(q.ctx, sc)
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/promotions?done=evaluated", func(r *refused) error { return s.renderPromotions(q, sc, r) })
}

// decidePromotions approves or declines the ticked candidates; those that
// could not be decided are named, the rest are done.
func (s *Server) decidePromotions(q *request, sc program.Scope) error {
	_ = q.r.ParseForm()
	refs := q.r.PostForm["candidate"]
	approve := q.r.PostForm.Get("approve") == "1"
	ds, err := s.Promotion.Decide(q.ctx, sc, refs, approve, q.r.PostForm.Get("note"))
	if err == nil {
		var failed []string
		for _, d := range ds {
			if d.Error != nil {
				failed = append(failed, i18n.Error(components.Lang(q.ctx), d.Error))
			}
		}
		if len(failed) > 0 {
			err = fault.New(fault.Conflict, "promotion.some_failed", "{count} could not be decided: {why}",
				fault.P{"count": len(failed), "why": strings.Join(failed, "; ")})
		}
	}
	done := "declined"
	if approve {
		done = "promoted"
	}
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/promotions?done="+done, func(r *refused) error { return s.renderPromotions(q, sc, r) })
}
