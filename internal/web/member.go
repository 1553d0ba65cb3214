package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kox/internal/db"
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
	return s.renderMember(q, sc, components.MemberActions{Code: code, Link: q.siteURL() + "/m/signin?code=" + url.QueryEscape(code),
		Expires: q.when(sc, expires)})
}

func (s *Server) renderMember(q *request, sc program.Scope, acts components.MemberActions) error {
	return s.renderMemberRefused(q, sc, acts, nil)
}

// renderMemberRefused is the member's page with a refusal of one of its
// forms shown on that form.
func (s *Server) renderMemberRefused(q *request, sc program.Scope, acts components.MemberActions, r *refused) error {
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
	held, err := s.Badges.Of(q.ctx, sc, m.PublicID)
	if err != nil {
		return q.problem(err)
	}
	for _, b := range held {
		badges = append(badges, "🏅 "+b.Name(lang))
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
	way, wayForms, err := s.memberPromotion(q, sc, m.PublicID)
	if err != nil {
		return q.problem(err)
	}
	sections = append(sections, way...)
	ident, identForms, err := s.memberIdentity(q, sc, m.PublicID)
	if err != nil {
		return q.problem(err)
	}
	sections = append(sections, ident...)
	wayForms = append(wayForms, identForms...)
	moves, err := s.Ladders.History(q.ctx, sc, m.PublicID, 50)
	if err != nil {
		return q.problem(err)
	}
	history := components.Table{Head: []string{t("member.when"), t("member.ladder"), t("member.from"), t("member.to"), t("member.reason"), t("dash.who")},
		Empty: t("member.no_moves")}
	for _, mv := range moves {
		history.Rows = append(history.Rows, []string{day(mv.At), mv.Ladder.In(lang), orDash(mv.From.In(lang)), mv.To.In(lang), mv.Reason, mv.Actor})
	}
	sections = append(sections, components.Section{Title: t("member.history"), Table: history})
	consents, _, err := s.Members.Consents(q.ctx, sc, m.PublicID, "", db.Window{Limit: 50})
	if err != nil {
		return q.problem(err)
	}
	ctab := components.Table{Head: []string{t("member.when"), t("member.consent"), t("member.granted"), t("member.consent_source")}, Empty: t("member.no_consents")}
	for _, c := range consents {
		granted := t("member.no")
		if c.Granted {
			granted = t("member.yes")
		}
		ctab.Rows = append(ctab.Rows, []string{day(c.At), c.Kind, granted, c.Source})
	}
	sections = append(sections, components.Section{Title: t("member.consents"), Table: ctab})
	notes, _, err := s.Members.Notes(q.ctx, sc, m.PublicID, db.Window{Limit: 50})
	if err != nil {
		return q.problem(err)
	}
	ntab := components.Table{Head: []string{t("member.when"), t("dash.who"), t("member.note")}, Empty: t("member.no_notes")}
	for _, n := range notes {
		ntab.Rows = append(ntab.Rows, []string{day(n.CreatedAt), n.Author, n.Body})
	}
	sections = append(sections, components.Section{Title: t("member.notes"), Table: ntab})
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
		subs, _, err := s.Tasks.Submissions(q.ctx, sc, task.SubmissionFilter{Member: m.PublicID, Limit: 20})
		if err != nil {
			return q.problem(err)
		}
		stab := components.Table{Head: []string{t("member.when"), t("member.task"), "#", t("members.status"), t("portal.feedback")}, Empty: t("member.no_submissions")}
		for _, x := range subs {
			fb := ""
			if x.Review != nil {
				fb = x.Review.Feedback
			}
			stab.Rows = append(stab.Rows, []string{day(x.CreatedAt), x.TaskTitle, fmt.Sprint(x.Version), word("submission", x.Status), fb})
		}
		sections = append(sections, components.Section{Title: t("member.submissions"), Table: stab})
	}
	rewards, err := s.memberRewards(q, sc, m.PublicID)
	if err != nil {
		return q.problem(err)
	}
	sections = append(sections, rewards...)
	if program.Can(sc.Role, program.PermAuditRead) {
		es, _, err := s.Programs.AuditLog(q.ctx, sc, program.AuditFilter{ObjectID: m.PublicID, Limit: 20})
		if err != nil {
			return q.problem(err)
		}
		atab := components.Table{Head: []string{t("member.when"), t("dash.who"), t("dash.action")}, Empty: t("dash.no_changes")}
		for _, e := range es {
			atab.Rows = append(atab.Rows, []string{day(e.At), e.ActorName, e.Action})
		}
		sections = append(sections, components.Section{Title: t("member.audit"), Table: atab})
	}
	base := "/p/" + sc.Program.Slug + "/members/" + m.PublicID
	acts.Card = base + "/card.png"
	acts.Flash = flash(q)
	if program.Can(sc.Role, program.PermMembersWrite) {
		acts.IssueCode = base + "/login-code"
		acts.Edit = base
		acts.Fields = []components.Field{
			{Name: "name", Label: t("members.name"), Value: m.Name},
			{Name: "phone", Label: t("member.phone"), Value: m.Phone},
			{Name: "email", Label: t("member.email"), Value: m.Email},
			{Name: "role", Label: t("members.role"), Kind: "select", Value: string(m.Role), Options: q.options("role", fault.Names(member.Roles))},
			{Name: "source", Label: t("members.source"), Kind: "select", Value: string(m.Source), Options: append([]components.Option{{Value: "", Label: "—"}}, q.options("source", fault.Names(member.Sources))...)},
			{Name: "domain", Label: t("member.domain"), Kind: "select", Value: string(m.Domain), Options: q.options("domain", fault.Names(member.Domains))},
			{Name: "status", Label: t("members.status"), Kind: "select", Value: string(m.Status), Options: q.options("status", fault.Names(member.Statuses))},
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
	if acts.Forms, err = s.memberRewardForms(q, sc, m.PublicID); err != nil {
		return q.problem(err)
	}
	acts.Forms = append(wayForms, acts.Forms...)
	status := http.StatusOK
	if acts.Status != 0 {
		status = acts.Status
	}
	if r != nil {
		v := components.RecordView{Forms: acts.Forms}
		status = r.apply(&v)
		acts.Forms, acts.Error = v.Forms, v.Error
	}
	return q.render(status, components.MemberPage(q.nav(), sc.Program.Name, m.Name, facts, badges, sections, acts))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
