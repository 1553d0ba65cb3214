package web

import (
	"net/http"
	"net/url"

	"kox/internal/card"
	"kox/internal/identity"
	"kox/internal/program"
	"kox/internal/web/components"
)

// The identity card (L6): the member's page with their card, the PNG, and
// the public page its QR code opens.

// verifyURL is the absolute address of a card's verification page, on the
// host the request came to.
func (q *request) verifyURL(number string) string {
	return q.siteURL() + "/v/" + url.PathEscape(number)
}

// drawCard draws c in the reader's language.
func (q *request) drawCard(c identity.Card) ([]byte, error) {
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	return card.Render(card.Card{Program: c.Program, Name: c.Name, Title: c.Title.In(lang), Number: t("card.number") + " " + c.Number,
		Since: t("card.since") + " " + c.MemberSince.Format("2006-01"), Caption: t("card.scan"), VerifyURL: q.verifyURL(c.Number)})
}

func (q *request) png(b []byte, filename string) error {
	h := q.w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "private, no-store")
	if filename != "" {
		h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	}
	_, err := q.w.Write(b)
	return err
}

// memberCard is my card's page: the picture and a download.
func (s *Server) memberCard(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	c, err := s.Identity.Card(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	return q.render(http.StatusOK, components.PortalCard(q.portalNav(sc, "card"), c.Number, "/v/"+c.Number))
}

// memberCardPNG is my card as a PNG (?download=1 to save it).
func (s *Server) memberCardPNG(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	c, err := s.Identity.Card(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	b, err := q.drawCard(c)
	if err != nil {
		return err
	}
	name := ""
	if q.r.URL.Query().Get("download") != "" {
		name = "kox-card-" + c.Number + ".png"
	}
	return q.png(b, name)
}

// memberCardConsole is a member's card for an operator, as a PNG.
func (s *Server) memberCardConsole(q *request, sc program.Scope) error {
	c, err := s.Identity.Card(q.ctx, sc, q.r.PathValue("member"))
	if err != nil {
		return q.problem(err)
	}
	b, err := q.drawCard(c)
	if err != nil {
		return err
	}
	return q.png(b, "kox-card-"+c.Number+".png")
}

// verify is the public page a card's QR code opens: genuine and current,
// replaced by a newer card, or of a member who left. Nothing private.
func (s *Server) verify(q *request) error {
	v, err := s.Identity.Verify(q.ctx, q.r.PathValue("number"))
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	return q.render(http.StatusOK, components.Verify(components.VerifyView{Here: q.here(), Number: v.Number, State: string(v.State),
		Program: v.Program, Name: v.Name, Title: v.Title.In(lang), Since: v.MemberSince.Format("2006-01-02")}))
}
