package web

import (
	"strings"

	"kox/internal/briefing"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/sheet"
	"kox/internal/web/components"
)

// briefings lists the program's briefings, searchable, with their reads;
// a role that may write tasks writes a new one.
func (s *Server) briefings(q *request, sc program.Scope) error {
	return s.renderBriefings(q, sc, briefing.BriefingInput{ReleaseAt: s.Briefings.DB.Now()}, nil)
}

func (s *Server) renderBriefings(q *request, sc program.Scope, in briefing.BriefingInput, r *refused) error {
	v := q.r.URL.Query()
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	f := briefing.Filter{Q: v.Get("q"), Status: v.Get("status"), Campaign: v.Get("campaign"), Before: before, Limit: 50}
	bs, next, err := s.Briefings.List(q.ctx, sc, f)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	base := "/p/" + sc.Program.Slug + "/briefings"
	page := components.RecordView{Title: t("briefings.title"), Help: t("briefings.help"), Flash: flash(q)}
	page.List = components.Table{Action: base, Empty: t("briefings.none"),
		Filters: []components.Filter{{Name: "q", Label: t("briefings.search"), Value: f.Q},
			{Name: "status", Label: t("events.status"), Value: f.Status, Options: q.options("briefingstatus", []string{briefing.Draft, briefing.Published, briefing.Withdrawn})},
			{Name: "campaign", Label: t("taskform.campaign"), Value: f.Campaign}},
		Head: []string{t("briefings.name"), t("briefings.audience"), t("briefings.release"), t("briefings.embargo"), t("taskform.campaign"), t("briefings.reads"), t("events.status")}}
	for _, b := range bs {
		page.List.Rows = append(page.List.Rows, []string{b.Title, s.audienceWords(q, b), q.when(sc, b.ReleaseAt), q.when(sc, b.PublicAt), orDash(b.Campaign),
			i18n.Number(lang, b.Reads), t("briefingstatus." + b.Status)})
		page.List.Links = append(page.List.Links, base+"/"+b.PublicID)
	}
	page.List.Next = components.NextPage(q.r.URL.Path, v, cursor(next))
	if program.Can(sc.Role, program.PermTasksWrite) {
		fields, err := s.briefingFields(q, sc, in)
		if err != nil {
			return q.problem(err)
		}
		page.Forms = []components.Form{{Title: t("briefings.new"), Help: t("briefings.form_help"), Action: base, Test: "briefing-form",
			Submit: t("briefings.create"), Wide: true, Fields: fields}}
	}
	return q.render(r.apply(&page), components.RecordPage(q.nav(), page))
}

// audienceWords says who sees a briefing before its embargo.
func (s *Server) audienceWords(q *request, b briefing.Briefing) string {
	if b.Ladder == "" {
		return components.T(q.ctx, "briefings.everyone")
	}
	return b.MinTier + " +"
}

// briefingFields are the fields of a briefing's form, filled from in.
func (s *Server) briefingFields(q *request, sc program.Scope, in briefing.BriefingInput) ([]components.Field, error) {
	t := func(k string) string { return components.T(q.ctx, k) }
	tiers, err := s.tierOptions(q, sc, " +")
	if err != nil {
		return nil, err
	}
	tier := ""
	if in.MinTier != "" {
		tier = in.Ladder + "/" + in.MinTier
	}
	cs, err := s.Campaigns.List(q.ctx, sc)
	if err != nil {
		return nil, err
	}
	camps := []components.Option{{Value: "", Label: "—"}}
	for _, c := range cs {
		if c.Editable() || c.Label == in.Campaign {
			camps = append(camps, components.Option{Value: c.Label, Label: c.Title + " (" + c.Label + ")"})
		}
	}
	loc := sc.Program.Location()
	return []components.Field{
		{Name: "title", Label: t("briefings.name"), Value: in.Title},
		{Name: "summary", Label: t("briefings.summary"), Kind: "textarea", Rows: 2, Value: in.Summary},
		{Name: "body", Label: t("briefings.body"), Kind: "textarea", Rows: 8, Value: in.Body},
		{Name: "tier", Label: t("briefings.tier"), Help: t("briefings.tier_help"), Kind: "select", Value: tier,
			Options: append([]components.Option{{Value: "", Label: t("briefings.everyone")}}, tiers...)},
		{Name: "release_at", Label: t("briefings.release"), Kind: "datetime-local", Value: dayInput(in.ReleaseAt, loc)},
		{Name: "public_at", Label: t("briefings.embargo"), Help: t("briefings.embargo_help"), Kind: "datetime-local", Value: dayInput(in.PublicAt, loc)},
		{Name: "campaign", Label: t("taskform.campaign"), Kind: "select", Value: in.Campaign, Options: camps},
		{Name: "task", Label: t("briefings.task"), Help: t("briefings.task_help"), Value: in.Task},
	}, nil
}

func briefingInput(f *formReader) briefing.BriefingInput {
	in := briefing.BriefingInput{Title: f.str("title"), Summary: f.str("summary"), Body: f.str("body"), ReleaseAt: f.when("release_at"),
		PublicAt: f.when("public_at"), Campaign: f.str("campaign"), Task: f.str("task")}
	in.Ladder, in.MinTier, _ = strings.Cut(f.str("tier"), "/")
	return in
}

func (s *Server) createBriefing(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := briefingInput(f)
	var b briefing.Briefing
	var err error
	if f.bad.Err() == nil {
		b, err = s.Briefings.Create(q.ctx, sc, in)
	}
	return q.settle("briefing-form", err, f.bad, "/p/"+sc.Program.Slug+"/briefings/"+b.PublicID+"?done=saved", func(r *refused) error {
		return s.renderBriefings(q, sc, in, r)
	})
}

// briefingPage is one briefing: its text and files, its audience and who
// of it read it (filtered, paged, exported), and for a role that may
// write tasks: publish or withdraw, rewrite, attach a file.
func (s *Server) briefingPage(q *request, sc program.Scope) error {
	return s.renderBriefing(q, sc, nil, nil)
}

func (s *Server) renderBriefing(q *request, sc program.Scope, edit *briefing.BriefingInput, r *refused) error {
	b, err := s.Briefings.Get(q.ctx, sc, q.r.PathValue("briefing"))
	if err != nil {
		return q.problem(err)
	}
	v := q.r.URL.Query()
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	read := v.Get("read")
	rs, rc, next, err := s.Briefings.Readers(q.ctx, sc, b.PublicID, read, before, 100)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	base := "/p/" + sc.Program.Slug + "/briefings/" + b.PublicID
	page := components.RecordView{Pretitle: t("briefings.title"), Title: b.Title, Status: t("briefingstatus." + b.Status), Flash: flash(q),
		Help: b.Summary,
		Stats: []components.Stat{{Label: t("briefings.audience"), Value: i18n.Number(lang, rc.Audience)},
			{Label: t("briefings.reads"), Value: i18n.Number(lang, rc.Read)},
			{Label: t("briefings.unread"), Value: i18n.Number(lang, rc.Audience-rc.Read)}},
		Facts: []components.Fact{{Label: t("briefings.audience"), Value: s.audienceWords(q, b)},
			{Label: t("briefings.release"), Value: q.when(sc, b.ReleaseAt)}, {Label: t("briefings.embargo"), Value: q.when(sc, b.PublicAt)},
			{Label: t("taskform.campaign"), Value: orDash(b.Campaign)}, {Label: t("briefings.task"), Value: orDash(b.Task)}}}
	page.Buttons = append(page.Buttons, components.Button{Label: t("briefings.export"), Href: base + "/readers.csv", Class: "btn-outline-secondary", Test: "export-readers"})
	write := program.Can(sc.Role, program.PermTasksWrite)
	if write && b.Status == briefing.Draft {
		page.Buttons = append(page.Buttons, components.Button{Label: t("briefings.publish"), Action: base + "/publish", Test: "publish-briefing"})
	}
	if write && b.Status == briefing.Published {
		page.Buttons = append(page.Buttons, components.Button{Label: t("briefings.withdraw"), Action: base + "/withdraw", Class: "btn-outline-danger", Test: "withdraw-briefing"})
	}
	if b.Body != "" {
		page.Sections = append(page.Sections, components.Section{Title: t("briefings.body"),
			Table: components.Table{Rows: [][]string{{b.Body}}}})
	}
	ft := components.Table{Head: []string{t("briefings.file"), t("briefings.size"), t("kits.updated")}, Empty: t("briefings.no_files")}
	for _, a := range b.Attachments {
		ft.Rows = append(ft.Rows, []string{a.Name, i18n.Number(lang, (a.Size+1023)/1024) + " KB", q.when(sc, a.CreatedAt)})
		ft.Links = append(ft.Links, base+"/files/"+a.PublicID)
	}
	page.Sections = append(page.Sections, components.Section{Title: t("briefings.files"), Table: ft})
	page.List = components.Table{Action: base, Empty: t("briefings.no_readers"),
		Filters: []components.Filter{{Name: "read", Label: t("briefings.reads"), Value: read, Options: q.options("briefingread", []string{"yes", "no"})}},
		Head:    []string{t("awards.member"), t("members.region"), t("briefings.read_at")}}
	for _, x := range rs {
		page.List.Rows = append(page.List.Rows, []string{x.Name, orDash(x.Region), q.when(sc, x.ReadAt)})
		page.List.Links = append(page.List.Links, "/p/"+sc.Program.Slug+"/members/"+x.Member)
	}
	page.List.Next = components.NextPage(q.r.URL.Path, v, cursor(next))
	if write && b.Editable() {
		in := b.Input()
		if edit != nil {
			in = *edit
		}
		fields, err := s.briefingFields(q, sc, in)
		if err != nil {
			return q.problem(err)
		}
		page.Forms = append(page.Forms,
			components.Form{Title: t("briefings.attach"), Help: t("briefings.attach_help"), Action: base + "/files", Multipart: true, Test: "attach-form",
				Submit: t("briefings.attach"), Fields: []components.Field{{Name: "file", Label: t("briefings.file"), Kind: "file",
					Value: ".pdf,.txt,image/*,application/pdf,text/plain"}}},
			components.Form{Title: t("briefings.edit"), Action: base + "/edit", Test: "briefing-edit", Submit: t("briefings.save"), Wide: true, Fields: fields})
	}
	return q.render(r.apply(&page), components.RecordPage(q.nav(), page))
}

func (s *Server) editBriefing(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := briefingInput(f)
	ref := q.r.PathValue("briefing")
	var err error
	if f.bad.Err() == nil {
		_, err = s.Briefings.Update(q.ctx, sc, ref, in)
	}
	return q.settle("briefing-edit", err, f.bad, "/p/"+sc.Program.Slug+"/briefings/"+ref+"?done=saved", func(r *refused) error {
		return s.renderBriefing(q, sc, &in, r)
	})
}

func (s *Server) publishBriefing(q *request, sc program.Scope) error {
	_, err := s.Briefings.Publish(q.ctx, sc, q.r.PathValue("briefing"))
	return s.briefingAction(q, sc, "", err)
}

func (s *Server) withdrawBriefing(q *request, sc program.Scope) error {
	_, err := s.Briefings.Withdraw(q.ctx, sc, q.r.PathValue("briefing"))
	return s.briefingAction(q, sc, "", err)
}

func (s *Server) attachBriefingFile(q *request, sc program.Scope) error {
	data, name, err := q.uploadFile(briefing.MaxAttachmentBytes)
	if err == nil {
		_, err = s.Briefings.Attach(q.ctx, sc, q.r.PathValue("briefing"), name, data)
	}
	return s.briefingAction(q, sc, "attach-form", err)
}

func (s *Server) briefingAction(q *request, sc program.Scope, form string, err error) error {
	return q.settle(form, err, nil, "/p/"+sc.Program.Slug+"/briefings/"+q.r.PathValue("briefing")+"?done=saved", func(r *refused) error {
		return s.renderBriefing(q, sc, nil, r)
	})
}

func (s *Server) briefingFile(q *request, sc program.Scope) error {
	a, err := s.Briefings.Attachment(q.ctx, sc, q.r.PathValue("briefing"), q.r.PathValue("file"))
	if err != nil {
		return q.problem(err)
	}
	return q.attachment(a)
}

func (s *Server) exportBriefingReaders(q *request, sc program.Scope) error {
	ref := q.r.PathValue("briefing")
	if _, err := s.Briefings.Get(q.ctx, sc, ref); err != nil {
		return q.problem(err)
	}
	h := q.w.Header()
	h.Set("Content-Type", sheet.CSV.ContentType())
	h.Set("Content-Disposition", `attachment; filename="`+ref+`-readers.csv"`)
	return s.Briefings.ExportReaders(q.ctx, sc, ref, sheet.CSV, q.w)
}
