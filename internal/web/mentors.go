package web

import (
	"kox/internal/program"
	"kox/internal/web/components"
)

// mentors lists mentors and the newcomers they coach, active first; a
// role that may write members pairs one.
func (s *Server) mentors(q *request, sc program.Scope) error {
	return s.renderMentors(q, sc, "", "", nil)
}

func (s *Server) renderMentors(q *request, sc program.Scope, mentor, mentee string, r *refused) error {
	xs, err := s.Council.Mentorships(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug
	v := components.RecordView{Pretitle: t("council.title"), Title: t("mentors.title"), Help: t("mentors.help"), Flash: flash(q),
		Buttons: []components.Button{{Label: t("council.title"), Href: base + "/council", Class: "btn-outline-primary"}}}
	v.List = components.Table{Head: []string{t("mentors.mentor"), t("mentors.newcomer"), t("mentors.status"), t("mentors.since")}, Empty: t("mentors.none")}
	for _, x := range xs {
		v.List.Rows = append(v.List.Rows, []string{x.MentorName, x.MenteeName, t("mentorstatus." + x.Status), q.when(sc, x.CreatedAt)})
		v.List.Links = append(v.List.Links, base+"/mentors/"+x.PublicID)
	}
	if program.Can(sc.Role, program.PermMembersWrite) {
		advisors, err := s.advisorOptions(q, sc, mentor)
		if err != nil {
			return err
		}
		v.Forms = []components.Form{{Title: t("mentors.pair"), Help: t("mentors.pair_help"), Action: base + "/mentors", Test: "pair-form", Submit: t("mentors.pair"),
			Fields: []components.Field{{Name: "mentor", Label: t("mentors.mentor"), Kind: "select", Options: advisors, Value: mentor},
				{Name: "mentee", Label: t("mentors.newcomer"), Value: mentee, Help: t("mentors.newcomer_help")}}}}
	}
	status := r.apply(&v)
	return q.render(status, components.RecordPage(q.nav(), v))
}

func (s *Server) pairMentor(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	mentor, mentee := f.str("mentor"), f.str("mentee")
	x, err := s.Council.Pair(q.ctx, sc, mentor, mentee)
	return q.settle("pair-form", err, f.bad, "/p/"+sc.Program.Slug+"/mentors/"+x.PublicID+"?done=saved", func(r *refused) error {
		return s.renderMentors(q, sc, mentor, mentee, r)
	})
}

// mentorshipPage is a pairing with its thread, read by operators (the
// mentor and the newcomer write it in the portal).
func (s *Server) mentorshipPage(q *request, sc program.Scope) error {
	x, err := s.Council.Mentorship(q.ctx, sc, q.r.PathValue("mentorship"))
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug
	v := components.RecordView{Pretitle: t("mentors.title"), Title: x.MentorName + " → " + x.MenteeName, Status: t("mentorstatus." + x.Status), Flash: flash(q),
		Help: t("mentors.thread_help"), Facts: []components.Fact{{Label: t("mentors.since"), Value: q.when(sc, x.CreatedAt)}},
		Buttons: []components.Button{{Label: t("mentors.title"), Href: base + "/mentors", Class: "btn-outline-primary"},
			{Label: x.MentorName, Href: base + "/members/" + x.Mentor, Class: "btn-outline-secondary"},
			{Label: x.MenteeName, Href: base + "/members/" + x.Mentee, Class: "btn-outline-secondary"}}}
	thread := components.Table{Head: []string{t("mentors.author"), t("mentors.when"), t("mentors.on_submission"), t("mentors.note")}, Empty: t("mentors.no_notes")}
	for _, n := range x.Notes {
		thread.Rows = append(thread.Rows, []string{n.AuthorName, q.when(sc, n.CreatedAt), orDash(n.Submission), n.Body})
		thread.Links = append(thread.Links, "")
	}
	v.Sections = []components.Section{{Title: t("mentors.thread"), Table: thread}}
	if program.Can(sc.Role, program.PermMembersWrite) && x.Status == "active" {
		v.Buttons = append(v.Buttons, components.Button{Label: t("mentors.end"), Action: base + "/mentors/" + x.PublicID + "/end", Class: "btn-outline-danger", Test: "end-mentorship"})
	}
	return q.render(200, components.RecordPage(q.nav(), v))
}

func (s *Server) endMentorship(q *request, sc program.Scope) error {
	ref := q.r.PathValue("mentorship")
	_, err := s.Council.EndMentorship(q.ctx, sc, ref)
	if err != nil {
		return q.problem(err)
	}
	return q.redirect("/p/" + sc.Program.Slug + "/mentors/" + ref + "?done=saved")
}
