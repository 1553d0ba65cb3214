package web

import (
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/web/components"
)

// jobsPage lists the scheduled jobs (the installation's and the program's)
// with their next run and last outcome, "run now", and the latest runs.
func (s *Server) jobsPage(q *request, sc program.Scope) error {
	return s.renderJobs(q, sc, nil)
}

func (s *Server) renderJobs(q *request, sc program.Scope, r *refused) error {
	js, err := s.Jobs.List(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	v := q.r.URL.Query()
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	runs, next, err := s.Jobs.Runs(q.ctx, sc, v.Get("job"), before, 50)
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/jobs"
	page := components.RecordView{Title: t("nav.jobs"), Help: t("jobs.help"), Flash: flash(q)}
	jobs := components.Table{Head: []string{t("jobs.name"), t("jobs.schedule"), t("jobs.next"), t("jobs.last"), t("jobs.outcome")}, Empty: t("jobs.none")}
	var names []components.Option
	for _, j := range js {
		last, outcome := "—", "—"
		if !j.LastRunAt.IsZero() {
			last, outcome = q.when(sc, j.LastRunAt), t("outcome."+j.LastOutcome)
		}
		if j.Running {
			outcome = t("outcome.running")
		}
		jobs.Rows = append(jobs.Rows, []string{t("jobname." + j.Name), j.Schedule + " (" + j.Zone + ")", q.when(sc, j.NextRunAt), last, outcome})
		var acts []components.Button
		if j.Program != 0 || sc.Actor.Owner {
			acts = []components.Button{{Label: t("jobs.run_now"), Action: base + "/run", Hidden: []components.Pair{{Name: "job", Value: j.Name}},
				Class: "btn-sm btn-outline-primary", Test: "run-now"}}
		}
		jobs.Actions = append(jobs.Actions, acts)
		names = append(names, components.Option{Value: j.Name, Label: t("jobname." + j.Name)})
	}
	page.Sections = []components.Section{{Title: t("nav.jobs"), Table: jobs}}
	page.List = components.Table{Action: q.r.URL.Path, Empty: t("jobs.no_runs"),
		Filters: []components.Filter{{Name: "job", Label: t("jobs.name"), Value: v.Get("job"), Options: names}},
		Head:    []string{t("jobs.name"), t("jobs.due"), t("jobs.started"), t("jobs.ended"), t("jobs.outcome"), t("jobs.changed"), t("jobs.instance"), t("jobs.note")},
		Next:    components.NextPage(q.r.URL.Path, v, cursor(next))}
	for _, x := range runs {
		ended := "—"
		if !x.EndedAt.IsZero() {
			ended = q.when(sc, x.EndedAt)
		}
		page.List.Rows = append(page.List.Rows, []string{t("jobname." + x.Job), q.when(sc, x.DueAt), q.when(sc, x.StartedAt), ended, t("outcome." + x.Outcome),
			i18n.Number(lang, x.Changed), x.Owner, x.Note})
	}
	return q.render(r.apply(&page), components.RecordPage(q.nav(), page))
}

func (s *Server) runJobNow(q *request, sc program.Scope) error {
	_, err := s.Jobs.RunNow(q.ctx, sc, q.r.PostFormValue("job"))
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/jobs?done=job_due", func(r *refused) error { return s.renderJobs(q, sc, r) })
}
