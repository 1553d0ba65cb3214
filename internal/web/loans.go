package web

import (
	"slices"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/loan"
	"kox/internal/media"
	"kox/internal/program"
	"kox/internal/web/components"
)

// loans lists the program's loans, due back soonest first, filtered by
// status (open, overdue, …).
func (s *Server) loans(q *request, sc program.Scope) error {
	status := q.r.URL.Query().Get("status")
	if status == "" && !q.r.URL.Query().Has("status") {
		status = "open"
	}
	ls, err := s.Loans.List(q.ctx, sc, loan.LoanFilter{Status: status})
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug
	v := components.RecordView{Title: t("loans.title"), Help: t("loans.help"), Flash: flash(q),
		Buttons: []components.Button{{Label: t("fleet.title"), Href: base + "/fleet", Class: "btn-outline-primary"},
			{Label: t("calendar.title"), Href: base + "/calendar", Class: "btn-outline-primary"}}}
	v.List = loansTable(q, sc, ls)
	v.List.Action = base + "/loans"
	v.List.Filters = []components.Filter{{Name: "status", Label: t("loans.status"), Value: status,
		Options: q.options("loanstatus", []string{"open", "overdue", loan.LoanReserved, loan.LoanOut, loan.LoanReturned, loan.LoanCancelled})}}
	return q.render(200, components.RecordPage(q.nav(), v))
}

// loanPage is one loan: its agreement, checklists with photos, scenarios
// covered and diary; for a role that may write tasks, the handover (once
// signed), the return, photos, a paper signature and cancelling.
func (s *Server) loanPage(q *request, sc program.Scope) error { return s.renderLoan(q, sc, nil) }

func (s *Server) renderLoan(q *request, sc program.Scope, r *refused) error {
	l, err := s.Loans.Get(q.ctx, sc, q.r.PathValue("loan"))
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/loans/" + l.PublicID
	write := program.Can(sc.Role, program.PermTasksWrite)
	v := components.RecordView{Pretitle: t("loans.loan"), Title: l.MemberName + " · " + l.Model, Status: t("loanstatus." + l.Status), Flash: flash(q),
		Facts: loanFacts(q, sc, l)}
	if l.Overdue {
		v.Error = t("loans.overdue_help")
	}
	if l.Terms != "" {
		v.Help = l.Terms
	}
	v.Sections = loanSections(q, sc, l, base)
	if write && l.Cancellable() {
		v.Buttons = append(v.Buttons, components.Button{Label: t("loans.cancel"), Action: base + "/cancel", Class: "btn-outline-danger", Test: "cancel-loan"})
	}
	items := q.options("checkitem", loan.ChecklistItems)
	if write && l.Signable() {
		v.Forms = append(v.Forms, components.Form{Title: t("loans.paper"), Help: t("loans.paper_help"), Action: base + "/sign", Test: "paper-form",
			Submit: t("loans.sign"), Fields: []components.Field{{Name: "name", Label: t("loans.sign_name"), Value: l.MemberName}}})
	}
	if write && l.HandOverable() {
		v.Forms = append(v.Forms, components.Form{Title: t("loans.handover"), Action: base + "/handover", Test: "handover-form", Submit: t("loans.hand_over"),
			Fields: []components.Field{{Name: "mileage", Label: t("fleet.mileage"), Kind: "number"},
				{Name: "items", Label: t("loans.checklist"), Kind: "checks", Options: items}, {Name: "note", Label: t("member.note"), Kind: "textarea"}}})
	}
	if write && l.Returnable() {
		v.Forms = append(v.Forms, components.Form{Title: t("loans.return"), Action: base + "/return", Test: "return-form", Submit: t("loans.take_back"),
			Fields: []components.Field{{Name: "mileage", Label: t("fleet.mileage"), Kind: "number"},
				{Name: "items", Label: t("loans.checklist"), Kind: "checks", Options: items}, {Name: "note", Label: t("member.note"), Kind: "textarea"},
				{Name: "to_service", Label: t("loans.to_service"), Kind: "check", Value: "1"}}})
	}
	if write && (l.Open() || l.Status == loan.LoanReturned) {
		stages := []string{loan.Handover, loan.Return}
		if l.Status == loan.LoanReserved {
			stages = stages[:1]
		} else if l.Status == loan.LoanReturned {
			stages = stages[1:]
		}
		v.Forms = append(v.Forms, components.Form{Title: t("loans.photos"), Action: base + "/photos", Test: "photo-form", Submit: t("loans.upload"), Multipart: true,
			Fields: []components.Field{{Name: "stage", Label: t("loans.stage"), Kind: "select", Options: q.options("loanstage", stages)},
				{Name: "file", Label: t("loans.photo"), Kind: "file", Value: "image/*"}}})
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

// loanFacts are a loan's particulars, for either face.
func loanFacts(q *request, sc program.Scope, l loan.Loan) []components.Fact {
	t := func(k string) string { return components.T(q.ctx, k) }
	fs := []components.Fact{{Label: t("fleet.vin"), Value: l.VIN}, {Label: t("fleet.model"), Value: l.Model},
		{Label: t("loans.starts"), Value: l.StartsOn}, {Label: t("loans.ends"), Value: l.EndsOn}, {Label: t("loans.due"), Value: l.DueOn}}
	if l.ReturnBy != "" {
		fs = append(fs, components.Fact{Label: t("loans.return_by"), Value: l.ReturnBy + " · " + t("loans.reason_"+l.ReturnReason)})
	}
	if l.MinTier != "" {
		fs = append(fs, components.Fact{Label: t("loans.rung"), Value: l.Ladder + "/" + l.MinTier})
	}
	if !l.SignedAt.IsZero() {
		fs = append(fs, components.Fact{Label: t("loans.signed"), Value: l.SignedName + " · " + q.when(sc, l.SignedAt)})
	}
	if !l.HandedOverAt.IsZero() {
		fs = append(fs, components.Fact{Label: t("loans.handover"), Value: q.when(sc, l.HandedOverAt)})
	}
	if !l.ReturnedAt.IsZero() {
		fs = append(fs, components.Fact{Label: t("loans.return"), Value: q.when(sc, l.ReturnedAt)})
	}
	return fs
}

// loanSections are a loan's checklists and scenarios as tables, for
// either face; photos link to base/photos/{photo}.
func loanSections(q *request, sc program.Scope, l loan.Loan, base string) []components.Section {
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	var out []components.Section
	for _, stage := range []string{loan.Handover, loan.Return} {
		c, ok := l.Stage(stage)
		if !ok {
			continue
		}
		tb := components.Table{Head: []string{t("loans.checklist"), t("loans.found")}}
		row := func(link string, cells ...string) {
			tb.Rows, tb.Links = append(tb.Rows, cells), append(tb.Links, link)
		}
		if !c.At.IsZero() {
			row("", t("fleet.mileage"), i18n.Number(lang, int64(c.Mileage))+" km")
			for _, it := range loan.ChecklistItems {
				mark := "✗"
				if slices.Contains(c.Items, it) {
					mark = "✓"
				}
				row("", t("checkitem."+it), mark)
			}
			if c.Note != "" {
				row("", t("member.note"), c.Note)
			}
		}
		for i, p := range c.Photos {
			row(base+"/photos/"+p.PublicID, t("loans.photo")+" "+i18n.Number(lang, int64(i+1)), q.when(sc, p.CreatedAt))
		}
		title := t("loanstage." + stage)
		if !c.At.IsZero() {
			title += " · " + q.when(sc, c.At)
		}
		out = append(out, components.Section{Title: title, Table: tb})
	}
	sc2 := components.Table{Head: []string{t("loans.scenario"), t("loans.post"), t("kits.updated")}}
	for _, key := range loan.Scenarios {
		x, ok := l.Ticked(key)
		if ok {
			sc2.Rows = append(sc2.Rows, []string{t("scenario." + key), x.URL, q.when(sc, x.TickedAt)})
		} else {
			sc2.Rows = append(sc2.Rows, []string{t("scenario." + key), "—", ""})
		}
	}
	out = append(out, components.Section{Title: t("loans.scenarios"), Table: sc2})
	return out
}

func (s *Server) handOverLoan(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := loan.LoanCheckInput{Mileage: int(f.int("mileage")), Items: q.r.PostForm["items"], Note: f.str("note")}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Loans.HandOver(q.ctx, sc, q.r.PathValue("loan"), in)
	}
	return s.loanAction(q, sc, "handover-form", err, f.bad)
}

func (s *Server) returnLoan(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := loan.LoanCheckInput{Mileage: int(f.int("mileage")), Items: q.r.PostForm["items"], Note: f.str("note"), ToService: f.str("to_service") != ""}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Loans.TakeBack(q.ctx, sc, q.r.PathValue("loan"), in)
	}
	return s.loanAction(q, sc, "return-form", err, f.bad)
}

func (s *Server) cancelLoan(q *request, sc program.Scope) error {
	_, err := s.Loans.Cancel(q.ctx, sc, q.r.PathValue("loan"))
	return s.loanAction(q, sc, "", err, nil)
}

func (s *Server) signLoanOnPaper(q *request, sc program.Scope) error {
	_, err := s.Loans.Sign(q.ctx, sc, q.r.PathValue("loan"), q.r.PostFormValue("name"))
	return s.loanAction(q, sc, "paper-form", err, nil)
}

func (s *Server) addLoanPhoto(q *request, sc program.Scope) error {
	data, _, err := q.uploadFile(media.MaxBytes)
	if err == nil {
		_, err = s.Loans.AddPhoto(q.ctx, sc, q.r.PathValue("loan"), q.r.PostFormValue("stage"), data)
	}
	return s.loanAction(q, sc, "photo-form", err, nil)
}

func (s *Server) loanPhoto(q *request, sc program.Scope) error {
	p, err := s.Loans.Photo(q.ctx, sc, q.r.PathValue("loan"), q.r.PathValue("photo"))
	if err != nil {
		return q.problem(err)
	}
	return q.picture(p.ContentType, p.Data)
}

func (s *Server) loanAction(q *request, sc program.Scope, form string, err error, bad fault.Fields) error {
	return q.settle(form, err, bad, "/p/"+sc.Program.Slug+"/loans/"+q.r.PathValue("loan")+"?done=saved", func(r *refused) error {
		return s.renderLoan(q, sc, r)
	})
}
