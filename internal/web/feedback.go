package web

import (
	"kox/internal/council"
	"kox/internal/program"
	"kox/internal/web/components"
)

// feedbackQueue is the feedback members raised and sessions recorded, the
// latest moved first, filtered by status (new ones by default: the queue
// an operator works).
func (s *Server) feedbackQueue(q *request, sc program.Scope) error {
	status := q.r.URL.Query().Get("status")
	if status == "" && !q.r.URL.Query().Has("status") {
		status = council.New
	}
	xs, err := s.Council.Items(q.ctx, sc, council.ItemFilter{Status: status})
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug
	v := components.RecordView{Title: t("nav.feedback"), Help: t("feedback.help"), Flash: flash(q),
		Buttons: []components.Button{{Label: t("council.title"), Href: base + "/council", Class: "btn-outline-primary"}}}
	v.List = components.Table{Action: base + "/feedback", Head: []string{t("feedback.item_title"), t("feedback.from"), t("feedback.status"), t("feedback.note"), t("feedback.updated")},
		Empty: t("feedback.none"), Filters: []components.Filter{{Name: "status", Label: t("feedback.status"), Value: status,
			Options: q.options("feedbackstatus", council.FeedbackStatuses)}}}
	for _, x := range xs {
		v.List.Rows = append(v.List.Rows, []string{x.Title, feedbackFrom(x), t("feedbackstatus." + x.Status), x.Note, q.when(sc, x.UpdatedAt)})
		v.List.Links = append(v.List.Links, base+"/feedback/"+x.PublicID)
	}
	return q.render(200, components.RecordPage(q.nav(), v))
}

// feedbackFrom is who raised an item: the member, the session, or both.
func feedbackFrom(x council.FeedbackItem) string {
	switch {
	case x.MemberName != "" && x.SessionTitle != "":
		return x.MemberName + " · " + x.SessionTitle
	case x.MemberName != "":
		return x.MemberName
	}
	return x.SessionTitle
}

// feedbackPage is one item: what was raised, by whom, and for a role that
// may write members the answer its member reads.
func (s *Server) feedbackPage(q *request, sc program.Scope) error {
	return s.renderFeedback(q, sc, "", "", nil)
}

func (s *Server) renderFeedback(q *request, sc program.Scope, status, note string, r *refused) error {
	x, err := s.Council.Item(q.ctx, sc, q.r.PathValue("feedback"))
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug
	v := components.RecordView{Pretitle: t("nav.feedback"), Title: x.Title, Status: t("feedbackstatus." + x.Status), Flash: flash(q), Help: x.Body,
		Facts: []components.Fact{{Label: t("feedback.from"), Value: feedbackFrom(x)}, {Label: t("feedback.raised"), Value: q.when(sc, x.CreatedAt)},
			{Label: t("feedback.updated"), Value: q.when(sc, x.UpdatedAt)}, {Label: t("feedback.note"), Value: orDash(x.Note)}},
		Buttons: []components.Button{{Label: t("nav.feedback"), Href: base + "/feedback", Class: "btn-outline-primary"}}}
	if x.Member != "" {
		v.Buttons = append(v.Buttons, components.Button{Label: x.MemberName, Href: base + "/members/" + x.Member, Class: "btn-outline-secondary"})
	}
	if x.Session != "" {
		v.Buttons = append(v.Buttons, components.Button{Label: x.SessionTitle, Href: base + "/council/sessions/" + x.Session, Class: "btn-outline-secondary"})
	}
	if program.Can(sc.Role, program.PermMembersWrite) {
		if status == "" {
			status, note = next(x.Status), x.Note
		}
		v.Forms = []components.Form{{Title: t("feedback.answer"), Help: t("feedback.answer_help"), Action: base + "/feedback/" + x.PublicID + "/answer",
			Test: "answer-form", Submit: t("feedback.save_answer"), Wide: true, Fields: []components.Field{
				{Name: "status", Label: t("feedback.status"), Kind: "select", Options: q.options("feedbackstatus", council.FeedbackStatuses[1:]), Value: status},
				{Name: "note", Label: t("feedback.note"), Kind: "textarea", Value: note, Help: t("feedback.note_help")}}}}
	}
	st := r.apply(&v)
	return q.render(st, components.RecordPage(q.nav(), v))
}

// next is the status an item most likely moves to from status.
func next(status string) string {
	switch status {
	case council.New:
		return council.Heard
	case council.Heard:
		return council.Considered
	}
	return status
}

func (s *Server) answerFeedback(q *request, sc program.Scope) error {
	status, note := q.r.PostFormValue("status"), q.r.PostFormValue("note")
	ref := q.r.PathValue("feedback")
	_, err := s.Council.Answer(q.ctx, sc, ref, status, note)
	return q.settle("answer-form", err, nil, "/p/"+sc.Program.Slug+"/feedback/"+ref+"?done=saved", func(r *refused) error {
		return s.renderFeedback(q, sc, status, note, r)
	})
}
