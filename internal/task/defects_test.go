package task_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"kox/internal/app"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// world is a program with its services, acting as the system.
type world struct {
	t   *testing.T
	a   *app.App
	ctx context.Context
	sc  program.Scope
	now time.Time
	mu  sync.Mutex
}

func newWorld(t *testing.T, d *db.DB) *world {
	w := &world{t: t, now: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
	d.SetClock(func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now })
	w.a = app.Assemble(app.Config{Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, d)
	t.Cleanup(w.a.Ledger.Close)
	w.ctx = program.WithActor(context.Background(), program.System("test"))
	p, err := w.a.Programs.Create(w.ctx, program.Program{Slug: "qicheng", Name: "启程"})
	if err != nil {
		t.Fatal(err)
	}
	w.sc, err = w.a.Programs.Scope(w.ctx, p.Slug)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

func (w *world) member() member.Member {
	w.t.Helper()
	m, err := w.a.Members.Create(w.ctx, w.sc, member.NewMember{Fields: member.Fields{Name: fmt.Sprintf("会员%d", time.Now().UnixNano()%1e9),
		Role: member.KOC, Status: member.Active}})
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

func (w *world) task(in task.Input) task.Task {
	w.t.Helper()
	if in.Title == "" {
		in.Title, in.Kind, in.Mode = "分享", task.Content, task.Open
	}
	if in.Capacity == 0 {
		in.Capacity = 5
	}
	t, err := w.a.Tasks.Create(w.ctx, w.sc, in)
	if err != nil {
		w.t.Fatal(err)
	}
	if t, err = w.a.Tasks.Publish(w.ctx, w.sc, t.PublicID); err != nil {
		w.t.Fatal(err)
	}
	return t
}

func (w *world) claim(t task.Task, m member.Member) task.Claim {
	w.t.Helper()
	c, err := w.a.Tasks.Take(w.ctx, w.sc, t.PublicID, m.PublicID)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// Expiry reads its candidates, then locks each and looks again: a claim
// handed in (or withdrawn) in between is left as it is, its submission
// pending and its slot held. Before the fix the claim was expired anyway,
// its slot released and its pending submission rejected.
func TestExpiryLeavesClaimsChangedSinceItLooked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		tk := w.task(task.Input{SubmitWithinHours: 1})
		submitted, withdrawn, idle := w.claim(tk, w.member()), w.claim(tk, w.member()), w.claim(tk, w.member())
		w.advance(2 * time.Hour)
		task.AfterCandidates(w.a.Tasks, func() {
			// The deadline passed, but the member hands in first: the
			// service allows no late submission, so give the claim
			// more time as an operator would, submit, and put the time
			// back.
			w.advance(-2 * time.Hour)
			if _, err := w.a.Tasks.Submit(w.ctx, w.sc, submitted.PublicID, task.SubmissionInput{Text: "我的作品"}); err != nil {
				t.Error(err)
			}
			if _, err := w.a.Tasks.Withdraw(w.ctx, w.sc, withdrawn.PublicID); err != nil {
				t.Error(err)
			}
			w.advance(2 * time.Hour)
		})
		n, _, err := w.a.Tasks.Expire(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("expired %d claims, want 1 (the idle one)", n)
		}
		for ref, want := range map[string]task.ClaimStatus{submitted.PublicID: task.Submitted, withdrawn.PublicID: task.Withdrawn, idle.PublicID: task.Expired} {
			c, err := w.a.Tasks.ClaimByID(w.ctx, w.sc, ref)
			if err != nil || c.Status != want {
				t.Errorf("claim %s: %s, %v; want %s", ref, c.Status, err, want)
			}
		}
		subs, _, err := w.a.Tasks.Submissions(w.ctx, w.sc, task.SubmissionFilter{Claim: submitted.PublicID, Limit: 10})
		if err != nil || len(subs) != 1 || subs[0].Status != "pending" {
			t.Fatalf("the submission handed in must stay pending: %+v %v", subs, err)
		}
		got, err := w.a.Tasks.Get(w.ctx, w.sc, tk.PublicID)
		if err != nil || got.SlotsTaken != 1 || got.SlotsFree != 4 {
			t.Fatalf("slots: taken %d free %d, %v; want 1 and 4", got.SlotsTaken, got.SlotsFree, err)
		}
	})
}

// A recurring obligation settles by ObligationOutcome once every occurrence
// is decided. Before the fix, rejecting the last open week approved the
// whole claim.
func TestObligationSettlesByItsOccurrences(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		tk := w.task(task.Input{Title: "日记", Kind: task.Diary, Mode: task.Open, Recurrence: &task.Recurrence{IntervalDays: 7, Count: 2}})
		review := func(c task.Claim, decision string) {
			t.Helper()
			sub, err := w.a.Tasks.Submit(w.ctx, w.sc, c.PublicID, task.SubmissionInput{Text: "本周"})
			if err != nil {
				t.Fatal(err)
			}
			score, feedback := 0, "不合格"
			if decision == task.Approve {
				score, feedback = 4, ""
			}
			if _, err := w.a.Tasks.Review(w.ctx, w.sc, sub.PublicID, decision, score, feedback); err != nil {
				t.Fatal(err)
			}
		}
		status := func(c task.Claim) task.ClaimStatus {
			t.Helper()
			got, err := w.a.Tasks.ClaimByID(w.ctx, w.sc, c.PublicID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Status
		}
		rejected := w.claim(tk, w.member())
		review(rejected, task.Reject)
		if s := status(rejected); s != task.Claimed {
			t.Fatalf("one week of two decided: %s, want still claimed", s)
		}
		review(rejected, task.Reject)
		if s := status(rejected); s != task.Rejected {
			t.Fatalf("both weeks rejected: %s, want rejected", s)
		}
		approved := w.claim(tk, w.member())
		review(approved, task.Approve)
		review(approved, task.Approve)
		if s := status(approved); s != task.Approved {
			t.Fatalf("both weeks approved: %s, want approved", s)
		}
		half := w.claim(tk, w.member())
		review(half, task.Approve)
		review(half, task.Reject)
		if s := status(half); s != task.Rejected {
			t.Fatalf("one of two approved is not more than half: %s, want rejected", s)
		}
	})
}

func TestObligationOutcomeRule(t *testing.T) {
	occ := func(ss ...string) []task.Occurrence {
		out := make([]task.Occurrence, len(ss))
		for i, s := range ss {
			out[i] = task.Occurrence{Seq: i + 1, Status: s}
		}
		return out
	}
	cases := []struct {
		in   []task.Occurrence
		want task.ClaimStatus
	}{
		{occ("approved", "approved", "missed"), task.Approved},
		{occ("approved", "rejected"), task.Rejected},
		{occ("missed", "missed"), task.Expired},
		{occ("rejected", "missed"), task.Rejected},
		{occ("approved", "open"), ""},
		{occ("approved", "submitted"), ""},
		{occ("approved", "changes_requested"), ""},
		{nil, ""},
	}
	for _, c := range cases {
		if got := task.ObligationOutcome(c.in); got != c.want {
			t.Errorf("%v: %q, want %q", c.in, got, c.want)
		}
	}
}

// Two updates of one member at once each keep the other's change. Before
// the fix the second read the row unlocked and wrote every column back,
// losing the first's change on PostgreSQL.
func TestConcurrentMemberUpdatesKeepBothChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		for round := 0; round < 10; round++ {
			m := w.member()
			city, region := fmt.Sprintf("城市%d", round), fmt.Sprintf("区域%d", round)
			var wg sync.WaitGroup
			for _, p := range []member.Patch{{City: &city}, {Region: &region}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := w.a.Members.Update(w.ctx, w.sc, m.PublicID, p); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			got, err := w.a.Members.Get(w.ctx, w.sc, m.PublicID)
			if err != nil || got.City != city || got.Region != region {
				t.Fatalf("round %d: city %q region %q, %v; want both changes", round, got.City, got.Region, err)
			}
		}
	})
}

// A tier a live task names cannot be removed, and a tier that members'
// history names is retired, not deleted: the history keeps it. Before the
// fix the tier and the history went, and every later claim on the task
// failed with a not-found.
func TestTierRemovalKeepsTasksAndHistory(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		tk := w.task(task.Input{Eligibility: task.Eligibility{Ladder: "main", MinTier: "experience"}})
		m := w.member()
		if _, err := w.a.Ladders.SetTier(w.ctx, w.sc, m.PublicID, "main", "experience", "试驾表现好"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.a.Ladders.SetTier(w.ctx, w.sc, m.PublicID, "main", "information", "回到起点"); err != nil {
			t.Fatal(err)
		}
		without := func(key string) []ladder.LadderSpec {
			specs := ladder.DefaultTemplate()
			kept := specs[0].Tiers[:0:0]
			for _, t := range specs[0].Tiers {
				if t.Key != key {
					kept = append(kept, t)
				}
			}
			specs[0].Tiers = kept
			return specs
		}
		_, err := w.a.Ladders.Apply(w.ctx, w.sc, without("experience"))
		if fe, ok := fault.As(err); !ok || fe.Code != "tier.in_use" || fmt.Sprint(fe.Params["refs"]) != "[task:"+tk.PublicID+"]" {
			t.Fatalf("removing a tier a task names: %v, want tier.in_use naming the task", err)
		}
		if _, err := w.a.Tasks.Cancel(w.ctx, w.sc, tk.PublicID, "换个任务"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.a.Ladders.Apply(w.ctx, w.sc, without("experience")); err != nil {
			t.Fatalf("the task is cancelled: the tier may go: %v", err)
		}
		var history int
		if err := d.R.QueryRow(`SELECT count(*) FROM tier_changes WHERE member_id = (SELECT id FROM members WHERE public_id = $1)`,
			m.PublicID).Scan(&history); err != nil || history != 2 {
			t.Fatalf("tier history: %d rows, %v; want both moves kept", history, err)
		}
		ls, err := w.a.Ladders.Ladders(w.ctx, w.sc, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := ls[0].Tier("experience"); ok {
			t.Fatal("a retired tier is not listed")
		}
		// Named again, the retired tier comes back.
		if _, err := w.a.Ladders.Apply(w.ctx, w.sc, ladder.DefaultTemplate()); err != nil {
			t.Fatal(err)
		}
		if _, err := w.a.Ladders.SetTier(w.ctx, w.sc, m.PublicID, "main", "experience", "再次晋升"); err != nil {
			t.Fatalf("the tier is back: %v", err)
		}
	})
}
