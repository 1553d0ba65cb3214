package web

import (
	"net/http"
	"net/url"

	"kox/internal/access"
	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/web/components"
)

// enter lets the request into the program its path names, with what the
// page needs; another program's pages answer as pages that do not exist.
func (s *Server) enter(q *request, perm program.Permission) (program.Scope, bool, error) {
	if !q.signedIn || q.actor.Kind != program.ActorOperator {
		return program.Scope{}, false, q.redirect("/signin")
	}
	sc, err := s.Gate.Enter(q.ctx, q.r.PathValue("program"), access.Need{Permission: perm})
	if err != nil {
		if fe, ok := fault.As(err); ok && (fe.Kind == fault.NotFound || fe.Kind == fault.Forbidden) {
			return program.Scope{}, false, q.render(http.StatusNotFound, components.NotFound(q.nav()))
		}
		return program.Scope{}, false, err
	}
	q.sc = &sc
	return sc, true, nil
}

// members is the member table: search, filters and paging, all done by the
// member service in SQL.
func (s *Server) members(q *request, sc program.Scope) error {
	var err error
	v := q.r.URL.Query()
	f, err := memberFilter(q)
	if err != nil {
		return q.problem(err)
	}
	if f.Before, err = cursorOf(q); err != nil {
		return q.problem(err)
	}
	ms, next, err := s.Members.List(q.ctx, sc, f)
	if err != nil {
		return q.problem(err)
	}
	word := func(prefix, v string) string {
		if v == "" {
			return ""
		}
		return components.T(q.ctx, prefix+"."+v)
	}
	ls, err := s.Ladders.Ladders(q.ctx, sc, "")
	if err != nil {
		return q.problem(err)
	}
	var tiers []components.Option
	for _, l := range ls {
		for _, tr := range l.Tiers {
			tiers = append(tiers, components.Option{Value: l.Key + "/" + tr.Key, Label: l.Name.In(components.Lang(q.ctx)) + " · " + tr.Name.In(components.Lang(q.ctx))})
		}
	}
	t := components.Table{Action: q.r.URL.Path, Empty: components.T(q.ctx, "members.none"),
		Filters: []components.Filter{
			{Name: "q", Label: components.T(q.ctx, "members.search"), Value: f.Query},
			{Name: "tier", Label: components.T(q.ctx, "member.tier"), Value: v.Get("tier"), Options: tiers},
			{Name: "role", Label: components.T(q.ctx, "members.role"), Value: string(f.Role), Options: q.options("role", fault.Names(member.Roles))},
			{Name: "source", Label: components.T(q.ctx, "members.source"), Value: string(f.Source), Options: q.options("source", fault.Names(member.Sources))},
			{Name: "status", Label: components.T(q.ctx, "members.status"), Value: string(f.Status), Options: q.options("status", fault.Names(member.Statuses))},
			{Name: "domain", Label: components.T(q.ctx, "member.domain"), Value: string(f.Domain), Options: q.options("domain", fault.Names(member.Domains))},
			{Name: "region", Label: components.T(q.ctx, "members.region"), Value: f.Region},
			{Name: "city", Label: components.T(q.ctx, "members.city"), Value: f.City},
			{Name: "tag", Label: components.T(q.ctx, "member.tags"), Value: f.Tag},
			{Name: "sort", Label: components.T(q.ctx, "members.sort"), Value: string(f.Sort), Options: []components.Option{
				{Value: string(member.Oldest), Label: components.T(q.ctx, "members.sort_oldest")},
				{Value: string(member.ByName), Label: components.T(q.ctx, "members.sort_name")}}},
		},
		Head: []string{components.T(q.ctx, "members.name"), components.T(q.ctx, "members.role"), components.T(q.ctx, "members.source"),
			components.T(q.ctx, "members.city"), components.T(q.ctx, "members.status")},
		Next: components.NextPage(q.r.URL.Path, v, cursor(next)),
	}
	for _, m := range ms {
		t.Links = append(t.Links, "/p/"+sc.Program.Slug+"/members/"+m.PublicID)
		t.Rows = append(t.Rows, []string{m.Name, word("role", string(m.Role)), word("source", string(m.Source)), m.City,
			word("status", string(m.Status))})
	}
	base := "/p/" + sc.Program.Slug + "/members"
	acts := components.MemberListActions{Flash: flash(q), CSV: base + "/export?" + withFormat(v, "csv"), XLSX: base + "/export?" + withFormat(v, "xlsx")}
	if program.Can(sc.Role, program.PermMembersWrite) {
		acts.Import = base + "/import"
	}
	return q.render(http.StatusOK, components.Members(q.nav(), sc.Program.Name, t, acts))
}

// withFormat is the page's filters with the export's format.
func withFormat(v url.Values, format string) string {
	out := url.Values{}
	for k, x := range v {
		if k != "cursor" {
			out[k] = x
		}
	}
	out.Set("format", format)
	return out.Encode()
}
