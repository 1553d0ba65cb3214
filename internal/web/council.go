package web

import (
	"kox/internal/council"
	"kox/internal/db"
	"kox/internal/i18n"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/web/components"
)

// The console's relationship rung (SPEC A4): the council's seats by term,
// its sessions, the feedback queue and the mentors.

// councilPage is the council: who sits today and for how long, those to
// come and past, with the figures of the rung; a role that may write
// members appoints and ends seats.
func (s *Server) councilPage(q *request, sc program.Scope) error {
	return s.renderCouncil(q, sc, council.CouncilSeatInput{}, nil)
}

func (s *Server) renderCouncil(q *request, sc program.Scope, in council.CouncilSeatInput, r *refused) error {
	seats, err := s.Council.Seats(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	fig, err := s.Council.Figures(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	base := "/p/" + sc.Program.Slug
	write := program.Can(sc.Role, program.PermMembersWrite)
	v := components.RecordView{Title: t("council.title"), Help: t("council.help"), Flash: flash(q),
		Buttons: []components.Button{{Label: t("council.sessions"), Href: base + "/council/sessions", Class: "btn-outline-primary", Test: "sessions-link"},
			{Label: t("nav.feedback"), Href: base + "/feedback", Class: "btn-outline-primary"},
			{Label: t("mentors.title"), Href: base + "/mentors", Class: "btn-outline-primary", Test: "mentors-link"}}}
	v.Stats = []components.Stat{{Label: t("council.sitting"), Value: i18n.Number(lang, int64(fig.Sitting)), Key: "sitting"},
		{Label: t("council.scheduled"), Value: i18n.Number(lang, int64(fig.Scheduled)), Link: base + "/council/sessions", Key: "scheduled"},
		{Label: t("feedbackstatus.new"), Value: i18n.Number(lang, int64(fig.New)), Link: base + "/feedback?status=new", Key: "new"}}
	v.List = components.Table{Head: []string{t("members.name"), t("council.role"), t("council.term"), t("council.seat_status"), ""}, Empty: t("council.no_seats")}
	for _, x := range seats {
		state := t("seatstate." + x.State)
		if x.State == "ended" {
			state += " " + x.EndedOn
		}
		v.List.Rows = append(v.List.Rows, []string{x.MemberName, t("seatrole." + x.Role), x.TermFrom + " – " + x.TermTo, state})
		v.List.Links = append(v.List.Links, base+"/members/"+x.Member)
		var acts []components.Button
		if write && x.Endable() {
			acts = append(acts, components.Button{Label: t("council.end_seat"), Action: base + "/council/seats/" + x.PublicID + "/end", Class: "btn-sm btn-outline-danger",
				Test: "end-" + x.PublicID})
		}
		v.List.Actions = append(v.List.Actions, acts)
	}
	if write {
		advisors, err := s.advisorOptions(q, sc, in.Member)
		if err != nil {
			return err
		}
		v.Forms = []components.Form{{Title: t("council.appoint"), Help: t("council.appoint_help"), Action: base + "/council/seats", Test: "appoint-form",
			Submit: t("council.appoint"), Fields: []components.Field{
				{Name: "member", Label: t("members.name"), Kind: "select", Options: advisors, Value: in.Member},
				{Name: "role", Label: t("council.role"), Kind: "select", Options: q.options("seatrole", []string{"member", "chair"}), Value: in.Role},
				{Name: "term_from", Label: t("council.term_from"), Kind: "date", Value: in.TermFrom},
				{Name: "term_to", Label: t("council.term_to"), Kind: "date", Value: in.TermTo}}}}
	}
	status := r.apply(&v)
	return q.render(status, components.RecordPage(q.nav(), v))
}

// advisorOptions are the members on the council's rung (up to 200), for
// a seat or a mentor; one already chosen stays a choice.
func (s *Server) advisorOptions(q *request, sc program.Scope, chosen string) ([]components.Option, error) {
	cond, err := ladder.OnTier(council.SeatLadder + "/" + council.SeatTier)
	if err != nil {
		return nil, err
	}
	ms, _, err := s.Members.List(q.ctx, sc, member.Filter{Where: []db.Cond{cond}, Status: member.Active, Limit: 200})
	if err != nil {
		return nil, err
	}
	out := []components.Option{{Value: "", Label: components.T(q.ctx, "council.pick")}}
	for _, m := range ms {
		label := m.Name
		if m.City != "" {
			label += " · " + m.City
		}
		out = append(out, components.Option{Value: m.PublicID, Label: label})
	}
	if chosen != "" && len(out) == 1 {
		out = append(out, components.Option{Value: chosen, Label: chosen})
	}
	return out, nil
}

func (s *Server) appointSeat(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := council.CouncilSeatInput{Member: f.str("member"), Role: f.str("role"), TermFrom: f.str("term_from"), TermTo: f.str("term_to")}
	_, err := s.Council.Appoint(q.ctx, sc, in)
	return q.settle("appoint-form", err, f.bad, "/p/"+sc.Program.Slug+"/council?done=saved", func(r *refused) error {
		return s.renderCouncil(q, sc, in, r)
	})
}

func (s *Server) endSeat(q *request, sc program.Scope) error {
	_, err := s.Council.EndSeat(q.ctx, sc, q.r.PathValue("councilseat"))
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/council?done=saved", func(r *refused) error {
		return s.renderCouncil(q, sc, council.CouncilSeatInput{}, r)
	})
}
