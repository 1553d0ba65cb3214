package web

import (
	"kox/internal/program"
	"kox/internal/web/components"
)

// notificationsPage is the operator's own notifications in this program,
// newest first (promotion candidates found, …), and "mark all read".
func (s *Server) notificationsPage(q *request, sc program.Scope) error {
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	inbox, next, err := s.Notify.Inbox(q.ctx, sc, components.Lang(q.ctx), before, 50)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	v := components.RecordView{Title: t("nav.notifications"), Flash: flash(q), Help: t("notifications.help")}
	if inbox.Unread > 0 {
		v.Buttons = []components.Button{{Label: t("notifications.mark_read"), Action: "/p/" + sc.Program.Slug + "/notifications/read", Test: "mark-read",
			Class: "btn-outline-primary"}}
	}
	v.List = components.Table{Head: []string{t("notifications.when"), t("notifications.what"), t("notifications.state")}, Empty: t("notifications.none"),
		Next: components.NextPage(q.r.URL.Path, q.r.URL.Query(), cursor(next))}
	for _, n := range inbox.Items {
		v.List.Rows = append(v.List.Rows, []string{q.when(sc, n.CreatedAt), n.Text, t(readState(n.Read))})
	}
	return q.render(200, components.RecordPage(q.nav(), v))
}

func readState(read bool) string {
	if read {
		return "notifications.read"
	}
	return "notifications.unread"
}

func (s *Server) markNotificationsRead(q *request, sc program.Scope) error {
	_, err := s.Notify.MarkRead(q.ctx, sc)
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/notifications?done=marked_read", func(r *refused) error { return s.notificationsPage(q, sc) })
}
