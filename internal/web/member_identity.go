package web

import (
	"kox/internal/community"
	"kox/internal/fault"
	"kox/internal/kit"
	"kox/internal/program"
	"kox/internal/web/components"
)

// memberIdentity is the member page's identity extras: their place in the
// private community (with the form that invites them or records where they
// stand), their welcome and promotion kits, and their places at events.
func (s *Server) memberIdentity(q *request, sc program.Scope, ref string) ([]components.Section, []components.Form, error) {
	t := func(k string) string { return components.T(q.ctx, k) }
	c, err := s.Community.Get(q.ctx, sc, ref)
	if err != nil {
		return nil, nil, err
	}
	ct := components.Table{Head: []string{t("community.status"), t("community.group"), t("community.invited_at"), t("community.answered_at")}}
	ct.Rows = [][]string{{t("community." + string(c.Status)), orDash(c.Group), q.when(sc, c.InvitedAt), q.when(sc, c.AnsweredAt)}}
	sections := []components.Section{{Title: t("community.title"), Table: ct}}
	if program.Can(sc.Role, program.PermRewardsRead) {
		is, _, err := s.Kits.Issues(q.ctx, sc, kit.IssuesFilter{Member: ref, Limit: 20})
		if err != nil {
			return nil, nil, err
		}
		kt := components.Table{Head: []string{t("kits.updated"), t("kits.item"), t("kits.occasion"), t("kits.status"), t("kits.shipment")}, Empty: t("kits.no_issues")}
		for _, x := range is {
			st, ship, link := kitIssueWords(q, sc, x)
			kt.Rows = append(kt.Rows, []string{q.when(sc, x.UpdatedAt), x.ItemTitle, t("kit." + string(x.Occasion)), st, ship})
			kt.Links = append(kt.Links, link)
		}
		sections = append(sections, components.Section{Title: t("kits.title"), Table: kt})
	}
	if program.Can(sc.Role, program.PermTasksRead) {
		xs, err := s.Events.Of(q.ctx, sc, ref)
		if err != nil {
			return nil, nil, err
		}
		et := components.Table{Head: []string{t("events.name"), t("events.status"), t("events.checked_in")}, Empty: t("events.no_seats")}
		for _, x := range xs {
			et.Rows = append(et.Rows, []string{x.EventTitle, t("seat." + x.Status), q.when(sc, x.CheckedInAt)})
			et.Links = append(et.Links, "/p/"+sc.Program.Slug+"/events/"+x.Event)
		}
		sections = append(sections, components.Section{Title: t("events.title"), Table: et})
	}
	var forms []components.Form
	if program.Can(sc.Role, program.PermMembersWrite) {
		forms = append(forms, components.Form{Title: t("community.title"), Help: t("community.help"), Action: "/p/" + sc.Program.Slug + "/members/" + ref + "/community",
			Test: "community-form", Submit: t("community.save"), Fields: []components.Field{
				{Name: "status", Label: t("community.status"), Kind: "select", Value: string(c.Status), Options: q.options("community", fault.Names(community.Statuses))},
				{Name: "group", Label: t("community.group"), Value: c.Group, Help: t("community.group_help")}}})
	}
	return sections, forms, nil
}

func (s *Server) setMemberCommunity(q *request, sc program.Scope) error {
	ref := q.r.PathValue("member")
	_, err := s.Community.Set(q.ctx, sc, ref, community.CommunityInput{Status: community.Status(q.r.PostFormValue("status")), Group: q.r.PostFormValue("group")})
	return q.settle("community-form", err, nil, "/p/"+sc.Program.Slug+"/members/"+ref+"?done=saved", func(r *refused) error {
		return s.renderMemberRefused(q, sc, components.MemberActions{}, r)
	})
}
