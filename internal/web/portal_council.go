package web

import (
	"net/http"
	"strings"

	"kox/internal/council"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/web/components"
)

// The portal's voice (SPEC A4): my feedback items and what the brand
// answered, the council sessions I am invited to with my answer and their
// minutes, and my mentor's thread (or my newcomer's, with a nomination).

// feedbackTone is the colour of a feedback status.
func feedbackTone(status string) string {
	switch status {
	case council.Adopted:
		return "green"
	case council.Declined:
		return "red"
	case council.Considered:
		return "yellow"
	}
	return "blue"
}

// portalSettle ends a portal action as settle does, a missing object
// answering as the portal's 404.
func (q *request) portalSettle(sc program.Scope, form string, err error, bad fault.Fields, to string, show func(*refused) error) error {
	if fault.Is(err, fault.NotFound) {
		if fe, _ := fault.As(err); len(fe.Fields) == 0 {
			return q.portalProblem(sc, err)
		}
	}
	return q.settle(form, err, bad, to, show)
}

// applyPortal puts a refusal on the portal page's form it came from.
func applyPortal(r *refused, v *components.PortalView) int {
	rv := components.RecordView{Forms: v.Forms}
	status := r.apply(&rv)
	v.Forms = rv.Forms
	if rv.Error != "" {
		v.Error = rv.Error
	}
	return status
}

// memberFeedback is my feedback: what I raised and what came of it, and
// the form to raise another.
func (s *Server) memberFeedback(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return s.renderMemberFeedback(q, sc, council.FeedbackInput{}, nil)
}

func (s *Server) renderMemberFeedback(q *request, sc program.Scope, in council.FeedbackInput, r *refused) error {
	xs, err := s.Council.Items(q.ctx, sc, council.ItemFilter{})
	if err != nil {
		return q.portalProblem(sc, err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	g := components.PortalGroup{Title: t("feedback.mine"), Empty: t("feedback.none_mine"), Test: "feedback-items"}
	for _, x := range xs {
		g.Items = append(g.Items, s.feedbackItem(q, sc, x))
	}
	v := components.PortalView{Title: t("feedback.mine"), Flash: flash(q), Text: t("feedback.portal_help"), Groups: []components.PortalGroup{g},
		Forms: []components.Form{{Title: t("feedback.raise"), Action: "/m/feedback", Test: "raise-form", Submit: t("feedback.send"),
			Fields: []components.Field{{Name: "title", Label: t("feedback.item_title"), Value: in.Title},
				{Name: "body", Label: t("feedback.body"), Kind: "textarea", Value: in.Body, Help: t("feedback.body_help")}}}},
		Back: components.Button{Label: t("portal.home"), Href: "/m"}}
	status := applyPortal(r, &v)
	return q.render(status, components.PortalPage(q.portalNav(sc, "home"), v))
}

// feedbackItem is an item as its member's card: its status and the note.
func (s *Server) feedbackItem(q *request, sc program.Scope, x council.FeedbackItem) components.PortalItem {
	t := func(k string) string { return components.T(q.ctx, k) }
	line := q.when(sc, x.UpdatedAt)
	if x.SessionTitle != "" {
		line = x.SessionTitle + " · " + line
	}
	return components.PortalItem{Href: "/m/feedback/" + x.PublicID, Title: x.Title, Badge: t("feedbackstatus." + x.Status), Tone: feedbackTone(x.Status),
		Line: line, Note: x.Note, Test: "item-" + x.PublicID}
}

func (s *Server) memberRaiseFeedback(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	f := q.form(sc.Program.Location())
	in := council.FeedbackInput{Title: f.str("title"), Body: f.str("body")}
	x, err := s.Council.Raise(q.ctx, sc, in)
	return q.portalSettle(sc, "raise-form", err, f.bad, "/m/feedback/"+x.PublicID+"?done=raised", func(r *refused) error {
		return s.renderMemberFeedback(q, sc, in, r)
	})
}

// memberFeedbackItem is one of my items: what I wrote, its status and the
// brand's answer.
func (s *Server) memberFeedbackItem(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	x, err := s.Council.Item(q.ctx, sc, q.r.PathValue("feedback"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	v := components.PortalView{Title: x.Title, Status: t("feedbackstatus." + x.Status), Tone: feedbackTone(x.Status), Flash: flash(q), Text: x.Body, Note: x.Note,
		Facts: []components.Fact{{Label: t("feedback.raised"), Value: q.when(sc, x.CreatedAt)}, {Label: t("feedback.updated"), Value: q.when(sc, x.UpdatedAt)}},
		Back:  components.Button{Label: t("feedback.mine"), Href: "/m/feedback"}}
	if x.SessionTitle != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("council.session"), Value: x.SessionTitle})
	}
	if x.Note == "" {
		v.Note = t("feedback.waiting")
	}
	return q.render(http.StatusOK, components.PortalPage(q.portalNav(sc, "home"), v))
}

// memberCouncil is my voice in the brand: the sessions I am invited to
// (answer, minutes), the council sitting today, and my mentorships.
func (s *Server) memberCouncil(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return s.renderMemberCouncil(q, sc, "", http.StatusOK)
}

func (s *Server) renderMemberCouncil(q *request, sc program.Scope, errText string, status int) error {
	sessions, err := s.Council.Sessions(q.ctx, sc)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	seats, err := s.Council.Seats(q.ctx, sc)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	ms, err := s.Council.Mentorships(q.ctx, sc)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	v := components.PortalView{Title: t("council.title"), Flash: flash(q), Error: errText, Text: t("council.portal_help"),
		Back: components.Button{Label: t("portal.home"), Href: "/m"}}
	sg := components.PortalGroup{Title: t("council.my_sessions"), Empty: t("council.no_sessions"), Test: "sessions"}
	for _, x := range sessions {
		it := components.PortalItem{Title: x.Title, Badge: t("sessionstatus." + x.Status), Line: q.when(sc, x.StartsAt) + placeOf(x.Place),
			Text: x.Agenda, Test: "session-" + x.PublicID}
		if x.Status == council.Held {
			it.Tone, it.Note = "green", x.Minutes
		}
		if x.Open() {
			it.Line += " · " + t("council.my_answer") + ": " + t("rsvp."+x.Answer)
			for _, a := range council.Answers {
				cls := "btn-outline-primary btn-sm"
				if x.Answer == a {
					cls = "btn-primary btn-sm"
				}
				it.Buttons = append(it.Buttons, components.Button{Label: t("rsvp." + a), Action: "/m/council/sessions/" + x.PublicID + "/answer",
					Hidden: []components.Pair{{Name: "answer", Value: a}}, Class: cls, Test: "answer-" + a})
			}
		}
		sg.Items = append(sg.Items, it)
	}
	cg := components.PortalGroup{Title: t("council.sitting"), Empty: t("council.none_sitting"), Test: "seats"}
	for _, x := range seats {
		cg.Items = append(cg.Items, components.PortalItem{Title: x.MemberName, Badge: t("seatrole." + x.Role), Line: x.TermFrom + " – " + x.TermTo})
	}
	mg := components.PortalGroup{Title: t("mentors.mine"), Empty: t("mentors.none_mine"), Test: "mentorships"}
	for _, x := range ms {
		title := t("mentors.my_mentor") + ": " + x.MentorName
		if x.Mentor == sc.Actor.PublicID {
			title = t("mentors.my_newcomer") + ": " + x.MenteeName
		}
		mg.Items = append(mg.Items, components.PortalItem{Href: "/m/mentorships/" + x.PublicID, Title: title, Badge: t("mentorstatus." + x.Status),
			Line: q.when(sc, x.CreatedAt), Test: "mentorship-" + x.PublicID})
	}
	v.Groups = []components.PortalGroup{sg, cg, mg}
	return q.render(status, components.PortalPage(q.portalNav(sc, "home"), v))
}

func placeOf(place string) string {
	if place == "" {
		return ""
	}
	return " · " + place
}

func (s *Server) memberAnswerSession(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	_, err = s.Council.RSVP(q.ctx, sc, q.r.PathValue("session"), "", q.r.PostFormValue("answer"))
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		if fe.Kind == fault.NotFound {
			return q.portalProblem(sc, err)
		}
		return s.renderMemberCouncil(q, sc, q.refusal(err), statusOf(fe))
	}
	return q.redirect("/m/council?done=saved")
}

// memberMentorship is a mentor's thread with their newcomer: the notes,
// the newcomer's latest work to write about, and for the mentor the
// nomination.
func (s *Server) memberMentorship(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return s.renderMemberMentorship(q, sc, nil)
}

func (s *Server) renderMemberMentorship(q *request, sc program.Scope, r *refused) error {
	ref := q.r.PathValue("mentorship")
	x, work, err := s.Council.WithWork(q.ctx, sc, ref)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	mentor := x.Mentor == sc.Actor.PublicID
	v := components.PortalView{Title: x.MentorName + " → " + x.MenteeName, Status: t("mentorstatus." + x.Status), Flash: flash(q),
		Text: t("mentors.portal_help"), Back: components.Button{Label: t("council.title"), Href: "/m/council"}}
	titles := map[string]string{}
	wg := components.PortalGroup{Title: t("mentors.work"), Empty: t("mentors.no_work"), Test: "work"}
	for _, sub := range work {
		titles[sub.PublicID] = sub.TaskTitle
		wg.Items = append(wg.Items, components.PortalItem{Title: sub.TaskTitle, Badge: t("submission." + sub.Status), Line: q.when(sc, sub.CreatedAt),
			Text: sub.Text, Test: "work-" + sub.PublicID})
	}
	tg := components.PortalGroup{Title: t("mentors.thread"), Empty: t("mentors.no_notes"), Test: "thread"}
	for _, n := range x.Notes {
		line := n.AuthorName + " · " + q.when(sc, n.CreatedAt)
		if n.Submission != "" {
			line += " · " + t("mentors.on") + " " + or(titles[n.Submission], n.Submission)
		}
		tg.Items = append(tg.Items, components.PortalItem{Title: n.AuthorName, Line: line, Text: n.Body, Test: "note-" + n.PublicID})
	}
	v.Groups = []components.PortalGroup{tg, wg}
	base := "/m/mentorships/" + x.PublicID
	if x.Status == "active" {
		opts := []components.Option{{Value: "", Label: t("mentors.no_submission")}}
		for _, sub := range work {
			opts = append(opts, components.Option{Value: sub.PublicID, Label: sub.TaskTitle + " · " + q.when(sc, sub.CreatedAt)})
		}
		v.Forms = append(v.Forms, components.Form{Title: t("mentors.write"), Action: base + "/notes", Test: "note-form", Submit: t("feedback.send"),
			Fields: []components.Field{{Name: "body", Label: t("mentors.note"), Kind: "textarea"},
				{Name: "submission", Label: t("mentors.on_submission"), Kind: "select", Options: opts}}})
		if mentor {
			tiers, err := s.tierOptions(q, sc, "")
			if err != nil {
				return err
			}
			v.Forms = append(v.Forms, components.Form{Title: t("mentors.nominate"), Help: t("mentors.nominate_help"), Action: base + "/nominate", Test: "nominate-form",
				Submit: t("mentors.nominate"), Fields: []components.Field{{Name: "tier", Label: t("member.tier"), Kind: "select", Options: tiers},
					{Name: "reason", Label: t("mentors.reason"), Kind: "textarea"}}})
		}
	}
	status := applyPortal(r, &v)
	return q.render(status, components.PortalPage(q.portalNav(sc, "home"), v))
}

func or(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

func (s *Server) memberWriteNote(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	ref := q.r.PathValue("mentorship")
	f := q.form(sc.Program.Location())
	_, err = s.Council.Write(q.ctx, sc, ref, f.str("submission"), f.str("body"))
	return q.portalSettle(sc, "note-form", err, f.bad, "/m/mentorships/"+ref+"?done=saved", func(r *refused) error {
		return s.renderMemberMentorship(q, sc, r)
	})
}

func (s *Server) memberNominate(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	ref := q.r.PathValue("mentorship")
	f := q.form(sc.Program.Location())
	err = s.Council.NominateMentee(q.ctx, sc, ref, f.str("tier"), f.str("reason"))
	return q.portalSettle(sc, "nominate-form", err, f.bad, "/m/mentorships/"+ref+"?done=nominated", func(r *refused) error {
		return s.renderMemberMentorship(q, sc, r)
	})
}
