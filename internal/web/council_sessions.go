package web

import (
	"strings"

	"kox/internal/council"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/web/components"
)

// councilSessions lists the council's closed-door sessions, the latest
// first, with how many answered yes; a role that may write members
// schedules one.
func (s *Server) councilSessions(q *request, sc program.Scope) error {
	return s.renderCouncilSessions(q, sc, council.CouncilSessionInput{Council: true}, nil)
}

func (s *Server) renderCouncilSessions(q *request, sc program.Scope, in council.CouncilSessionInput, r *refused) error {
	xs, err := s.Council.Sessions(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/council"
	v := components.RecordView{Pretitle: t("council.title"), Title: t("council.sessions"), Help: t("council.sessions_help"), Flash: flash(q),
		Buttons: []components.Button{{Label: t("council.title"), Href: base, Class: "btn-outline-primary"}}}
	v.List = components.Table{Head: []string{t("council.session_title"), t("events.when"), t("events.venue"), t("council.session_status"), t("council.answers")},
		Empty: t("council.no_sessions")}
	for _, x := range xs {
		v.List.Rows = append(v.List.Rows, []string{x.Title, q.when(sc, x.StartsAt), x.Place, t("sessionstatus." + x.Status), answersLine(q, x)})
		v.List.Links = append(v.List.Links, base+"/sessions/"+x.PublicID)
	}
	if program.Can(sc.Role, program.PermMembersWrite) {
		council := ""
		if in.Council {
			council = "1"
		}
		v.Forms = []components.Form{{Title: t("council.new_session"), Action: base + "/sessions", Test: "session-form", Submit: t("council.schedule"), Wide: true,
			Fields: []components.Field{{Name: "title", Label: t("council.session_title"), Value: in.Title},
				{Name: "starts_at", Label: t("events.when"), Kind: "datetime-local", Value: dayInput(in.StartsAt, sc.Program.Location())},
				{Name: "place", Label: t("events.venue"), Value: in.Place},
				{Name: "agenda", Label: t("council.agenda"), Kind: "textarea", Value: in.Agenda},
				{Name: "council", Label: t("council.invite_council"), Kind: "check", Value: council},
				{Name: "invite", Label: t("council.invite_others"), Kind: "textarea", Value: strings.Join(in.Invite, "\n"), Help: t("council.invite_help"), Rows: 3}}}}
	}
	status := r.apply(&v)
	return q.render(status, components.RecordPage(q.nav(), v))
}

// answersLine is a session's answers: yes of invited, and no.
func answersLine(q *request, x council.CouncilSession) string {
	yes, no := 0, 0
	for _, i := range x.Invitees {
		switch i.Answer {
		case "yes":
			yes++
		case "no":
			no++
		}
	}
	return components.T(q.ctx, "rsvp.yes") + " " + count(q, yes) + " / " + count(q, len(x.Invitees)) + " · " + components.T(q.ctx, "rsvp.no") + " " + count(q, no)
}

// count is n in the reader's numbers.
func count(q *request, n int) string { return i18n.Number(components.Lang(q.ctx), int64(n)) }

func (s *Server) createCouncilSession(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := council.CouncilSessionInput{Title: f.str("title"), Agenda: f.str("agenda"), Place: f.str("place"), StartsAt: f.when("starts_at"),
		Council: f.str("council") == "1", Invite: strings.Fields(f.str("invite"))}
	var x council.CouncilSession
	var err error
	if f.bad.Err() == nil {
		x, err = s.Council.CreateSession(q.ctx, sc, in)
	}
	return q.settle("session-form", err, f.bad, "/p/"+sc.Program.Slug+"/council/sessions/"+x.PublicID+"?done=saved", func(r *refused) error {
		return s.renderCouncilSessions(q, sc, in, r)
	})
}

// councilSession is one session: its agenda, invitees and their answers,
// the feedback recorded from it; for a role that may write members, the
// minutes (which hold it), an answer taken by phone, an item recorded
// from it, and calling it off.
func (s *Server) councilSession(q *request, sc program.Scope) error {
	return s.renderCouncilSession(q, sc, nil)
}

func (s *Server) renderCouncilSession(q *request, sc program.Scope, r *refused) error {
	x, err := s.Council.Session(q.ctx, sc, q.r.PathValue("session"))
	if err != nil {
		return q.problem(err)
	}
	items, err := s.Council.Items(q.ctx, sc, council.ItemFilter{Session: x.PublicID})
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	pbase := "/p/" + sc.Program.Slug
	base := pbase + "/council/sessions/" + x.PublicID
	v := components.RecordView{Pretitle: t("council.session"), Title: x.Title, Status: t("sessionstatus." + x.Status), Flash: flash(q), Help: x.Agenda,
		Facts: []components.Fact{{Label: t("events.when"), Value: q.when(sc, x.StartsAt)}, {Label: t("events.venue"), Value: orDash(x.Place)},
			{Label: t("council.answers"), Value: answersLine(q, x)}},
		Buttons: []components.Button{{Label: t("council.sessions"), Href: pbase + "/council/sessions", Class: "btn-outline-primary"}}}
	if x.Status == council.Held {
		v.Facts = append(v.Facts, components.Fact{Label: t("council.held_at"), Value: q.when(sc, x.HeldAt)}, components.Fact{Label: t("council.minutes"), Value: x.Minutes})
	}
	inv := components.Table{Head: []string{t("members.name"), t("council.answer"), t("council.answered_at")}, Empty: t("council.no_invitees")}
	var invitees []components.Option
	for _, i := range x.Invitees {
		inv.Rows = append(inv.Rows, []string{i.MemberName, t("rsvp." + i.Answer), q.when(sc, i.AnsweredAt)})
		inv.Links = append(inv.Links, pbase+"/members/"+i.Member)
		invitees = append(invitees, components.Option{Value: i.Member, Label: i.MemberName})
	}
	fb := components.Table{Head: []string{t("feedback.item_title"), t("feedback.status"), t("feedback.updated")}, Empty: t("feedback.none")}
	for _, it := range items {
		fb.Rows = append(fb.Rows, []string{it.Title, t("feedbackstatus." + it.Status), q.when(sc, it.UpdatedAt)})
		fb.Links = append(fb.Links, pbase+"/feedback/"+it.PublicID)
	}
	v.Sections = []components.Section{{Title: t("council.invitees"), Table: inv}, {Title: t("council.session_feedback"), Table: fb}}
	if program.Can(sc.Role, program.PermMembersWrite) {
		if x.Open() {
			v.Buttons = append(v.Buttons, components.Button{Label: t("council.cancel_session"), Action: base + "/cancel", Class: "btn-outline-danger", Test: "cancel-session"})
			v.Forms = append(v.Forms, components.Form{Title: t("council.record_answer"), Help: t("council.record_answer_help"), Action: base + "/answer", Test: "answer-form",
				Submit: t("council.save_answer"), Fields: []components.Field{{Name: "member", Label: t("members.name"), Kind: "select", Options: invitees},
					{Name: "answer", Label: t("council.answer"), Kind: "select", Options: q.options("rsvp", council.Answers)}}})
		}
		if x.Minutable() {
			submit := t("council.hold")
			if x.Status == council.Held {
				submit = t("council.update_minutes")
			}
			v.Forms = append(v.Forms, components.Form{Title: t("council.minutes"), Help: t("council.minutes_help"), Action: base + "/minutes", Test: "minutes-form",
				Submit: submit, Fields: []components.Field{{Name: "minutes", Label: t("council.minutes"), Kind: "textarea", Value: x.Minutes, Rows: 8}}})
			v.Forms = append(v.Forms, components.Form{Title: t("council.record_feedback"), Help: t("council.record_feedback_help"), Action: base + "/feedback",
				Test: "session-feedback-form", Submit: t("feedback.send"), Fields: []components.Field{{Name: "title", Label: t("feedback.item_title")},
					{Name: "body", Label: t("feedback.body"), Kind: "textarea"}}})
		}
	}
	status := r.apply(&v)
	return q.render(status, components.RecordPage(q.nav(), v))
}

func (s *Server) sessionAction(q *request, sc program.Scope, form string, act func(ref string) error) error {
	ref := q.r.PathValue("session")
	err := act(ref)
	return q.settle(form, err, nil, "/p/"+sc.Program.Slug+"/council/sessions/"+ref+"?done=saved", func(r *refused) error {
		return s.renderCouncilSession(q, sc, r)
	})
}

func (s *Server) holdCouncilSession(q *request, sc program.Scope) error {
	return s.sessionAction(q, sc, "minutes-form", func(ref string) error {
		_, err := s.Council.Hold(q.ctx, sc, ref, q.r.PostFormValue("minutes"))
		return err
	})
}

func (s *Server) answerCouncilSession(q *request, sc program.Scope) error {
	return s.sessionAction(q, sc, "answer-form", func(ref string) error {
		_, err := s.Council.RSVP(q.ctx, sc, ref, q.r.PostFormValue("member"), q.r.PostFormValue("answer"))
		return err
	})
}

func (s *Server) cancelCouncilSession(q *request, sc program.Scope) error {
	return s.sessionAction(q, sc, "", func(ref string) error {
		_, err := s.Council.CancelSession(q.ctx, sc, ref)
		return err
	})
}

func (s *Server) recordSessionFeedback(q *request, sc program.Scope) error {
	return s.sessionAction(q, sc, "session-feedback-form", func(ref string) error {
		_, err := s.Council.Raise(q.ctx, sc, council.FeedbackInput{Title: q.r.PostFormValue("title"), Body: q.r.PostFormValue("body"), Session: ref})
		return err
	})
}
