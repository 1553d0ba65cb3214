package web

import (
	"net/http"

	"kox/internal/fault"
	"kox/internal/loan"
	"kox/internal/program"
	"kox/internal/task"
	"kox/internal/web/components"
)

// The portal's loan: my car's agreement to sign, its handover and return
// as recorded, the scenarios I cover with my posts, and my diary's weeks.

// memberLoans is my open loan (or my latest), with the others listed.
func (s *Server) memberLoans(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	ls, err := s.Loans.List(q.ctx, sc, loan.LoanFilter{})
	if err != nil {
		return q.portalProblem(sc, err)
	}
	if len(ls) == 0 {
		return q.render(http.StatusOK, components.PortalLoan(q.portalNav(sc, "home"), components.PortalLoanView{}))
	}
	pick := ls[len(ls)-1]
	for _, l := range ls {
		if l.Open() {
			pick = l
		}
	}
	return q.redirect("/m/loans/" + pick.PublicID)
}

func (s *Server) memberLoan(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return s.renderMemberLoan(q, sc, "", http.StatusOK)
}

func (s *Server) renderMemberLoan(q *request, sc program.Scope, errText string, status int) error {
	l, err := s.Loans.Get(q.ctx, sc, q.r.PathValue("loan"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	v := components.PortalLoanView{Flash: flash(q), Error: errText, Ref: l.PublicID, Title: l.Model, Status: t("loanstatus." + l.Status), Overdue: l.Overdue,
		Facts: loanFacts(q, sc, l), Terms: l.Terms, CanSign: l.Signable(), Name: l.MemberName, Tickable: l.Tickable()}
	if !l.SignedAt.IsZero() {
		v.Signed = l.SignedName + " · " + q.when(sc, l.SignedAt)
	}
	for _, key := range loan.Scenarios {
		x, _ := l.Ticked(key)
		ls := components.LoanScenario{Key: key, Label: t("scenario." + key), URL: x.URL}
		if x.URL != "" {
			ls.When = q.when(sc, x.TickedAt)
		}
		v.Scenarios = append(v.Scenarios, ls)
	}
	for _, sec := range loanSections(q, sc, l, "/m/loans/"+l.PublicID) {
		if sec.Title != t("loans.scenarios") {
			v.Checks = append(v.Checks, sec)
		}
	}
	for _, c := range l.Checks {
		for _, p := range c.Photos {
			v.Photos = append(v.Photos, "/m/loans/"+l.PublicID+"/photos/"+p.PublicID)
		}
	}
	if l.DiaryClaim != "" {
		c, err := s.Tasks.ClaimByID(q.ctx, sc, l.DiaryClaim)
		if err != nil && !fault.Is(err, fault.NotFound) {
			return err
		}
		v.Claim = c.PublicID
		for _, o := range c.Occurrences {
			v.Weeks = append(v.Weeks, components.LoanWeek{Seq: o.Seq, Due: o.DueAt.In(sc.Program.Location()).Format("01-02"), Status: t("occurrence." + o.Status),
				Done: o.Status == string(task.Approved)})
		}
	}
	return q.render(status, components.PortalLoan(q.portalNav(sc, "home"), v))
}

func (s *Server) memberSignLoan(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	_, err = s.Loans.Sign(q.ctx, sc, q.r.PathValue("loan"), q.r.PostFormValue("name"))
	return s.memberLoanAction(q, sc, "signed", err)
}

func (s *Server) memberTickScenario(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	_, err = s.Loans.Tick(q.ctx, sc, q.r.PathValue("loan"), q.r.PostFormValue("scenario"), q.r.PostFormValue("url"))
	return s.memberLoanAction(q, sc, "saved", err)
}

func (s *Server) memberLoanPhoto(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	p, err := s.Loans.Photo(q.ctx, sc, q.r.PathValue("loan"), q.r.PathValue("photo"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	return q.picture(p.ContentType, p.Data)
}

func (s *Server) memberLoanAction(q *request, sc program.Scope, done string, err error) error {
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		if fe.Kind == fault.NotFound {
			return q.portalProblem(sc, err)
		}
		return s.renderMemberLoan(q, sc, q.refusal(err), statusOf(fe))
	}
	return q.redirect("/m/loans/" + q.r.PathValue("loan") + "?done=" + done)
}
