package promotion_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"pgregory.net/rapid"

	"kox/internal/apptest"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/promotion"
	"kox/internal/task"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// 10:00 in Shanghai on 1 March 2026.
var start = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// rules puts an entry rule on the default ladder's second tier
// (experience), whose members come from the first (information).
func rules(t tb, w *apptest.World, rule *ladder.EntryRule) {
	t.Helper()
	specs := ladder.DefaultTemplate()
	specs[0].Tiers[1].Entry = rule
	if _, err := w.A.Ladders.Apply(w.Ctx, w.SC, specs); err != nil {
		t.Fatal(err)
	}
}

// record gives m n approved tasks scored score, each reporting reach; with
// late set, n tasks taken and left to expire instead.
func record(t tb, w *apptest.World, m member.Member, n, score int, late bool, reach int64) {
	t.Helper()
	for i := 0; i < n; i++ {
		in := task.Input{Title: fmt.Sprintf("任务 %s %d", m.PublicID, i), Kind: task.Content, Mode: task.Open, Capacity: 5, Reward: task.Reward{Points: 10}}
		if late {
			in.SubmitWithinHours = 1
		}
		tk, err := w.A.Tasks.Create(w.Ctx, w.SC, in)
		if err == nil {
			tk, err = w.A.Tasks.Publish(w.Ctx, w.SC, tk.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		c, err := w.A.Tasks.Take(w.Ctx, w.SC, tk.PublicID, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		if late {
			// Left past its deadline: the claim expires, handed in late by no one.
			w.Advance(2 * time.Hour)
			if _, _, err := w.A.Tasks.Expire(w.Ctx); err != nil {
				t.Fatal(err)
			}
			continue
		}
		sub, err := w.A.Tasks.Submit(w.Ctx, w.As(m), c.PublicID, task.SubmissionInput{Text: "作品", Reach: reach})
		if err != nil {
			t.Fatal(err)
		}
		s := score
		if s == 0 {
			s = 4
		}
		if _, err := w.A.Tasks.Review(w.Ctx, w.SC, sub.PublicID, "approved", s, "好"); err != nil {
			t.Fatal(err)
		}
	}
}

func onTier(t tb, w *apptest.World, m member.Member, tier string) {
	t.Helper()
	if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, m.PublicID, "main", tier, "起步"); err != nil {
		t.Fatal(err)
	}
}

func progress(t tb, w *apptest.World, m member.Member) promotion.Assessment {
	t.Helper()
	ps, err := w.A.Promotion.Progress(w.Ctx, w.As(m), m.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.To == "experience" {
			return p
		}
	}
	t.Fatalf("no progress towards experience: %+v", ps)
	return promotion.Assessment{}
}

// Each criterion against members exactly at, just under and over its
// threshold, on both engines.
func TestCriteriaAtTheirThresholds(t *testing.T) {
	cases := []struct {
		name  string
		rule  ladder.Criterion
		setup func(t *testing.T, w *apptest.World, m member.Member)
		want  bool
		value float64
	}{
		{"three approved tasks, asked three", ladder.Criterion{Kind: ladder.ApprovedTasks, Min: 3},
			func(t *testing.T, w *apptest.World, m member.Member) { record(t, w, m, 3, 4, false, 0) }, true, 3},
		{"two approved tasks, asked three", ladder.Criterion{Kind: ladder.ApprovedTasks, Min: 3},
			func(t *testing.T, w *apptest.World, m member.Member) { record(t, w, m, 2, 4, false, 0) }, false, 2},
		{"content tasks only", ladder.Criterion{Kind: ladder.ApprovedTasks, Min: 1, Kinds: []string{"deep_review"}},
			func(t *testing.T, w *apptest.World, m member.Member) { record(t, w, m, 2, 4, false, 0) }, false, 0},
		{"average exactly 4.5", ladder.Criterion{Kind: ladder.AverageScore, Min: 4.5},
			func(t *testing.T, w *apptest.World, m member.Member) {
				record(t, w, m, 1, 4, false, 0)
				record(t, w, m, 1, 5, false, 0)
			}, true, 4.5},
		{"average 4.33 under 4.5", ladder.Criterion{Kind: ladder.AverageScore, Min: 4.5},
			func(t *testing.T, w *apptest.World, m member.Member) {
				record(t, w, m, 2, 4, false, 0)
				record(t, w, m, 1, 5, false, 0)
			}, false, 4.3},
		{"on time 50% asked 50", ladder.Criterion{Kind: ladder.OnTimeRate, Min: 50},
			func(t *testing.T, w *apptest.World, m member.Member) {
				record(t, w, m, 1, 4, false, 0)
				record(t, w, m, 1, 4, true, 0)
			}, true, 50},
		{"on time 50% asked 51", ladder.Criterion{Kind: ladder.OnTimeRate, Min: 51},
			func(t *testing.T, w *apptest.World, m member.Member) {
				record(t, w, m, 1, 4, false, 0)
				record(t, w, m, 1, 4, true, 0)
			}, false, 50},
		{"reach exactly 10,000", ladder.Criterion{Kind: ladder.Reach, Min: 10000},
			func(t *testing.T, w *apptest.World, m member.Member) { record(t, w, m, 2, 4, false, 5000) }, true, 10000},
		{"a strike 29 days ago, window 30", ladder.Criterion{Kind: ladder.NoStrikes, Days: 30},
			func(t *testing.T, w *apptest.World, m member.Member) {
				if _, err := w.A.Promotion.Strike(w.Ctx, w.SC, m.PublicID, "未标注广告"); err != nil {
					t.Fatal(err)
				}
				w.Advance(29 * 24 * time.Hour)
			}, false, 1},
		{"a strike 31 days ago, window 30", ladder.Criterion{Kind: ladder.NoStrikes, Days: 30},
			func(t *testing.T, w *apptest.World, m member.Member) {
				if _, err := w.A.Promotion.Strike(w.Ctx, w.SC, m.PublicID, "未标注广告"); err != nil {
					t.Fatal(err)
				}
				w.Advance(31 * 24 * time.Hour)
			}, true, 0},
		{"nominated by a mentor", ladder.Criterion{Kind: ladder.Nominated},
			func(t *testing.T, w *apptest.World, m member.Member) {
				if _, err := w.A.Promotion.Nominate(w.Ctx, w.SC, m.PublicID, "main/experience", "带新人很用心"); err != nil {
					t.Fatal(err)
				}
			}, true, 1},
		// Entered at 10:00 on 1 March (Shanghai): 30 days are whole on
		// 31 March from local midnight, not before.
		{"tenure: 23:59 on the 30th local day", ladder.Criterion{Kind: ladder.TenureDays, Min: 30},
			func(t *testing.T, w *apptest.World, m member.Member) {
				w.Set(time.Date(2026, 3, 30, 15, 59, 0, 0, time.UTC))
			}, false, 29},
		{"tenure: 00:00 on the 31st local day", ladder.Criterion{Kind: ladder.TenureDays, Min: 30},
			func(t *testing.T, w *apptest.World, m member.Member) {
				w.Set(time.Date(2026, 3, 30, 16, 0, 0, 0, time.UTC))
			}, true, 30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, d *db.DB) {
				w := apptest.New(t, d, start)
				rules(t, w, &ladder.EntryRule{Match: "all", Criteria: []ladder.Criterion{c.rule}})
				m := w.Member()
				onTier(t, w, m, "information")
				c.setup(t, w, m)
				p := progress(t, w, m)
				if p.Ready != c.want || p.Criteria[0].Met != c.want || p.Criteria[0].Value != c.value {
					t.Fatalf("ready %v (value %v), want %v (value %v): %+v", p.Ready, p.Criteria[0].Value, c.want, c.value, p)
				}
				res, err := w.A.Promotion.Evaluate(w.Ctx, w.SC)
				if err != nil {
					t.Fatal(err)
				}
				if (res.Found == 1) != c.want || res.Assessed != 1 {
					t.Fatalf("evaluation %+v, want a candidate: %v", res, c.want)
				}
			})
		})
	}
}

// Candidates are found with their evidence, approved in bulk (the members
// move up, the rest lapse or wait), a decision is made once, declined
// members rest, and a tier marked auto promotes by itself.
func TestCandidatesApprovedInBulk(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		rules(t, w, &ladder.EntryRule{Match: "any", Criteria: []ladder.Criterion{{Kind: ladder.ApprovedTasks, Min: 1}, {Kind: ladder.Nominated}}})
		ms := w.Members(4)
		for i, m := range ms {
			onTier(t, w, m, "information")
			if i < 3 {
				record(t, w, m, 1, 5, false, 100)
			}
		}
		res, err := w.A.Promotion.Evaluate(w.Ctx, w.SC)
		if err != nil || res.Found != 3 || res.Assessed != 4 {
			t.Fatalf("evaluate: %+v %v", res, err)
		}
		if again, _ := w.A.Promotion.Evaluate(w.Ctx, w.SC); again.Found != 0 {
			t.Fatalf("a second evaluation found %d new", again.Found)
		}
		cs, _, err := w.A.Promotion.Candidates(w.Ctx, w.SC, promotion.Filter{Limit: 50})
		if err != nil || len(cs) != 3 || len(cs[0].Evidence) != 2 || !cs[0].Evidence[0].Met || cs[0].Evidence[0].Value != 1 {
			t.Fatalf("candidates: %+v %v", cs, err)
		}
		// The third is moved by hand before the decision.
		onTier(t, w, member.Member{PublicID: cs[0].Member}, "product")
		ds, err := w.A.Promotion.Decide(w.Ctx, w.SC, []string{cs[2].PublicID, cs[1].PublicID, cs[0].PublicID}, true, "季度评审")
		if err != nil {
			t.Fatal(err)
		}
		if ds[0].Status != promotion.Approved || ds[1].Status != promotion.Approved || ds[2].Error == nil || ds[2].Error.Code != "promotion.moved" {
			t.Fatalf("decisions: %+v", ds)
		}
		again, _ := w.A.Promotion.Decide(w.Ctx, w.SC, []string{cs[1].PublicID}, false, "")
		if again[0].Error == nil || again[0].Error.Code != "promotion.decided" {
			t.Fatalf("decided twice: %+v", again)
		}
		st, _ := w.A.Ladders.Standings(w.Ctx, w.SC, cs[1].Member)
		if len(st) != 1 || st[0].Tier != "experience" {
			t.Fatalf("the approved member stands at %+v", st)
		}
		// Declined: not proposed again for 30 days.
		onTier(t, w, ms[3], "information")
		if _, err := w.A.Promotion.Nominate(w.Ctx, w.SC, ms[3].PublicID, "main/experience", "潜力股"); err != nil {
			t.Fatal(err)
		}
		if res, _ := w.A.Promotion.Evaluate(w.Ctx, w.SC); res.Found != 1 {
			t.Fatalf("the nominated member: %+v", res)
		}
		open, _, _ := w.A.Promotion.Candidates(w.Ctx, w.SC, promotion.Filter{Limit: 50})
		if len(open) != 1 {
			t.Fatalf("open: %+v", open)
		}
		if ds, _ := w.A.Promotion.Decide(w.Ctx, w.SC, []string{open[0].PublicID}, false, "再观察"); ds[0].Status != promotion.Declined {
			t.Fatalf("decline: %+v", ds)
		}
		if res, _ := w.A.Promotion.Evaluate(w.Ctx, w.SC); res.Found != 0 {
			t.Fatalf("a declined member proposed again at once: %+v", res)
		}
		w.Advance(31 * 24 * time.Hour)
		if res, _ := w.A.Promotion.Evaluate(w.Ctx, w.SC); res.Found != 1 {
			t.Fatalf("a declined member after the rest: %+v", res)
		}
		// A tier that promotes by itself.
		rules(t, w, &ladder.EntryRule{Match: "any", Auto: true, Criteria: []ladder.Criterion{{Kind: ladder.Nominated}}})
		res, err = w.A.Promotion.Evaluate(w.Ctx, w.SC)
		if err != nil || res.Promoted != 1 {
			t.Fatalf("auto: %+v %v", res, err)
		}
		if st, _ := w.A.Ladders.Standings(w.Ctx, w.SC, ms[3].PublicID); st[0].Tier != "experience" {
			t.Fatalf("auto-promoted member at %+v", st)
		}
	})
}

// For random records and rules, a member's progress says ready exactly
// when the evaluator makes them a candidate.
func TestProgressEqualsEvaluation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		rapid.Check(t, func(rt *rapid.T) {
			var crit []ladder.Criterion
			for _, k := range rapid.SliceOfNDistinct(rapid.SampledFrom([]string{ladder.ApprovedTasks, ladder.AverageScore, ladder.OnTimeRate,
				ladder.Reach, ladder.TenureDays, ladder.NoStrikes}), 1, 3, rapid.ID[string]).Draw(rt, "kinds") {
				c := ladder.Criterion{Kind: k}
				switch k {
				case ladder.AverageScore:
					c.Min = float64(rapid.IntRange(30, 50).Draw(rt, "score")) / 10
				case ladder.OnTimeRate:
					c.Min = float64(rapid.IntRange(1, 100).Draw(rt, "rate"))
				case ladder.NoStrikes:
					c.Days = rapid.IntRange(1, 60).Draw(rt, "days")
				case ladder.Reach:
					c.Min = float64(rapid.IntRange(1, 3000).Draw(rt, "reach"))
				default:
					c.Min = float64(rapid.IntRange(1, 3).Draw(rt, "min"))
				}
				crit = append(crit, c)
			}
			rules(rt, w, &ladder.EntryRule{Match: rapid.SampledFrom([]string{"all", "any"}).Draw(rt, "match"), Criteria: crit})
			m := w.Member()
			onTier(rt, w, m, "information")
			for i := rapid.IntRange(0, 3).Draw(rt, "tasks"); i > 0; i-- {
				record(rt, w, m, 1, rapid.IntRange(1, 5).Draw(rt, "s"), rapid.Bool().Draw(rt, "late"), int64(rapid.IntRange(0, 1500).Draw(rt, "r")))
			}
			if rapid.Bool().Draw(rt, "strike") {
				if _, err := w.A.Promotion.Strike(w.Ctx, w.SC, m.PublicID, "违规"); err != nil {
					rt.Fatal(err)
				}
			}
			w.Advance(time.Duration(rapid.IntRange(0, 40*24).Draw(rt, "hours")) * time.Hour)
			p := progress(rt, w, m)
			if _, err := w.A.Promotion.Evaluate(w.Ctx, w.SC); err != nil {
				rt.Fatal(err)
			}
			cs, _, err := w.A.Promotion.Candidates(w.Ctx, w.SC, promotion.Filter{Limit: 200})
			if err != nil {
				rt.Fatal(err)
			}
			candidate := false
			for _, c := range cs {
				candidate = candidate || c.Member == m.PublicID
			}
			if candidate != p.Ready {
				rt.Fatalf("progress says ready=%v, the evaluator candidate=%v: %+v", p.Ready, candidate, p)
			}
			// Leave no member at the tier for the next draw.
			onTier(rt, w, m, "relationship")
		})
	})
}
