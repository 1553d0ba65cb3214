package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
)

// cell is the number a chart's table gives in a row's first figure.
func cell(body, row string) string {
	m := regexp.MustCompile(`<th scope="row" class="fw-normal">` + regexp.QuoteMeta(row) + `</th><td class="text-end">([0-9,]+)</td>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// The dashboard's figures are the program's: members per tier, by source,
// the task funnel and the review queue, each chart with its table; the
// last changes only for roles that may read the audit log.
func TestDashboard(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		seedMembers(t, d, 30) // 10 seeded in 杭州, 20 fans in 上海
		ctx := program.WithActor(context.Background(), program.System("test"))
		sc, _ := s.a.Programs.Scope(ctx, "qicheng")
		ms, _, err := s.a.Members.List(ctx, sc, member.Filter{Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms[:3] {
			if _, err := s.a.Ladders.SetTier(ctx, sc, m.PublicID, "main", "experience", "试驾"); err != nil {
				t.Fatal(err)
			}
		}
		tk, err := s.a.Tasks.Create(ctx, sc, task.Input{Title: "分享", Kind: task.Content, Mode: task.Open, Capacity: 8})
		if err == nil {
			tk, err = s.a.Tasks.Publish(ctx, sc, tk.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range ms {
			c, err := s.a.Tasks.Take(ctx, sc, tk.PublicID, m.PublicID)
			if err != nil {
				t.Fatal(err)
			}
			if i < 3 {
				x, err := s.a.Tasks.Submit(ctx, sc, c.PublicID, task.SubmissionInput{Text: fmt.Sprint("作品", i)})
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					if _, err := s.a.Tasks.Review(ctx, sc, x.PublicID, task.Approve, 5, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		s.signIn("owner@web.kox")
		p := s.do("GET", "/p/qicheng", nil)
		checkPage(t, p)
		if p.status != 200 || strings.Count(p.body, `data-test="chart-card"`) != 3 || !strings.Contains(p.body, "/static/kox/charts.js") {
			t.Fatalf("dashboard: %d %s", p.status, p.body)
		}
		for row, want := range map[string]string{"体验授权": "3", "已发布任务名额": "8", "已领取": "4", "已提交": "3", "已通过": "1", "投放": "10", "真爱": "20"} {
			if got := cell(p.body, row); got != want {
				t.Errorf("%s: %q, want %s", row, got, want)
			}
		}
		for _, want := range []string{`data-test="stat-members">30<`, `data-test="stat-review">2<`, "submission.approved", "最近变更"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("dashboard lacks %s", want)
			}
		}
		// A reviewer sees the figures, not the audit log.
		r := s.teammate("qicheng", program.RoleReviewer).do("GET", "/p/qicheng", nil)
		if r.status != 200 || strings.Contains(r.body, "最近变更") || !strings.Contains(r.body, `data-test="stat-review">2<`) {
			t.Fatalf("reviewer's dashboard: %d", r.status)
		}
	})
}
