package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kox/internal/briefing"
	"kox/internal/db"
	"kox/internal/i18n"
	"kox/internal/web/components"
)

// The portal's briefings: what my tier may read before the embargo and
// what everyone may after, searchable; opening one is my read receipt,
// and a briefing's task opens to me once I have read it.

func (s *Server) memberBriefings(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	qs := q.r.URL.Query()
	before, _ := db.ParseCursor(qs.Get("cursor"))
	v := components.BriefingsView{Q: qs.Get("q"), Unread: qs.Get("unread") == "1"}
	bs, next, err := s.Briefings.List(q.ctx, sc, briefing.Filter{Q: v.Q, Unread: v.Unread, Before: before, Limit: 30})
	if err != nil {
		return q.portalProblem(sc, err)
	}
	now := s.Briefings.DB.Now()
	for _, b := range bs {
		v.Lines = append(v.Lines, components.BriefingLine{Ref: b.PublicID, Title: b.Title, Summary: b.Summary, When: q.when(sc, b.ReleaseAt),
			Early: b.Embargoed(now), Unread: b.ReadAt.IsZero()})
	}
	if next > 0 {
		nq := url.Values{"cursor": {db.Cursor(next)}, "q": {v.Q}}
		if v.Unread {
			nq.Set("unread", "1")
		}
		v.Next = "/m/briefings?" + nq.Encode()
	}
	return q.render(http.StatusOK, components.PortalBriefings(q.portalNav(sc, "home"), v))
}

func (s *Server) memberBriefing(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	b, err := s.Briefings.Open(q.ctx, sc, q.r.PathValue("briefing"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	lang := components.Lang(q.ctx)
	v := components.BriefingView{Title: b.Title, Summary: b.Summary, Body: b.Body, When: q.when(sc, b.ReleaseAt)}
	if now := s.Briefings.DB.Now(); b.Embargoed(now) {
		v.Embargo = components.T(q.ctx, "briefings.embargo_none")
		if !b.PublicAt.IsZero() {
			v.Embargo = q.when(sc, b.PublicAt)
		}
	}
	for _, a := range b.Attachments {
		v.Files = append(v.Files, components.FileLink{Href: "/m/briefings/" + b.PublicID + "/files/" + a.PublicID, Name: a.Name,
			Size: i18n.Number(lang, (a.Size+1023)/1024) + " KB"})
	}
	if b.Task != "" {
		// The task shows once it is open to me (its offer is found).
		if o, err := s.Tasks.Offer(q.ctx, sc, "", b.Task); err == nil {
			v.Task, v.TaskTitle = o.Task.PublicID, o.Task.Title
		}
	}
	return q.render(http.StatusOK, components.PortalBriefing(q.portalNav(sc, "home"), v))
}

func (s *Server) memberBriefingFile(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	a, err := s.Briefings.Attachment(q.ctx, sc, q.r.PathValue("briefing"), q.r.PathValue("file"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	return q.attachment(a)
}

// attachment sends a briefing's file as a download, never inline.
func (q *request) attachment(a briefing.Attachment) error {
	h := q.w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", a.Disposition())
	h.Set("Content-Length", strconv.FormatInt(int64(len(a.Data)), 10))
	h.Set("Cache-Control", "private, no-store")
	_, err := q.w.Write(a.Data)
	return err
}
