package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
	"kox/internal/web/components"
)

// memberPage is one member's page: the record, social accounts, where they
// stand on each ladder, their points and their claims — each part only for
// a role that may read it.
func (s *Server) memberPage(q *request, sc program.Scope) error {
	return s.renderMember(q, sc, components.MemberActions{})
}

// issueLoginCode makes a one-time sign-in code for the member and shows it
// with the sign-in link to send them (in WeCom, say).
func (s *Server) issueLoginCode(q *request, sc program.Scope) error {
	code, expires, err := s.Members.IssueLoginCode(q.ctx, sc, q.r.PathValue("member"))
	if err != nil {
		return q.problem(err)
	}
	scheme := "http"
	if q.secure() {
		scheme = "https"
	}
	return s.renderMember(q, sc, components.MemberActions{Code: code, Link: scheme + "://" + q.r.Host + "/m/signin?code=" + code,
		Expires: q.when(sc, expires)})
}

func (s *Server) renderMember(q *request, sc program.Scope, acts components.MemberActions) error {
	m, err := s.Members.Get(q.ctx, sc, q.r.PathValue("member"))
	if err != nil {
		if fe, ok := fault.As(err); ok && fe.Kind == fault.NotFound {
			return q.render(http.StatusNotFound, components.NotFound(q.nav()))
		}
		return q.problem(err)
	}
	t := func(key string) string { return components.T(q.ctx, key) }
	word := func(prefix, v string) string {
		if v == "" {
			return "—"
		}
		return t(prefix + "." + v)
	}
	lang := components.Lang(q.ctx)
	loc := sc.Program.Location()
	day := func(at time.Time) string { return at.In(loc).Format("2006-01-02 15:04") }
	facts := []components.Fact{
		{Label: t("members.role"), Value: word("role", string(m.Role))},
		{Label: t("members.source"), Value: word("source", string(m.Source))},
		{Label: t("member.domain"), Value: word("domain", string(m.Domain))},
		{Label: t("members.status"), Value: word("status", string(m.Status))},
		{Label: t("member.place"), Value: strings.Trim(m.Region+" "+m.City, " ")},
		{Label: t("member.tags"), Value: strings.Join(m.Tags, "、")},
		{Label: t("member.since"), Value: day(m.CreatedAt)},
	}
	var badges []string
	if m.DisclosureRequired() {
		badges = append(badges, t("member.disclosure"))
	}
	social := components.Table{Head: []string{t("member.platform"), t("member.handle"), t("member.followers")}, Empty: t("member.no_social")}
	for _, a := range m.Social {
		social.Rows = append(social.Rows, []string{word("platform", a.Platform), a.Handle, fmt.Sprint(a.Followers)})
	}
	sections := []components.Section{{Title: t("member.social"), Table: social}}
	standings, err := s.Ladders.Standings(q.ctx, sc, m.PublicID)
	if err != nil {
		return q.problem(err)
	}
	tiers := components.Table{Head: []string{t("member.ladder"), t("member.tier"), t("member.title"), t("member.since")}, Empty: t("member.no_tier")}
	for _, st := range standings {
		tiers.Rows = append(tiers.Rows, []string{st.LadderName.In(lang), st.Name.In(lang), st.Title.In(lang), day(st.Since)})
	}
	sections = append(sections, components.Section{Title: t("member.tiers"), Table: tiers})
	if program.Can(sc.Role, program.PermLedgerRead) {
		st, _, err := s.Points.Statement(q.ctx, sc, m.PublicID, 0, 20)
		if err != nil {
			return q.problem(err)
		}
		pts := components.Table{Head: []string{t("member.when"), t("member.points"), t("member.what")}, Empty: t("member.no_points")}
		for _, mv := range st.History {
			pts.Rows = append(pts.Rows, []string{day(mv.At), fmt.Sprintf("%+d", mv.Amount), word("points", mv.Code)})
		}
		sections = append(sections, components.Section{Title: fmt.Sprintf("%s · %d", t("member.points"), st.Balance), Table: pts})
	}
	if program.Can(sc.Role, program.PermTasksRead) {
		cs, _, err := s.Tasks.Claims(q.ctx, sc, task.ClaimFilter{Member: m.PublicID, Limit: 20})
		if err != nil {
			return q.problem(err)
		}
		claims := components.Table{Head: []string{t("member.task"), t("members.status"), t("member.points")}, Empty: t("member.no_claims")}
		for _, c := range cs {
			claims.Rows = append(claims.Rows, []string{c.TaskTitle, word("claim", string(c.Status)), fmt.Sprint(c.PointsPaid)})
		}
		sections = append(sections, components.Section{Title: t("member.claims"), Table: claims})
	}
	base := "/p/" + sc.Program.Slug + "/members/" + m.PublicID
	acts.Card = base + "/card.png"
	acts.Flash = flash(q)
	if program.Can(sc.Role, program.PermMembersWrite) {
		acts.IssueCode = base + "/login-code"
		acts.Edit = base
		opts := func(prefix string, values []string, blank bool) []components.Option {
			var out []components.Option
			if blank {
				out = append(out, components.Option{Value: "", Label: "—"})
			}
			for _, x := range values {
				out = append(out, components.Option{Value: x, Label: t(prefix + "." + x)})
			}
			return out
		}
		acts.Fields = []components.Field{
			{Name: "name", Label: t("members.name"), Value: m.Name},
			{Name: "phone", Label: t("member.phone"), Value: m.Phone},
			{Name: "email", Label: t("member.email"), Value: m.Email},
			{Name: "role", Label: t("members.role"), Kind: "select", Value: string(m.Role), Options: opts("role", fault.Names(member.Roles), false)},
			{Name: "source", Label: t("members.source"), Kind: "select", Value: string(m.Source), Options: opts("source", fault.Names(member.Sources), true)},
			{Name: "domain", Label: t("member.domain"), Kind: "select", Value: string(m.Domain), Options: opts("domain", fault.Names(member.Domains), false)},
			{Name: "status", Label: t("members.status"), Kind: "select", Value: string(m.Status), Options: opts("status", fault.Names(member.Statuses), false)},
			{Name: "region", Label: t("members.region"), Value: m.Region},
			{Name: "city", Label: t("members.city"), Value: m.City},
			{Name: "tags", Label: t("member.tags"), Value: strings.Join(m.Tags, " "), Help: t("taskform.spaces")},
		}
	}
	if program.Can(sc.Role, program.PermTiersAssign) {
		acts.MoveTier = base + "/tier"
		ls, err := s.Ladders.Ladders(q.ctx, sc, m.Role)
		if err != nil {
			return q.problem(err)
		}
		for _, l := range ls {
			for _, tr := range l.Tiers {
				acts.Tiers = append(acts.Tiers, components.Option{Value: l.Key + "/" + tr.Key, Label: l.Name.In(lang) + " · " + tr.Name.In(lang)})
			}
		}
	}
	return q.render(http.StatusOK, components.MemberPage(q.nav(), sc.Program.Name, m.Name, facts, badges, sections, acts))
}
