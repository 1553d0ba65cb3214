package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"kox/internal/community"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/kit"
	"kox/internal/middleware"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/promotion"
	"kox/internal/task"
	"kox/internal/web/components"
)

// The member portal: a member signs in with a one-time code and sees their
// own things only, on a phone first. Every page reads the member's own
// program from their session; another member's objects answer 404.

// own lets a signed-in member in; anyone else goes to the portal's sign-in.
func (s *Server) own(q *request) (program.Scope, bool, error) {
	if !q.signedIn || q.actor.Kind != program.ActorMember {
		return program.Scope{}, false, q.redirect("/m/signin")
	}
	sc, err := s.Gate.Own(q.ctx)
	if err != nil {
		return program.Scope{}, false, q.redirect("/m/signin")
	}
	q.loc = sc.Program.Location()
	if q.r.Method == http.MethodGet {
		if q.unread, err = s.Notify.Unread(q.ctx, sc); err != nil {
			return program.Scope{}, false, err
		}
	}
	return sc, true, nil
}

// portalNav is the portal's header and tab bar.
func (q *request) portalNav(sc program.Scope, tab string) components.PortalNav {
	return components.PortalNav{Who: q.actor.Name, Program: sc.Program.Name, Here: q.here(), Tab: tab, Unread: q.unread}
}

// memberAnswerCommunity is my answer to the private community's
// invitation: I joined, or no thanks.
func (s *Server) memberAnswerCommunity(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	if _, err := s.Community.Set(q.ctx, sc, sc.Actor.PublicID, community.CommunityInput{Status: community.Status(q.r.PostFormValue("status"))}); err != nil {
		return q.portalProblem(sc, err)
	}
	return q.redirect("/m?done=community_" + q.r.PostFormValue("status"))
}

// memberSignInForm shows the code form; a sign-in link carries the code in
// ?code= and only fills the form in: a link preview (WeCom fetches links
// it is sent) must not use the one-time code up.
func (s *Server) memberSignInForm(q *request) error {
	if q.signedIn && q.actor.Kind == program.ActorMember {
		return q.redirect("/m")
	}
	return q.render(http.StatusOK, components.PortalSignIn(components.CodeForm{Code: q.r.URL.Query().Get("code"), Here: q.r.URL.RequestURI()}))
}

func (s *Server) memberSignIn(q *request) error {
	code := q.r.PostFormValue("code")
	_, sess, err := s.Gate.MemberSignIn(q.ctx, code, q.client())
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		return q.render(middleware.StatusOf[fe.Kind], components.PortalSignIn(components.CodeForm{Code: code, Here: "/m/signin",
			Error: i18n.Error(components.Lang(q.ctx), err)}))
	}
	http.SetCookie(q.w, middleware.CookieFor(middleware.MemberCookie, sess.Token, sess.ExpiresAt, q.secure()))
	return q.redirect("/m")
}

func (s *Server) memberSignOut(q *request) error {
	if c, err := q.r.Cookie(middleware.MemberCookie); err == nil {
		if err := s.Gate.SignOut(q.ctx, c.Value); err != nil {
			s.Log.WarnContext(q.ctx, "web: member sign out", "err", err)
		}
	}
	http.SetCookie(q.w, middleware.CookieFor(middleware.MemberCookie, "", time.Time{}, q.secure()))
	return q.redirect("/m/signin")
}

// seenCookie keeps when the member last opened their home page, so that
// it can say what changed since.
const seenCookie = "kox_seen"

// memberHome: my tier and title, my points, the tasks open to me, my tasks
// in progress, and what changed since my last visit.
func (s *Server) memberHome(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	lang := components.Lang(q.ctx)
	h := components.PortalHomeView{Flash: flash(q)}
	standings, err := s.Ladders.Standings(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.problem(err)
	}
	for _, st := range standings {
		h.Tiers = append(h.Tiers, components.TierLine{Ladder: st.LadderName.In(lang), Tier: st.Name.In(lang), Title: st.Title.In(lang)})
	}
	ps, err := s.Promotion.Progress(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.problem(err)
	}
	ls, err := s.Ladders.Ladders(q.ctx, sc, "")
	if err != nil {
		return q.problem(err)
	}
	ws, err := s.Promotion.Warnings(q.ctx, sc, promotion.Warned, "", 10)
	if err != nil {
		return q.problem(err)
	}
	for _, w := range ws {
		h.Warnings = append(h.Warnings, fault.Render(components.T(q.ctx, "portal.keep_"+w.Reason),
			fault.P{"tier": tierName(q, ls, w.Ladder, w.Tier), "until": q.when(sc, w.GraceUntil)}))
	}
	c, err := s.Community.Get(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.problem(err)
	}
	h.Community = components.CommunityLine{Group: c.Group, Invited: c.Answerable(), Joined: c.Status == community.Joined}
	kits, _, err := s.Kits.Issues(q.ctx, sc, kit.IssuesFilter{Limit: 20})
	if err != nil {
		return q.problem(err)
	}
	for _, k := range kits {
		if k.NeedsAddr {
			h.Kits = append(h.Kits, components.KitLine{Title: k.ItemTitle, Redemption: k.Redemption})
		}
	}
	for _, p := range ps {
		line := components.ProgressLine{Next: tierName(q, ls, p.Ladder, p.To), Ready: p.Ready, Match: p.Match}
		for _, e := range p.Criteria {
			met := ""
			if e.Met {
				met = "1"
			}
			line.Criteria = append(line.Criteria, components.Fact{Label: q.criterion(e), Value: met})
		}
		h.Progress = append(h.Progress, line)
	}
	pts, _, err := s.Points.Statement(q.ctx, sc, sc.Actor.PublicID, 0, 1)
	if err != nil {
		return q.problem(err)
	}
	h.Points = i18n.Number(lang, pts.Balance)
	offers, more, err := s.Tasks.Offers(q.ctx, sc, "", 0, 50)
	if err != nil {
		return q.problem(err)
	}
	open := 0
	for _, o := range offers {
		if o.CanTake {
			open++
		}
	}
	h.Open = i18n.Number(lang, int64(open))
	if more != 0 {
		h.Open += "+" // among the newest 50 published; the list has the rest
	}
	mine, _, err := s.Tasks.Claims(q.ctx, sc, task.ClaimFilter{Working: true, Limit: 50})
	if err != nil {
		return q.problem(err)
	}
	for _, c := range mine {
		h.Mine = append(h.Mine, q.claimLine(sc, c))
	}
	var since time.Time
	if c, err := q.r.Cookie(seenCookie); err == nil {
		if us, err := strconv.ParseInt(c.Value, 10, 64); err == nil {
			since = time.UnixMicro(us)
		}
	}
	if !since.IsZero() {
		events, err := s.Activity.Since(q.ctx, sc, sc.Actor.PublicID, since)
		if err != nil {
			return q.problem(err)
		}
		for _, e := range events {
			c := components.Change{When: q.when(sc, e.At)}
			if e.Kind == "points" {
				c.What = components.T(q.ctx, "points."+e.Code) + " " + signed(lang, e.Amount)
			} else {
				c.What, c.Link = components.T(q.ctx, "review."+e.Decision), "/m/claims/"+e.Claim
			}
			h.Changes = append(h.Changes, c)
		}
	}
	h.FirstVisit = since.IsZero()
	http.SetCookie(q.w, &http.Cookie{Name: seenCookie, Value: strconv.FormatInt(time.Now().UnixMicro(), 10), Path: "/m",
		Expires: time.Now().AddDate(1, 0, 0), HttpOnly: true, Secure: q.secure(), SameSite: http.SameSiteLaxMode})
	return q.render(http.StatusOK, components.PortalHome(q.portalNav(sc, "home"), h))
}

// when is a time in the program's time zone; "—" for none.
func (q *request) when(sc program.Scope, at time.Time) string {
	if at.IsZero() {
		return "—"
	}
	return at.In(sc.Program.Location()).Format("2006-01-02 15:04")
}

func signed(lang string, n int64) string {
	if n > 0 {
		return "+" + i18n.Number(lang, n)
	}
	return i18n.Number(lang, n)
}

func (q *request) claimLine(sc program.Scope, c task.Claim) components.ClaimLine {
	l := components.ClaimLine{Ref: c.PublicID, Title: c.TaskTitle, Status: components.T(q.ctx, "claim."+string(c.Status))}
	if !c.SubmitBy.IsZero() {
		l.Due = q.when(sc, c.SubmitBy)
	}
	return l
}

// memberPoints is my points statement.
func (s *Server) memberPoints(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	lang := components.Lang(q.ctx)
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	st, next, err := s.Points.Statement(q.ctx, sc, sc.Actor.PublicID, before, 50)
	if err != nil {
		return q.problem(err)
	}
	t := components.Table{Head: []string{components.T(q.ctx, "member.when"), components.T(q.ctx, "member.what"), components.T(q.ctx, "member.points")},
		Empty: components.T(q.ctx, "member.no_points"), Next: components.NextPage(q.r.URL.Path, q.r.URL.Query(), cursor(next))}
	for _, mv := range st.History {
		t.Rows = append(t.Rows, []string{q.when(sc, mv.At), q.movement(mv), signed(lang, mv.Amount)})
	}
	expiry := ""
	if e := st.NextExpiry; e != nil {
		expiry = i18n.Number(lang, e.Amount) + " " + components.T(q.ctx, "portal.pts") + " · " + q.when(sc, e.At)
	}
	return q.render(http.StatusOK, components.PortalPoints(q.portalNav(sc, "points"), i18n.Number(lang, st.Balance), i18n.Number(lang, st.Available), expiry, t))
}

// movement says what a change of points was for: its kind, and the
// operator's reason for a grant or deduction.
func (q *request) movement(mv points.Movement) string {
	what := components.T(q.ctx, "points."+mv.Code)
	if reason, ok := strings.CutPrefix(mv.Ref, "reason:"); ok && reason != "" {
		what += " · " + reason
	}
	return what
}

func (s *Server) memberNotFound(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return q.render(http.StatusNotFound, components.PortalMessage(q.portalNav(sc, ""), components.T(q.ctx, "notfound.text")))
}
