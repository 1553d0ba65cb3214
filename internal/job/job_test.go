package job_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/job"
)

func TestMain(m *testing.M) {
	if os.Getenv("KOX_JOB_HELPER") != "" {
		helper()
		return
	}
	os.Exit(dbtest.Main(m))
}

// clock is a test's movable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

var start = time.Date(2026, 3, 1, 0, 0, 30, 0, time.UTC)

func TestNextFollowsTheZone(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	// 03:00 in Shanghai is 19:00 UTC the day before.
	got, err := job.Next("0 3 * * *", shanghai, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if err != nil || !got.Equal(time.Date(2026, 3, 1, 19, 0, 0, 0, time.UTC)) {
		t.Fatalf("next 03:00 Shanghai: %v %v", got, err)
	}
	if _, err := job.Next("every day", nil, start); err == nil {
		t.Fatal("a schedule that is not one was accepted")
	}
	got, _ = job.Next("@every 30s", nil, start)
	if !got.Equal(start.Add(30 * time.Second)) {
		t.Fatalf("@every 30s: %v", got)
	}
}

// Two instances tick the same job at once, many times over, while the clock
// moves a minute at a time: every minute's run happens once, recorded once.
func TestEachRunHappensOnceAcrossInstances(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := &clock{now: start}
		d.SetClock(c.Now)
		ctx := context.Background()
		var mu sync.Mutex
		seen := map[time.Time]int{}
		work := func(context.Context) (job.Result, error) {
			mu.Lock()
			seen[c.Now().Truncate(time.Minute)]++
			mu.Unlock()
			return job.Result{Changed: 1}, nil
		}
		a := &job.Scheduler{DB: d, Owner: "a"}
		b := &job.Scheduler{DB: d, Owner: "b"}
		for _, s := range []*job.Scheduler{a, b} {
			if err := s.Register(ctx, job.Job{Name: "minutely", Schedule: "* * * * *", Run: work}); err != nil {
				t.Fatal(err)
			}
		}
		const minutes = 20
		for i := 0; i < minutes; i++ {
			c.add(time.Minute)
			var wg sync.WaitGroup
			for _, s := range []*job.Scheduler{a, b, a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := s.Tick(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		if len(seen) != minutes {
			t.Fatalf("%d minutes ran, want %d", len(seen), minutes)
		}
		for m, n := range seen {
			if n != 1 {
				t.Fatalf("minute %v ran %d times", m, n)
			}
		}
		runs, _, err := job.Runs(ctx, d, 0, "minutely", 0, 100)
		if err != nil || len(runs) != minutes {
			t.Fatalf("%d runs recorded, %v", len(runs), err)
		}
		for _, r := range runs {
			if r.Outcome != job.OK || r.Changed != 1 || r.EndedAt.IsZero() {
				t.Fatalf("run %+v", r)
			}
		}
	})
}

// A failing job is tried again after 5 s, 10 s, 20 s …, each attempt
// recorded; a success puts it back on its schedule.
func TestFailuresAreRetriedWithBackoff(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := &clock{now: start}
		d.SetClock(c.Now)
		ctx := context.Background()
		var calls atomic.Int32
		s := &job.Scheduler{DB: d, Owner: "a"}
		err := s.Register(ctx, job.Job{Name: "flaky", Schedule: "@hourly", Run: func(context.Context) (job.Result, error) {
			if calls.Add(1) <= 2 {
				return job.Result{}, errors.New("the bot answered 500")
			}
			return job.Result{Changed: 3, Note: "sent"}, nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		tick := func() int {
			n, _ := s.Tick(ctx)
			return n
		}
		c.add(time.Hour)
		if tick() != 1 {
			t.Fatal("the hourly job did not run")
		}
		c.add(4 * time.Second)
		if tick() != 0 {
			t.Fatal("retried before 5 s")
		}
		c.add(time.Second)
		if tick() != 1 {
			t.Fatal("not retried after 5 s")
		}
		c.add(9 * time.Second)
		if tick() != 0 {
			t.Fatal("the second retry came before 10 s")
		}
		c.add(time.Second)
		if tick() != 1 || calls.Load() != 3 {
			t.Fatalf("third attempt: %d calls", calls.Load())
		}
		st, _ := job.States(ctx, d, 0)
		if len(st) != 1 || st[0].LastOutcome != job.OK || st[0].Attempt != 0 || !st[0].NextRunAt.Equal(time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)) {
			t.Fatalf("after recovering: %+v", st)
		}
		runs, _, _ := job.Runs(ctx, d, 0, "flaky", 0, 10)
		if len(runs) != 3 || runs[2].Outcome != job.Failed || runs[2].Note != "the bot answered 500" || runs[0].Attempt != 3 || runs[0].Note != "sent" {
			t.Fatalf("runs: %+v", runs)
		}
	})
}

// Run now makes a job due at once; an unknown job is not found.
func TestRunNow(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	ctx := context.Background()
	var n atomic.Int32
	s := &job.Scheduler{DB: d}
	if err := s.Register(ctx, job.Job{Name: "daily", Schedule: "@daily", Run: func(context.Context) (job.Result, error) { n.Add(1); return job.Result{}, nil }}); err != nil {
		t.Fatal(err)
	}
	if ran, _ := s.Tick(ctx); ran != 0 {
		t.Fatal("ran before its time")
	}
	if err := job.RunNow(ctx, d, "daily"); err != nil {
		t.Fatal(err)
	}
	if ran, _ := s.Tick(ctx); ran != 1 || n.Load() != 1 {
		t.Fatalf("run now: %d", ran)
	}
	if err := job.RunNow(ctx, d, "nightly"); err == nil {
		t.Fatal("an unknown job ran")
	}
}

// The kill test's work: items done one at a time, each in a transaction
// that marks it and writes its effect, so a run killed halfway leaves each
// item done or not, and the next run does only the rest.
const itemCount = 60

func setupItems(t *testing.T, d *db.DB) {
	for _, q := range []string{`CREATE TABLE job_items (id INTEGER PRIMARY KEY, done_by TEXT NOT NULL DEFAULT '')`,
		`CREATE TABLE job_effects (item INTEGER NOT NULL, by_owner TEXT NOT NULL)`} {
		if _, err := d.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= itemCount; i++ {
		if _, err := d.W.Exec(`INSERT INTO job_items (id) VALUES ($1)`, i); err != nil {
			t.Fatal(err)
		}
	}
}

func doItems(d *db.DB, owner string) job.Func {
	return func(ctx context.Context) (job.Result, error) {
		var res job.Result
		for i := 1; i <= itemCount; i++ {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			err := d.InTx(ctx, func(tx *db.Tx) error {
				r, err := tx.ExecContext(ctx, `UPDATE job_items SET done_by = $1 WHERE id = $2 AND done_by = ''`, owner, i)
				if err != nil {
					return err
				}
				if n, _ := r.RowsAffected(); n == 1 {
					res.Changed++
					_, err = tx.ExecContext(ctx, `INSERT INTO job_effects (item, by_owner) VALUES ($1, $2)`, i, owner)
				}
				return err
			})
			if err != nil {
				return res, err
			}
			time.Sleep(40 * time.Millisecond)
		}
		return res, nil
	}
}

// helper is a kox instance in a process of its own: it runs the scheduler
// over the database it is given until it is killed.
func helper() {
	d, err := db.Open(context.Background(), os.Getenv("KOX_JOB_DB"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	owner := os.Getenv("KOX_JOB_HELPER")
	s := &job.Scheduler{DB: d, Owner: owner, Lease: 2 * time.Second, Poll: 100 * time.Millisecond}
	if err := s.Register(context.Background(), job.Job{Name: "items", Schedule: "@every 1s", Run: doItems(d, owner)}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s.Start(context.Background())
	select {}
}

// Two kox processes share one database, each with the scheduler on; the
// one that takes the job is killed with SIGKILL halfway through its run.
// The other takes the job over once the lease runs out and does the rest:
// every item is done once, the dead run is recorded as abandoned.
func TestKilledInstanceLosesItsLeaseAndNothingIsDoneTwice(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			target := dbtest.Target(t, e)
			d, err := db.OpenTarget(context.Background(), target)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			if err := d.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			setupItems(t, d)
			dsn := target.URL
			if e == db.SQLite {
				dsn = "sqlite:" + target.Path
			}
			spawn := func(owner string) *exec.Cmd {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), "KOX_JOB_HELPER="+owner, "KOX_JOB_DB="+dsn)
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
				return cmd
			}
			procs := map[string]*exec.Cmd{"p1": spawn("p1"), "p2": spawn("p2")}
			count := func(q string, args ...any) int {
				var n int
				if err := d.R.QueryRow(q, args...).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
					t.Fatal(err)
				}
				return n
			}
			// Wait until someone is halfway, then kill it.
			deadline := time.Now().Add(60 * time.Second)
			victim := ""
			for victim == "" {
				if time.Now().After(deadline) {
					t.Fatal("no instance took the job")
				}
				if n := count(`SELECT COUNT(*) FROM job_items WHERE done_by <> ''`); n >= itemCount/3 {
					_ = d.R.QueryRow(`SELECT done_by FROM job_items WHERE done_by <> '' LIMIT 1`).Scan(&victim)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := procs[victim].Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = procs[victim].Wait()
			for count(`SELECT COUNT(*) FROM job_items WHERE done_by = ''`) > 0 {
				if time.Now().After(deadline) {
					t.Fatalf("the other instance did not finish: %d left", count(`SELECT COUNT(*) FROM job_items WHERE done_by = ''`))
				}
				time.Sleep(50 * time.Millisecond)
			}
			if n := count(`SELECT COUNT(*) FROM job_effects`); n != itemCount {
				t.Fatalf("%d effects for %d items: something was done twice", n, itemCount)
			}
			if n := count(`SELECT COUNT(DISTINCT item) FROM job_effects`); n != itemCount {
				t.Fatalf("%d items done", n)
			}
			if n := count(`SELECT COUNT(*) FROM job_effects WHERE by_owner = $1`, victim); n == 0 || n == itemCount {
				t.Fatalf("the killed instance did %d of %d", n, itemCount)
			}
			for count(`SELECT COUNT(*) FROM job_runs WHERE owner = $1 AND outcome = 'abandoned'`, victim) == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the killed run is not recorded as abandoned")
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// A job woken for a moment runs at that second, once across instances,
// besides its hourly schedule; the wake each run asks for (Result.Wake) is
// kept, and so is an earlier one asked for while it runs.
func TestWakeRunsAJobAtItsSecondOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := &clock{now: start}
		d.SetClock(c.Now)
		ctx := context.Background()
		var mu sync.Mutex
		var ran []time.Time
		goLive := start.Add(90 * time.Second)
		later := start.Add(150 * time.Second)
		work := func(context.Context) (job.Result, error) {
			mu.Lock()
			defer mu.Unlock()
			ran = append(ran, c.Now())
			if len(ran) == 1 {
				// While it runs, a second moment is scheduled elsewhere.
				if err := d.InTx(ctx, func(tx *db.Tx) error { return job.WakeTx(ctx, tx, "golive", later) }); err != nil {
					return job.Result{}, err
				}
			}
			// Each run says when its next known moment is.
			if next := start.Add(200 * time.Second); c.Now().Before(next) {
				return job.Result{Changed: 1, Wake: next}, nil
			}
			return job.Result{Changed: 1}, nil
		}
		a := &job.Scheduler{DB: d, Owner: "a"}
		b := &job.Scheduler{DB: d, Owner: "b"}
		for _, s := range []*job.Scheduler{a, b} {
			if err := s.Register(ctx, job.Job{Name: "golive", Schedule: "@hourly", Run: work}); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return job.WakeTx(ctx, tx, "golive", goLive) }); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 240; i++ {
			c.add(time.Second)
			var wg sync.WaitGroup
			for _, s := range []*job.Scheduler{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := s.Tick(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		want := []time.Time{goLive, later, start.Add(200 * time.Second)}
		if len(ran) != len(want) {
			t.Fatalf("ran at %v, want %v", ran, want)
		}
		for i := range want {
			if !ran[i].Equal(want[i]) {
				t.Fatalf("run %d at %v, want %v", i, ran[i], want[i])
			}
		}
	})
}
