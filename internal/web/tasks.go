package web

import (
	"net/http"
	"strings"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/task"
	"kox/internal/web/components"
)

// tasks is the program's task list with filters and paging.
func (s *Server) tasks(q *request, sc program.Scope) error {
	var err error
	v := q.r.URL.Query()
	f := task.Filter{Status: task.Status(v.Get("status")), Kind: task.Kind(v.Get("kind")), Mode: task.Mode(v.Get("mode")),
		Campaign: v.Get("campaign"), Limit: 50}
	if f.Before, err = cursorOf(q); err != nil {
		return q.problem(err)
	}
	ts, next, err := s.Tasks.List(q.ctx, sc, f)
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	tbl := components.Table{Action: q.r.URL.Path, Empty: t("tasks.none"),
		Filters: []components.Filter{
			{Name: "status", Label: t("tasks.status"), Value: string(f.Status), Options: q.options("taskstatus", fault.Names(task.Statuses))},
			{Name: "kind", Label: t("taskform.kind"), Value: string(f.Kind), Options: q.options("kind", fault.Names(task.Kinds))},
			{Name: "mode", Label: t("taskform.mode"), Value: string(f.Mode), Options: q.options("mode", fault.Names(task.Modes))},
			{Name: "campaign", Label: t("taskform.campaign"), Value: f.Campaign},
		},
		Head: []string{t("taskform.title"), t("tasks.status"), t("taskform.kind"), t("taskform.mode"), t("tasks.slots"), t("taskform.points")},
		Next: components.NextPage(q.r.URL.Path, v, cursor(next)),
	}
	for _, x := range ts {
		tbl.Links = append(tbl.Links, "/p/"+sc.Program.Slug+"/tasks/"+x.PublicID)
		tbl.Rows = append(tbl.Rows, []string{x.Title, t("taskstatus." + string(x.Status)), t("kind." + string(x.Kind)), t("mode." + string(x.Mode)),
			i18n.Number(lang, x.SlotsTaken) + " / " + i18n.Number(lang, int64(x.Capacity)), i18n.Number(lang, x.Reward.Points)})
	}
	newLink := ""
	if program.Can(sc.Role, program.PermTasksWrite) {
		newLink = "/p/" + sc.Program.Slug + "/tasks/new"
	}
	return q.render(http.StatusOK, components.TaskList(q.nav(), tbl, newLink))
}

// taskPage is one task: its facts, brief, eligibility, and claims, with
// the actions the reader's role allows.
func (s *Server) taskPage(q *request, sc program.Scope) error {
	return s.renderTask(q, sc, "", http.StatusOK)
}

func (s *Server) renderTask(q *request, sc program.Scope, errText string, status int) error {
	x, err := s.Tasks.Get(q.ctx, sc, q.r.PathValue("task"))
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	v := components.TaskView{Ref: x.PublicID, Title: x.Title, Status: t("taskstatus." + string(x.Status)), Base: "/p/" + sc.Program.Slug,
		Brief: q.brief(x), Error: errText, Flash: flash(q)}
	v.Facts = []components.Fact{
		{Label: t("taskform.kind"), Value: t("kind." + string(x.Kind))},
		{Label: t("taskform.mode"), Value: t("mode." + string(x.Mode))},
		{Label: t("tasks.slots"), Value: i18n.Number(lang, x.SlotsTaken) + " / " + i18n.Number(lang, int64(x.Capacity))},
		{Label: t("taskform.points"), Value: i18n.Number(lang, x.Reward.Points)},
	}
	if x.Reward.Money > 0 {
		v.Facts = append(v.Facts, components.Fact{Label: t("taskform.money"), Value: i18n.Money(lang, sc.Program.Currency, x.Reward.Money)})
	}
	if !x.ClaimDeadline.IsZero() {
		v.Facts = append(v.Facts, components.Fact{Label: t("taskform.claim_deadline"), Value: q.when(sc, x.ClaimDeadline)})
	}
	if !x.SubmitDeadline.IsZero() {
		v.Facts = append(v.Facts, components.Fact{Label: t("taskform.submit_deadline"), Value: q.when(sc, x.SubmitDeadline)})
	}
	e := x.Eligibility
	var who []string
	if e.Ladder != "" {
		who = append(who, e.Ladder+" ≥ "+e.MinTier)
	}
	for _, r := range e.Roles {
		who = append(who, t("role."+r))
	}
	for _, r := range e.Sources {
		who = append(who, t("source."+r))
	}
	who = append(append(who, e.Regions...), e.Tags...)
	if len(who) == 0 {
		who = []string{t("taskform.anyone")}
	}
	v.Facts = append(v.Facts, components.Fact{Label: t("tasks.for"), Value: strings.Join(who, "、")})
	write := program.Can(sc.Role, program.PermTasksWrite)
	v.CanEdit, v.CanCancel = write && x.Changeable(), write && x.Changeable()
	v.CanPublish, v.CanAssign = write && x.Publishable(), write && x.Assignable()
	cs, _, err := s.Tasks.Claims(q.ctx, sc, task.ClaimFilter{Task: x.PublicID, Limit: 200})
	if err != nil {
		return q.problem(err)
	}
	for _, c := range cs {
		v.Claims = append(v.Claims, components.ClaimRow{Ref: c.PublicID, Member: c.MemberName, MemberRef: c.MemberID,
			Status: t("claim." + string(c.Status)), Due: dueOf(q, sc, c), CanSelect: write && c.Status == task.Applied})
	}
	return q.render(status, components.TaskPage(q.nav(), v))
}

func dueOf(q *request, sc program.Scope, c task.Claim) string {
	if c.SubmitBy.IsZero() {
		return ""
	}
	return q.when(sc, c.SubmitBy)
}

// flash is the short message a redirect after an action asked for.
func flash(q *request) string {
	if k := q.r.URL.Query().Get("done"); k != "" && len(k) < 40 && strings.Trim(k, "abcdefghijklmnopqrstuvwxyz_") == "" {
		return components.T(q.ctx, "done."+k)
	}
	return ""
}

// taskAction runs one of a task's actions and goes back to the task; a
// refusal shows on the task's page.
func (s *Server) taskAction(q *request, sc program.Scope, done string, act func(sc program.Scope, ref string) error) error {
	ref := q.r.PathValue("task")
	if err := act(sc, ref); err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		if fe.Kind == fault.NotFound {
			return q.problem(err)
		}
		return s.renderTask(q, sc, q.refusal(err), statusOf(fe))
	}
	return q.redirect("/p/" + sc.Program.Slug + "/tasks/" + ref + "?done=" + done)
}

func (s *Server) publishTask(q *request, sc program.Scope) error {
	return s.taskAction(q, sc, "published", func(sc program.Scope, ref string) error {
		_, err := s.Tasks.Publish(q.ctx, sc, ref)
		return err
	})
}

func (s *Server) cancelTask(q *request, sc program.Scope) error {
	return s.taskAction(q, sc, "cancelled", func(sc program.Scope, ref string) error {
		_, err := s.Tasks.Cancel(q.ctx, sc, ref, q.r.PostFormValue("reason"))
		return err
	})
}

// assignTask takes the task for the member the operator names (assigns an
// assigned task; claims an open one for them).
func (s *Server) assignTask(q *request, sc program.Scope) error {
	return s.taskAction(q, sc, "assigned", func(sc program.Scope, ref string) error {
		_, err := s.Tasks.Take(q.ctx, sc, ref, strings.TrimSpace(q.r.PostFormValue("member")))
		return err
	})
}

// selectApplicant selects (accept=1) or declines an applicant.
func (s *Server) selectApplicant(q *request, sc program.Scope) error {
	return s.taskAction(q, sc, "selected", func(sc program.Scope, _ string) error {
		_, err := s.Tasks.Select(q.ctx, sc, q.r.PathValue("claim"), q.r.PostFormValue("accept") == "1")
		return err
	})
}
