package web_test

import (
	"net/url"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/job"
	"kox/internal/program"
)

// The jobs page lists kox's jobs with their runs; an owner runs an
// installation's job now, a program's admin may not (403, said on the
// page), and the run it made is recorded with its outcome.
func TestJobsPage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		if err := w.s.a.RegisterJobs(w.ctx); err != nil {
			t.Fatal(err)
		}
		w.s.signIn("owner@web.kox")
		page := w.s.do("GET", "/p/qicheng/jobs", nil)
		checkPage(t, page)
		if page.status != 200 || !strings.Contains(page.body, "积分过期") || strings.Count(page.body, `data-test="run-now"`) != 13 {
			t.Fatalf("jobs page: %d %s", page.status, page.body)
		}
		admin := w.s.teammate("qicheng", program.RoleAdmin)
		if p := admin.do("GET", "/p/qicheng/jobs", nil); strings.Contains(p.body, `data-test="run-now"`) {
			t.Fatal("a program's admin is offered to run the installation's jobs")
		}
		if p := admin.do("POST", "/p/qicheng/jobs/run", url.Values{"job": {"points.expire"}}); p.status != 403 {
			t.Fatalf("a program's admin ran an installation job: %d", p.status)
		}
		if p := w.s.do("POST", "/p/qicheng/jobs/run", url.Values{"job": {"points.expire"}}); p.status != 303 {
			t.Fatalf("run now: %d %s", p.status, p.body)
		}
		if ran, err := w.s.a.Scheduler.Tick(w.ctx); err != nil || ran < 1 {
			t.Fatalf("tick: %d %v", ran, err)
		}
		runs, _, err := job.Runs(w.ctx, d, 0, "points.expire", 0, 10)
		if err != nil || len(runs) != 1 || runs[0].Outcome != job.OK {
			t.Fatalf("runs: %+v %v", runs, err)
		}
		after := w.s.do("GET", "/p/qicheng/jobs?job=points.expire", nil)
		checkPage(t, after)
		if !strings.Contains(after.body, "完成") || !strings.Contains(after.body, runs[0].Owner) {
			t.Fatalf("the run on the page: %s", after.body)
		}
	})
}
