package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
)

// benchMembers is how many members the page benchmark's program holds.
const benchMembers = 100000

// BenchmarkPages measures the server time of the console's busiest pages
// over HTTP with 100,000 members: the dashboard, the member table filtered
// and sorted, and a member's page, each beside the sign-in page (a page
// through the same stack that reads nothing), as p50 and p95 of sequential
// requests. go test -bench Pages -benchtime 1x; scripts/bench turns the
// figures into BENCHMARKS.md.
func BenchmarkPages(b *testing.B) {
	for _, e := range dbtest.Engines {
		b.Run(string(e), func(b *testing.B) {
			s, pages := pagesWorld(b, e)
			for _, p := range pages {
				b.Run(p.name, func(b *testing.B) {
					for range b.N {
						p50, p95 := timePage(b, s, p.path, p.status)
						b.ReportMetric(p50, "p50-ms")
						b.ReportMetric(p95, "p95-ms")
					}
				})
			}
		})
	}
}

type benchPage struct {
	name, path string
	status     int
}

// pagesWorld is a program of 100,000 members (a third on a tier, a tenth
// tagged, cities and sources spread), tasks with claims and submissions,
// and its owner signed in.
func pagesWorld(b *testing.B, e db.Engine) (*site, []benchPage) {
	d := dbtest.Open(b, e)
	s := newSite(b, d)
	ctx := program.WithActor(context.Background(), program.System("bench"))
	sc, err := s.a.Programs.Scope(ctx, "qicheng")
	if err != nil {
		b.Fatal(err)
	}
	cities := []string{"杭州", "上海", "北京", "深圳", "成都", "武汉", "南京", "西安"}
	sources := []member.Source{member.Fan, member.Incubated, member.Seeded, member.Scripted}
	for start := 0; start < benchMembers; start += 5000 {
		batch := make([]member.NewMember, 0, 5000)
		for i := start; i < start+5000; i++ {
			n := member.NewMember{Fields: member.Fields{Name: fmt.Sprintf("车主%06d", (i*7919)%benchMembers), Phone: fmt.Sprintf("139%08d", i),
				Role: member.KOC, Source: sources[(i/len(cities))%4], City: cities[i%len(cities)], Region: "华东", Status: member.Active}}
			if i%10 == 0 {
				n.Tags = []string{"露营"}
			}
			batch = append(batch, n)
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return member.CreateManyTx(ctx, tx, sc.Program.ID, batch) }); err != nil {
			b.Fatal(err)
		}
	}
	for i, tier := range []string{"information", "experience", "product"} {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO member_tiers (program_id, member_id, ladder_id, tier_id, since)
				SELECT m.program_id, m.id, l.id, t.id, 0 FROM members m JOIN ladders l ON l.program_id = m.program_id AND l.key = 'main'
				JOIN tiers t ON t.ladder_id = l.id AND t.key = $2 WHERE m.program_id = $1 AND m.id % 9 = $3`, sc.Program.ID, tier, i)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// As after an import: the planner knows the table's new size.
	if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	ms, _, err := s.a.Members.List(ctx, sc, member.Filter{City: "杭州", Limit: 200})
	if err != nil {
		b.Fatal(err)
	}
	for k := 0; k < 10; k++ {
		tk, err := s.a.Tasks.Create(ctx, sc, task.Input{Title: fmt.Sprintf("任务%d", k), Kind: task.Content, Mode: task.Open, Capacity: 100,
			Reward: task.Reward{Points: 50}})
		if err == nil {
			tk, err = s.a.Tasks.Publish(ctx, sc, tk.PublicID)
		}
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range ms[k*20 : k*20+20] {
			c, err := s.a.Tasks.Take(ctx, sc, tk.PublicID, m.PublicID)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.a.Tasks.Submit(ctx, sc, c.PublicID, task.SubmissionInput{Text: "作品"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	s.signIn("owner@web.kox")
	return s, []benchPage{
		// A page through the same stack (the session, the shell) that
		// reads nothing else: kox's page for an address it does not know.
		{"baseline", "/p/qicheng/no-such-page", http.StatusNotFound},
		{"dashboard", "/p/qicheng", http.StatusOK},
		{"members", "/p/qicheng/members?city=%E6%9D%AD%E5%B7%9E&source=seeded&sort=name", http.StatusOK},
		{"member", "/p/qicheng/members/" + ms[0].PublicID, http.StatusOK},
	}
}

// timePage requests path 200 times, one after another, after a warm-up,
// and returns the p50 and p95 in milliseconds.
func timePage(b *testing.B, s *site, path string, status int) (float64, float64) {
	get := func() time.Duration {
		req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
		t0 := time.Now()
		p := s.send(req)
		d := time.Since(t0)
		if p.status != status {
			b.Fatalf("%s: %d", path, p.status)
		}
		if strings.HasPrefix(path, "/p/") && !strings.Contains(p.body, "</html>") {
			b.Fatalf("%s: not a whole page", path)
		}
		return d
	}
	for range 20 {
		get()
	}
	ds := make([]time.Duration, 200)
	for i := range ds {
		ds[i] = get()
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return ms(ds[len(ds)/2]), ms(ds[len(ds)*95/100])
}
