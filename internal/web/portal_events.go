package web

import (
	"net/http"
	"strconv"

	"kox/internal/card"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/web/components"
)

// The portal's events: those I may answer, where I stand at each, my
// ticket with its QR code for the door, and an offered seat to accept.

func (s *Server) memberEvents(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	es, err := s.Events.List(q.ctx, sc)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	mine, err := s.Events.Of(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	status := map[string]string{}
	for _, x := range mine {
		status[x.Event] = x.Status
	}
	lang := components.Lang(q.ctx)
	var lines []components.EventLine
	for _, e := range es {
		l := components.EventLine{Ref: e.PublicID, Title: e.Title, Kind: components.T(q.ctx, "eventkind."+string(e.Kind)), When: q.when(sc, e.StartsAt),
			Where: e.City + " " + e.Venue, Left: i18n.Number(lang, e.Left())}
		if st, ok := status[e.PublicID]; ok {
			l.Mine = components.T(q.ctx, "seat."+st)
		}
		lines = append(lines, l)
	}
	return q.render(http.StatusOK, components.PortalEvents(q.portalNav(sc, "home"), lines))
}

func (s *Server) memberEvent(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return s.renderMemberEvent(q, sc, q.r.PathValue("event"), "", http.StatusOK)
}

func (s *Server) renderMemberEvent(q *request, sc program.Scope, ref, errText string, status int) error {
	e, err := s.Events.Get(q.ctx, sc, ref)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	v := components.EventView{Flash: flash(q), Error: errText, Ref: e.PublicID, Title: e.Title, Desc: e.Description,
		Facts: []components.Fact{{Label: t("events.kind"), Value: t("eventkind." + string(e.Kind))}, {Label: t("events.when"), Value: q.when(sc, e.StartsAt)},
			{Label: t("events.where"), Value: e.City + " " + e.Venue}, {Label: t("events.left"), Value: i18n.Number(lang, e.Left())}}}
	seat, err := s.Events.MineAt(q.ctx, sc, e.PublicID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	may, opens, err := s.Events.MayAnswer(q.ctx, sc, e, seat, sc.Actor.ID)
	if err != nil {
		return err
	}
	v.CanRSVP = may
	if !opens.IsZero() {
		// A tier window not yet open for me: when it opens, not the button.
		v.Facts = append(v.Facts, components.Fact{Label: t("events.opens_for_me"), Value: q.when(sc, opens)})
	}
	if seat.PublicID != "" {
		v.Seat, v.Status, v.Ticket = seat.PublicID, t("seat."+seat.Status), seat.Ticket
		v.CanCancel, v.CanAnswer = seat.Cancellable(), seat.Answerable()
		if seat.Position > 0 {
			v.Position = strconv.FormatInt(seat.Position, 10)
		}
		if !seat.OfferedUntil.IsZero() {
			v.Until = q.when(sc, seat.OfferedUntil)
		}
		if !seat.CheckedInAt.IsZero() {
			v.CheckedIn = q.when(sc, seat.CheckedInAt)
		}
	}
	return q.render(status, components.PortalEvent(q.portalNav(sc, "home"), v))
}

// memberSeatAction runs one of my answers and shows the event again; a
// refusal says why on its page.
func (s *Server) memberSeatAction(q *request, sc program.Scope, eventRef, done string, err error) error {
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		if fe.Kind == fault.NotFound {
			return q.portalProblem(sc, err)
		}
		return s.renderMemberEvent(q, sc, eventRef, q.refusal(err), statusOf(fe))
	}
	return q.redirect("/m/events/" + eventRef + "?done=" + done)
}

func (s *Server) memberRSVP(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	ref := q.r.PathValue("event")
	_, err = s.Events.RSVP(q.ctx, sc, ref, "")
	return s.memberSeatAction(q, sc, ref, "rsvp", err)
}

func (s *Server) memberCancelSeat(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	x, err := s.Events.Cancel(q.ctx, sc, q.r.PathValue("seat"))
	if x.Event == "" {
		return q.portalProblem(sc, err)
	}
	return s.memberSeatAction(q, sc, x.Event, "seat_cancelled", err)
}

func (s *Server) memberAnswerOffer(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	seat, err := s.Events.Seat(q.ctx, sc, q.r.PathValue("seat"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	_, err = s.Events.Answer(q.ctx, sc, seat.PublicID, q.r.PostFormValue("accept") == "1")
	return s.memberSeatAction(q, sc, seat.Event, "saved", err)
}

// memberTicketPNG is my ticket's QR code, which the door's page reads.
func (s *Server) memberTicketPNG(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	seat, err := s.Events.Seat(q.ctx, sc, q.r.PathValue("seat"))
	if err != nil || seat.Ticket == "" {
		return q.portalProblem(sc, fault.New(fault.NotFound, "event.seat_not_found", "no seat {seat}", fault.P{"seat": q.r.PathValue("seat")}))
	}
	png, err := card.QR(seat.Ticket, 480)
	if err != nil {
		return err
	}
	q.w.Header().Set("Content-Type", "image/png")
	q.w.Header().Set("Cache-Control", "private, no-store")
	_, err = q.w.Write(png)
	return err
}
