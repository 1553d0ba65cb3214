package web

import (
	"net/http"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/web/components"
)

// eventDoor is the event's door for an operator's phone: scan a ticket's
// QR code with the camera, or type its code; who came in, or why not.
func (s *Server) eventDoor(q *request, sc program.Scope) error {
	return s.renderDoor(q, sc, "", "", "", http.StatusOK)
}

func (s *Server) renderDoor(q *request, sc program.Scope, admitted, ticket, errText string, status int) error {
	e, err := s.Events.Get(q.ctx, sc, q.r.PathValue("event"))
	if err != nil {
		return q.problem(err)
	}
	base := "/p/" + sc.Program.Slug + "/events/" + e.PublicID
	v := components.DoorView{Event: e.Title, Back: base, Action: base + "/door", Admitted: admitted, Error: errText, Ticket: ticket,
		CheckedIn: count(q, e.CheckedIn) + " / " + i18n.Number(components.Lang(q.ctx), e.Taken)}
	return q.render(status, components.DoorPage(q.nav(), v))
}

func (s *Server) admitAtDoor(q *request, sc program.Scope) error {
	ticket := q.r.PostFormValue("ticket")
	x, err := s.Events.CheckIn(q.ctx, sc, q.r.PathValue("event"), ticket)
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		return s.renderDoor(q, sc, "", ticket, q.refusal(err), statusOf(fe))
	}
	return s.renderDoor(q, sc, x.MemberName, "", "", http.StatusOK)
}
