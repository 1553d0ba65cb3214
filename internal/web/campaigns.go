package web

import (
	"kox/internal/budget"
	"kox/internal/campaign"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/web/components"
)

// campaigns lists the program's campaigns; a role that may write tasks
// writes a new one.
func (s *Server) campaigns(q *request, sc program.Scope) error {
	return s.renderCampaigns(q, sc, campaign.CampaignInput{Kind: campaign.Launch}, nil)
}

func (s *Server) renderCampaigns(q *request, sc program.Scope, in campaign.CampaignInput, r *refused) error {
	cs, err := s.Campaigns.List(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/campaigns"
	page := components.RecordView{Title: t("campaigns.title"), Help: t("campaigns.help"), Flash: flash(q)}
	page.List = components.Table{Empty: t("campaigns.none"),
		Head: []string{t("campaigns.name"), t("campaigns.label"), t("campaigns.kind"), t("campaigns.golive"), t("events.status")}}
	for _, c := range cs {
		page.List.Rows = append(page.List.Rows, []string{c.Title, c.Label, t("campaignkind." + string(c.Kind)), q.when(sc, c.GoLiveAt), t("campaignstatus." + c.Status)})
		page.List.Links = append(page.List.Links, base+"/"+c.PublicID)
	}
	if program.Can(sc.Role, program.PermTasksWrite) {
		fields, err := s.campaignFields(q, sc, in, true)
		if err != nil {
			return q.problem(err)
		}
		page.Forms = []components.Form{{Title: t("campaigns.new"), Help: t("campaigns.form_help"), Action: base, Test: "campaign-form",
			Submit: t("campaigns.create"), Wide: true, Fields: fields}}
	}
	return q.render(r.apply(&page), components.RecordPage(q.nav(), page))
}

func (s *Server) campaignFields(q *request, sc program.Scope, in campaign.CampaignInput, label bool) ([]components.Field, error) {
	t := func(k string) string { return components.T(q.ctx, k) }
	fields := []components.Field{}
	if label {
		fields = append(fields, components.Field{Name: "label", Label: t("campaigns.label"), Help: t("campaigns.label_help"), Value: in.Label})
	}
	fields = append(fields,
		components.Field{Name: "title", Label: t("campaigns.name"), Value: in.Title},
		components.Field{Name: "kind", Label: t("campaigns.kind"), Kind: "select", Value: string(in.Kind), Options: q.options("campaignkind", fault.Names(campaign.Kinds))},
		components.Field{Name: "golive_at", Label: t("campaigns.golive"), Help: t("campaigns.golive_help"), Kind: "datetime-local",
			Value: dayInput(in.GoLiveAt, sc.Program.Location())},
		components.Field{Name: "description", Label: t("events.description"), Kind: "textarea", Value: in.Description})
	if program.Can(sc.Role, program.PermBudgetRead) {
		lines, err := s.lineOptions(q, sc)
		if err != nil {
			return nil, err
		}
		fields = append(fields, components.Field{Name: "budget_lines", Label: t("campaigns.lines"), Kind: "checks", Options: lines[1:], Values: in.BudgetLines})
	}
	return fields, nil
}

func campaignInput(f *formReader) campaign.CampaignInput {
	return campaign.CampaignInput{Label: f.str("label"), Title: f.str("title"), Kind: campaign.Kind(f.str("kind")), GoLiveAt: f.when("golive_at"),
		Description: f.str("description"), BudgetLines: f.v["budget_lines"]}
}

func (s *Server) createCampaign(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := campaignInput(f)
	var c campaign.Campaign
	var err error
	if f.bad.Err() == nil {
		c, err = s.Campaigns.Create(q.ctx, sc, in)
	}
	return q.settle("campaign-form", err, f.bad, "/p/"+sc.Program.Slug+"/campaigns/"+c.PublicID+"?done=saved", func(r *refused) error {
		return s.renderCampaigns(q, sc, in, r)
	})
}

// campaignPage is one campaign: its timeline, its tasks, briefings and
// events, its budget lines' burn (to a role that may read the budget), and
// for a role that may write tasks: schedule or take back, rewrite.
func (s *Server) campaignPage(q *request, sc program.Scope) error {
	return s.renderCampaign(q, sc, nil, nil)
}

func (s *Server) renderCampaign(q *request, sc program.Scope, edit *campaign.CampaignInput, r *refused) error {
	c, err := s.Campaigns.Page(q.ctx, sc, q.r.PathValue("campaign"))
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	p := "/p/" + sc.Program.Slug
	base := p + "/campaigns/" + c.Campaign.PublicID
	page := components.RecordView{Pretitle: t("campaignkind." + string(c.Campaign.Kind)), Title: c.Campaign.Title, Status: t("campaignstatus." + c.Campaign.Status),
		Flash: flash(q), Help: c.Campaign.Description,
		Stats: []components.Stat{{Label: t("nav.tasks"), Value: i18n.Number(lang, int64(len(c.Tasks)))},
			{Label: t("briefings.title"), Value: i18n.Number(lang, int64(len(c.Briefings)))},
			{Label: t("events.title"), Value: i18n.Number(lang, int64(len(c.Events)))}},
		Facts: []components.Fact{{Label: t("campaigns.label"), Value: c.Campaign.Label}, {Label: t("campaigns.golive"), Value: q.when(sc, c.Campaign.GoLiveAt)},
			{Label: t("campaigns.live_at"), Value: q.when(sc, c.Campaign.LiveAt)}}}
	if c.Campaign.GoLiveNote != "" {
		page.Error = t("campaigns.golive_note") + ": " + c.Campaign.GoLiveNote
	}
	if c.Budget {
		page.Stats = append(page.Stats, components.Stat{Label: t("budget.spent"), Value: q.money(sc, c.Burn.Spent) + " / " + q.money(sc, c.Burn.Planned)})
		if len(c.Lines) > 0 {
			var names []string
			var figs []budget.Figures
			for _, l := range c.Lines {
				names, figs = append(names, l.Name), append(figs, l.Figures)
			}
			page.Charts = append(page.Charts, q.figuresChart(sc, t("campaigns.burn"), t("budget.line"), names, figs))
		}
	}
	write := program.Can(sc.Role, program.PermTasksWrite)
	switch {
	case write && c.Campaign.Status == campaign.Draft:
		page.Buttons = append(page.Buttons, components.Button{Label: t("campaigns.schedule"), Action: base + "/schedule", Test: "schedule-campaign"})
	case write && c.Campaign.Status == campaign.Scheduled:
		page.Buttons = append(page.Buttons, components.Button{Label: t("campaigns.unschedule"), Action: base + "/unschedule", Class: "btn-outline-secondary",
			Test: "unschedule-campaign"})
	}
	tl := components.Table{Head: []string{t("campaigns.when"), t("campaigns.moment"), t("campaigns.what")}}
	links := map[string]string{"task": p + "/tasks/", "briefing": p + "/briefings/", "event": p + "/events/", "campaign": p + "/campaigns/"}
	for _, m := range c.Timeline {
		tl.Rows = append(tl.Rows, []string{q.when(sc, m.At), t("campaignmoment." + m.What), m.Title})
		tl.Links = append(tl.Links, links[m.Kind]+m.ID)
	}
	page.Sections = append(page.Sections, components.Section{Title: t("campaigns.timeline"), Table: tl})
	for _, part := range []struct {
		title, empty, status string
		items                []campaign.CampaignItem
	}{{t("nav.tasks"), t("campaigns.no_tasks"), "taskstatus.", c.Tasks}, {t("briefings.title"), t("briefings.none"), "briefingstatus.", c.Briefings},
		{t("events.title"), t("events.none"), "eventstatus.", c.Events}} {
		tbl := components.Table{Head: []string{t("campaigns.what"), t("events.status")}, Empty: part.empty}
		for _, x := range part.items {
			tbl.Rows = append(tbl.Rows, []string{x.Title, t(part.status + x.Status)})
			tbl.Links = append(tbl.Links, links[x.Kind]+x.ID)
		}
		page.Sections = append(page.Sections, components.Section{Title: part.title, Table: tbl})
	}
	if write && c.Campaign.Editable() {
		in := c.Campaign.Input()
		if edit != nil {
			in = *edit
		}
		fields, err := s.campaignFields(q, sc, in, false)
		if err != nil {
			return q.problem(err)
		}
		page.Forms = append(page.Forms, components.Form{Title: t("campaigns.edit"), Action: base + "/edit", Test: "campaign-edit", Submit: t("briefings.save"),
			Wide: true, Fields: fields})
	}
	return q.render(r.apply(&page), components.RecordPage(q.nav(), page))
}

func (s *Server) editCampaign(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := campaignInput(f)
	ref := q.r.PathValue("campaign")
	var err error
	if f.bad.Err() == nil {
		_, err = s.Campaigns.Update(q.ctx, sc, ref, in)
	}
	return q.settle("campaign-edit", err, f.bad, "/p/"+sc.Program.Slug+"/campaigns/"+ref+"?done=saved", func(r *refused) error {
		return s.renderCampaign(q, sc, &in, r)
	})
}

func (s *Server) scheduleCampaign(q *request, sc program.Scope) error {
	return s.campaignAction(q, sc, true)
}

func (s *Server) unscheduleCampaign(q *request, sc program.Scope) error {
	return s.campaignAction(q, sc, false)
}

func (s *Server) campaignAction(q *request, sc program.Scope, on bool) error {
	_, err := s.Campaigns.Schedule(q.ctx, sc, q.r.PathValue("campaign"), on)
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/campaigns/"+q.r.PathValue("campaign")+"?done=saved", func(r *refused) error {
		return s.renderCampaign(q, sc, nil, r)
	})
}
