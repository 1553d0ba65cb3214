package web

import (
	"net/http"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/programfile"
	"kox/internal/web/components"
)

// The program's setup pages: ladders and the program file, the account
// matrix, the team and its roles, API keys, and the audit log. Each reads
// and changes through the program, ladder and member services.

// ladders shows each ladder with its tiers and their members.
func (s *Server) ladders(q *request, sc program.Scope) error {
	tiers, err := s.Dashboard.Tiers(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	counts := map[string]int64{}
	for _, l := range tiers {
		for _, t := range l.Tiers {
			counts[l.Key+"/"+t.Key] = t.Members
		}
	}
	ls, err := s.Ladders.Ladders(q.ctx, sc, "")
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	var sections []components.Section
	for _, l := range ls {
		tbl := components.Table{Head: []string{t("ladders.tier"), t("member.title"), t("ladders.resource"), t("ladders.exchange"),
			t("ladders.budget"), t("ladders.benefits"), t("dash.members")}}
		for _, tr := range l.Tiers {
			var benefits []string
			for _, b := range tr.Benefits {
				benefits = append(benefits, b.In(lang))
			}
			tbl.Rows = append(tbl.Rows, []string{tr.Name.In(lang), tr.Title.In(lang), t("resource." + string(tr.Resource)),
				t("exchange." + string(tr.ValueExchange)), t("budget." + string(tr.BudgetLayer)), strings.Join(benefits, "、"),
				i18n.Number(lang, counts[l.Key+"/"+tr.Key])})
		}
		title := l.Name.In(lang)
		if l.Role != "" {
			title += " · " + t("role."+l.Role)
		}
		sections = append(sections, components.Section{Title: title, Table: tbl})
	}
	edit := ""
	if program.Can(sc.Role, program.PermLaddersWrite) && program.Can(sc.Role, program.PermTasksWrite) {
		edit = "/p/" + sc.Program.Slug + "/program-file"
	}
	return q.render(http.StatusOK, components.LaddersPage(q.nav(), sections, "/p/"+sc.Program.Slug+"/program.yaml", edit, flash(q)))
}

// programFile is the program as its YAML file: shown, or downloaded.
func (s *Server) programFile(q *request, sc program.Scope) error {
	f, err := programfile.Export(q.ctx, s.Programs.DB, sc.Program.Slug)
	if err != nil {
		return q.problem(err)
	}
	b, err := programfile.Marshal(f)
	if err != nil {
		return err
	}
	h := q.w.Header()
	h.Set("Content-Type", "text/yaml; charset=utf-8")
	if q.r.URL.Query().Get("download") != "" {
		h.Set("Content-Disposition", `attachment; filename="`+sc.Program.Slug+`.yaml"`)
	}
	_, err = q.w.Write(b)
	return err
}

// matrix is the account matrix (1+X+N+N) by layer, for a platform.
func (s *Server) matrix(q *request, sc program.Scope) error {
	platform := q.r.URL.Query().Get("platform")
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	var sections []components.Section
	for _, layer := range member.Layers {
		es, _, err := s.Members.Matrix(q.ctx, sc, platform, layer, db.Window{Limit: 200})
		if err != nil {
			return q.problem(err)
		}
		tbl := components.Table{Head: []string{t("member.platform"), t("matrix.name"), t("member.handle"), t("member.followers")}, Empty: t("matrix.none")}
		for _, e := range es {
			tbl.Rows = append(tbl.Rows, []string{t("platform." + e.Platform), e.Name, e.Handle, i18n.Number(lang, e.Followers)})
			link := ""
			if e.MemberID != "" {
				link = "/p/" + sc.Program.Slug + "/members/" + e.MemberID
			}
			tbl.Links = append(tbl.Links, link)
		}
		sections = append(sections, components.Section{Title: t("layer." + string(layer)), Table: tbl})
	}
	opts := []components.Option{}
	for _, p := range member.Platforms {
		opts = append(opts, components.Option{Value: p, Label: t("platform." + p)})
	}
	filter := components.Table{Action: q.r.URL.Path, Filters: []components.Filter{{Name: "platform", Label: t("member.platform"), Value: platform, Options: opts}}}
	return q.render(http.StatusOK, components.MatrixPage(q.nav(), filter, sections))
}

// team lists the program's operators and their roles; a role that may
// manage them adds, changes and removes.
func (s *Server) team(q *request, sc program.Scope) error {
	return s.renderTeam(q, sc, components.TeamView{}, http.StatusOK)
}

func (s *Server) renderTeam(q *request, sc program.Scope, v components.TeamView, status int) error {
	ms, _, err := s.Programs.Team(q.ctx, sc, "", db.Window{Limit: 500})
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/team"
	v.Manage = program.Can(sc.Role, program.PermOperatorsManage)
	v.Action = base
	v.Flash = flash(q)
	for _, r := range program.Roles {
		v.Roles = append(v.Roles, components.Option{Value: string(r), Label: t("oprole." + string(r))})
	}
	for _, m := range ms {
		v.Members = append(v.Members, components.TeamMember{Name: m.Operator.Name, Email: m.Operator.Email, Role: string(m.Role),
			RoleLabel: t("oprole." + string(m.Role)), Since: q.when(sc, m.Since), Action: base + "/" + m.Operator.PublicID})
	}
	return q.render(status, components.TeamPage(q.nav(), v))
}

// teamAction runs one change to the team and shows the team again.
func (s *Server) teamAction(q *request, sc program.Scope, done string, act func() error) error {
	if err := act(); err != nil {
		fe, ok := fault.As(err)
		if !ok || fe.Kind == fault.NotFound {
			return q.problem(err)
		}
		return s.renderTeam(q, sc, components.TeamView{Error: q.refusal(err)}, statusOf(fe))
	}
	return q.redirect("/p/" + sc.Program.Slug + "/team?done=" + done)
}

func (s *Server) addTeammate(q *request, sc program.Scope) error {
	return s.teamAction(q, sc, "saved", func() error {
		_, err := s.Programs.AddToTeam(q.ctx, sc, program.NewOperator{Email: q.r.PostFormValue("email"), Name: q.r.PostFormValue("name"),
			Password: q.r.PostFormValue("password")}, program.Role(q.r.PostFormValue("role")))
		return err
	})
}

func (s *Server) changeTeammate(q *request, sc program.Scope) error {
	return s.teamAction(q, sc, "saved", func() error {
		if q.r.PostFormValue("remove") != "" {
			return s.Programs.RemoveFromTeam(q.ctx, sc, q.r.PathValue("operator"))
		}
		return s.Programs.SetRole(q.ctx, sc, q.r.PathValue("operator"), program.Role(q.r.PostFormValue("role")))
	})
}

// apiKeys lists the program's API keys; a new key's secret is shown once.
func (s *Server) apiKeys(q *request, sc program.Scope) error {
	return s.renderKeys(q, sc, components.KeysView{}, http.StatusOK)
}

func (s *Server) renderKeys(q *request, sc program.Scope, v components.KeysView, status int) error {
	ks, err := s.Programs.APIKeys(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/api-keys"
	v.Action = base
	for _, r := range program.Roles {
		v.Roles = append(v.Roles, components.Option{Value: string(r), Label: t("oprole." + string(r))})
	}
	for _, k := range ks {
		row := components.KeyRow{Name: k.Name, Prefix: k.Prefix + "…", Role: t("oprole." + string(k.Role)), Created: q.when(sc, k.CreatedAt)}
		if k.RevokedAt.IsZero() {
			row.Revoke = base + "/" + k.PublicID + "/revoke"
		} else {
			row.Revoked = q.when(sc, k.RevokedAt)
		}
		v.Keys = append(v.Keys, row)
	}
	return q.render(status, components.KeysPage(q.nav(), v))
}

func (s *Server) createKey(q *request, sc program.Scope) error {
	_, secret, err := s.Programs.CreateAPIKey(q.ctx, sc, q.r.PostFormValue("name"), program.Role(q.r.PostFormValue("role")))
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		return s.renderKeys(q, sc, components.KeysView{Error: q.refusal(err)}, statusOf(fe))
	}
	// The secret is shown on this answer only; it is kept hashed.
	q.w.Header().Set("Cache-Control", "no-store")
	return s.renderKeys(q, sc, components.KeysView{Secret: secret}, http.StatusCreated)
}

func (s *Server) revokeKey(q *request, sc program.Scope) error {
	if _, err := s.Programs.RevokeAPIKey(q.ctx, sc, q.r.PathValue("key")); err != nil {
		return q.problem(err)
	}
	return q.redirect("/p/" + sc.Program.Slug + "/api-keys?done=saved")
}

// auditLog is the program's audit log, newest first, with filters.
func (s *Server) auditLog(q *request, sc program.Scope) error {
	v := q.r.URL.Query()
	f := program.AuditFilter{Action: v.Get("action"), ObjectKind: v.Get("object_kind"), ObjectID: v.Get("object"), Limit: 50}
	day := func(name string, end bool) (time.Time, error) {
		s := v.Get(name)
		if s == "" {
			return time.Time{}, nil
		}
		d, err := time.ParseInLocation("2006-01-02", s, sc.Program.Location())
		if err != nil {
			return time.Time{}, fault.Field(name, "datetime", "must be a date and time")
		}
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	var err error
	if f.Since, err = day("since", false); err != nil {
		return q.problem(err)
	}
	if f.Until, err = day("until", true); err != nil {
		return q.problem(err)
	}
	if f.Before, err = cursorOf(q); err != nil {
		return q.problem(err)
	}
	es, next, err := s.Programs.AuditLog(q.ctx, sc, f)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	tbl := components.Table{Action: q.r.URL.Path, Empty: t("dash.no_changes"),
		Filters: []components.Filter{
			{Name: "action", Label: t("dash.action"), Value: f.Action},
			{Name: "object_kind", Label: t("audit.kind"), Value: f.ObjectKind},
			{Name: "object", Label: t("dash.object"), Value: f.ObjectID},
			{Name: "since", Label: t("audit.since"), Value: v.Get("since")},
			{Name: "until", Label: t("audit.until"), Value: v.Get("until")},
		},
		Head: []string{t("member.when"), t("dash.who"), t("dash.action"), t("dash.object"), t("audit.after")},
		Next: components.NextPage(q.r.URL.Path, v, cursor(next)),
	}
	for _, e := range es {
		after := string(e.After)
		if len([]rune(after)) > 160 {
			after = string([]rune(after)[:160]) + "…"
		}
		tbl.Rows = append(tbl.Rows, []string{q.when(sc, e.At), e.ActorName, e.Action, e.ObjectKind + " " + e.ObjectID, after})
	}
	return q.render(http.StatusOK, components.AuditPage(q.nav(), tbl))
}

// moveTier moves a member to a tier of a ladder with a reason.
func (s *Server) moveTier(q *request, sc program.Scope) error {
	ladderKey, tierKey, _ := strings.Cut(q.r.PostFormValue("tier"), "/")
	if _, err := s.Ladders.SetTier(q.ctx, sc, q.r.PathValue("member"), ladderKey, tierKey, q.r.PostFormValue("reason")); err != nil {
		fe, ok := fault.As(err)
		if !ok || fe.Kind == fault.NotFound {
			return q.problem(err)
		}
		return s.renderMember(q, sc, components.MemberActions{Error: q.refusal(err), Status: statusOf(fe)})
	}
	return q.redirect("/p/" + sc.Program.Slug + "/members/" + q.r.PathValue("member") + "?done=saved")
}

// editMember saves the member's own fields.
func (s *Server) editMember(q *request, sc program.Scope) error {
	if err := q.r.ParseForm(); err != nil {
		return q.problem(fault.New(fault.Invalid, "form.unreadable", "the form could not be read"))
	}
	v := q.r.PostForm
	str := func(k string) *string { x := v.Get(k); return &x }
	role, source, domain, status := member.Role(v.Get("role")), member.Source(v.Get("source")), member.Domain(v.Get("domain")), member.Status(v.Get("status"))
	tags := words(v.Get("tags"))
	p := member.Patch{Name: str("name"), Phone: str("phone"), Email: str("email"), Region: str("region"), City: str("city"),
		Role: &role, Source: &source, Domain: &domain, Status: &status, Tags: &tags}
	if _, err := s.Members.Update(q.ctx, sc, q.r.PathValue("member"), p); err != nil {
		fe, ok := fault.As(err)
		if !ok || fe.Kind == fault.NotFound {
			return q.problem(err)
		}
		return s.renderMember(q, sc, components.MemberActions{Error: q.refusal(err), Status: statusOf(fe)})
	}
	return q.redirect("/p/" + sc.Program.Slug + "/members/" + q.r.PathValue("member") + "?done=saved")
}
