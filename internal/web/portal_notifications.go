package web

import (
	"net/http"

	"kox/internal/web/components"
)

// memberNotifications is my notifications, newest first, and whether I get
// them by email too.
func (s *Server) memberNotifications(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	before, err := cursorOf(q)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	inbox, next, err := s.Notify.Inbox(q.ctx, sc, components.Lang(q.ctx), before, 30)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	email, err := s.Notify.EmailPreference(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	v := components.NoticesView{Flash: flash(q), Unread: inbox.Unread, Email: email,
		Next: components.NextPage(q.r.URL.Path, q.r.URL.Query(), cursor(next))}
	for _, n := range inbox.Items {
		v.Items = append(v.Items, components.NoticeLine{When: q.when(sc, n.CreatedAt), Text: n.Text, Unread: !n.Read})
	}
	return q.render(http.StatusOK, components.PortalNotifications(q.portalNav(sc, "home"), v))
}

func (s *Server) memberMarkRead(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	if _, err := s.Notify.MarkRead(q.ctx, sc); err != nil {
		return q.portalProblem(sc, err)
	}
	return q.redirect("/m/notifications?done=marked_read")
}

func (s *Server) memberNotifyPrefs(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	if err := s.Notify.SetEmailPreference(q.ctx, sc, sc.Actor.PublicID, q.r.PostFormValue("email") == "1"); err != nil {
		return q.portalProblem(sc, err)
	}
	return q.redirect("/m/notifications?done=saved")
}
