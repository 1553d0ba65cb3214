// Package job is kox's scheduler (SPEC P5): jobs with a cron schedule in a
// time zone, each run recorded with its outcome and what it changed,
// retried with back-off, and run once however many kox instances share the
// database. An instance takes a job's lease with one conditional UPDATE and
// renews it with another, the same SQL on both engines; a process that dies
// mid-run loses its lease when it runs out, and another instance runs the
// job again. Jobs are written so that running again redoes nothing already
// done (each item is re-checked under its lock, each transfer has its id).
package job

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
)

// Result is what a run changed: how many things, and a short note.
type Result struct {
	Changed int64
	Note    string
	// Wake, when set, is the next moment the job has work at (a campaign's
	// go-live): it runs then, to the second, as well as on its schedule.
	Wake time.Time
}

// Func does a job's work. Its context ends when the instance loses the
// lease or stops.
type Func func(ctx context.Context) (Result, error)

// Job is a job as registered by the composition root.
type Job struct {
	Name     string
	Schedule string         // five-field cron ("0 3 * * *") or a descriptor ("@every 30s", "@daily")
	Zone     *time.Location // the schedule's time zone; nil: UTC
	Program  int64          // the program the job is for; 0: the installation
	Run      Func
}

// Outcomes of a run.
const (
	Running   = "running"
	OK        = "ok"
	Failed    = "failed"
	Lost      = "lost"      // the lease ran out or was taken while it ran
	Abandoned = "abandoned" // its instance stopped answering; another took over
)

// Retry back-off: a failed run is tried again after Base, doubling, at most
// Max apart, MaxAttempts times; then the job waits for its next time.
const (
	BackoffBase = 5 * time.Second
	BackoffMax  = 10 * time.Minute
	MaxAttempts = 5
)

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Next is when a schedule next falls after t, in zone.
func Next(schedule string, zone *time.Location, t time.Time) (time.Time, error) {
	s, err := parser.Parse(schedule)
	if err != nil {
		return time.Time{}, fault.Field("schedule", "job.schedule", "must be a cron schedule such as 0 3 * * * or @every 1m")
	}
	if zone == nil {
		zone = time.UTC
	}
	return s.Next(t.In(zone)).UTC(), nil
}

// Scheduler runs the registered jobs on this instance.
type Scheduler struct {
	DB    *db.DB
	Log   *slog.Logger
	Owner string        // this instance's name in leases; random when empty
	Lease time.Duration // how long a lease lasts unrenewed; 30 s when 0
	Poll  time.Duration // how often due jobs are looked for; 1 s when 0

	mu      sync.Mutex
	jobs    map[string]Job
	written map[string]bool // the job's row is in the database
}

func (s *Scheduler) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return 30 * time.Second
}

func (s *Scheduler) owner() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Owner == "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		s.Owner = "kox-" + hex.EncodeToString(b)
	}
	return s.Owner
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Register adds a job, and its row when it has none (its first run is its
// schedule's next time); a changed schedule is kept and takes effect after
// the next run. A job whose row cannot be written yet (the schema is still
// behind) is kept, and written on a later tick.
func (s *Scheduler) Register(ctx context.Context, j Job) error {
	if j.Zone == nil {
		j.Zone = time.UTC
	}
	if _, err := Next(j.Schedule, j.Zone, s.DB.Now()); err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	s.mu.Lock()
	if s.jobs == nil {
		s.jobs, s.written = map[string]Job{}, map[string]bool{}
	}
	s.jobs[j.Name] = j
	s.written[j.Name] = false
	s.mu.Unlock()
	return s.write(ctx, j)
}

// write puts the job's row in the database.
func (s *Scheduler) write(ctx context.Context, j Job) error {
	now := s.DB.Now()
	next, _ := Next(j.Schedule, j.Zone, now)
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO jobs (name, program_id, schedule, zone, next_run_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (name) DO UPDATE SET schedule = excluded.schedule, zone = excluded.zone`,
			j.Name, j.Program, j.Schedule, j.Zone.String(), next.UnixMicro(), now.UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	s.mu.Lock()
	s.written[j.Name] = true
	s.mu.Unlock()
	return nil
}

// Start polls for due jobs until ctx ends; the returned function waits for
// the runs in hand to end.
func (s *Scheduler) Start(ctx context.Context) (wait func()) {
	poll := s.Poll
	if poll == 0 {
		poll = time.Second
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(poll)
		defer tick.Stop()
		for {
			if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
				s.log().Warn("scheduler", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return wg.Wait
}

// Tick runs every registered job that is due and whose lease is free, one
// after another, and says how many ran.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	s.mu.Lock()
	names := make([]string, 0, len(s.jobs))
	var unwritten []Job
	for n, j := range s.jobs {
		names = append(names, n)
		if !s.written[n] {
			unwritten = append(unwritten, j)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	ran := 0
	var errs []error
	for _, j := range unwritten {
		if err := s.write(ctx, j); err != nil {
			return 0, err
		}
	}
	for _, n := range names {
		if ctx.Err() != nil {
			break
		}
		ok, err := s.runIfDue(ctx, n)
		if ok {
			ran++
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return ran, errors.Join(errs...)
}

// claim takes the job's lease if it is due and free: one conditional
// UPDATE, so two instances asking at once cannot both get it.
func (s *Scheduler) claim(ctx context.Context, name string) (due int64, attempt int, ok bool, err error) {
	now := s.DB.Now().UnixMicro()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE jobs SET lease_owner = $1, lease_until = $2, attempt = attempt + 1,
			wake_at = CASE WHEN wake_at <= $4 THEN 0 ELSE wake_at END
			WHERE name = $3 AND (next_run_at <= $4 OR (wake_at > 0 AND wake_at <= $4)) AND lease_until < $4 RETURNING next_run_at, attempt`,
			s.owner(), now+s.lease().Microseconds(), name, now).Scan(&due, &attempt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		// A run still marked running belonged to an instance whose lease
		// ran out: it is over.
		_, err = tx.ExecContext(ctx, `UPDATE job_runs SET outcome = 'abandoned', ended_at = $1 WHERE job = $2 AND outcome = 'running'`, now, name)
		return err
	})
	return due, attempt, ok, err
}

// renew extends this instance's lease; false when it is no longer ours.
func (s *Scheduler) renew(ctx context.Context, name string) (bool, error) {
	now := s.DB.Now().UnixMicro()
	var n int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE jobs SET lease_until = $1 WHERE name = $2 AND lease_owner = $3 AND lease_until >= $4`,
			now+s.lease().Microseconds(), name, s.owner(), now)
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	return n == 1, err
}

func (s *Scheduler) runIfDue(ctx context.Context, name string) (bool, error) {
	s.mu.Lock()
	j := s.jobs[name]
	s.mu.Unlock()
	due, attempt, ok, err := s.claim(ctx, name)
	if err != nil || !ok {
		return false, err
	}
	var runID int64
	started := s.DB.Now()
	if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO job_runs (job, program_id, owner, due_at, attempt, started_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			name, j.Program, s.owner(), due, attempt, started.UnixMicro()).Scan(&runID)
	}); err != nil {
		return true, err
	}
	// The work runs under a context that ends when the lease is lost.
	rctx, cancel := context.WithCancel(ctx)
	lost := make(chan struct{})
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(s.lease() / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if ok, err := s.renew(ctx, name); err == nil && !ok {
					close(lost)
					cancel()
					return
				}
			}
		}
	}()
	res, runErr := safeRun(rctx, j.Run)
	close(done)
	cancel()
	select {
	case <-lost:
		runErr = errLost
	default:
	}
	return true, s.finish(ctx, j, runID, due, attempt, res, runErr)
}

var errLost = errors.New("the lease was lost")

// safeRun runs f, turning a panic into an error: one job's bug must not
// stop the scheduler.
func safeRun(ctx context.Context, f Func) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f(ctx)
}

// finish records the run and sets the job's next time: its schedule's next
// after a success (or the last attempt), a back-off after a failure. Only
// the lease's holder may.
func (s *Scheduler) finish(ctx context.Context, j Job, runID, due int64, attempt int, res Result, runErr error) error {
	now := s.DB.Now()
	outcome, note := OK, res.Note
	next, err := Next(j.Schedule, j.Zone, now)
	if err != nil {
		return err
	}
	switch {
	case errors.Is(runErr, errLost):
		outcome, note = Lost, runErr.Error()
	case runErr != nil:
		outcome, note = Failed, runErr.Error()
		if attempt < MaxAttempts {
			backoff := min(BackoffBase<<(attempt-1), BackoffMax)
			if retry := now.Add(backoff); retry.Before(next) {
				next = retry
			}
		}
		s.log().Warn("job failed", "job", j.Name, "attempt", attempt, "err", runErr)
	}
	if len(note) > 500 {
		note = note[:500]
	}
	return s.DB.InTx(context.WithoutCancel(ctx), func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE job_runs SET ended_at = $1, outcome = $2, changed = $3, note = $4 WHERE id = $5`,
			now.UnixMicro(), outcome, res.Changed, note, runID); err != nil {
			return err
		}
		if outcome == Lost {
			return nil
		}
		keep := "0"
		if outcome == Failed && attempt < MaxAttempts {
			keep = "attempt" // the next try counts on
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET next_run_at = $1, lease_owner = '', lease_until = 0, attempt = `+keep+`,
			last_run_at = $2, last_outcome = $3 WHERE name = $4 AND lease_owner = $5`, next.UnixMicro(), now.UnixMicro(), outcome, j.Name, s.owner()); err != nil {
			return err
		}
		if res.Wake.IsZero() {
			return nil
		}
		return WakeTx(ctx, tx, j.Name, res.Wake)
	})
}

// WakeTx has the job run at t (to the poll's second) besides its schedule,
// inside the transaction that made work due then: the earliest wake asked
// for wins, and one asked for while the job runs is kept for after it.
func WakeTx(ctx context.Context, tx *db.Tx, name string, t time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE jobs SET wake_at = CASE WHEN wake_at = 0 OR wake_at > $1 THEN $1 ELSE wake_at END WHERE name = $2`,
		t.UnixMicro(), name)
	return err
}

// RunNow makes a job due at once (the console's "run now"); it runs on the
// next tick of whichever instance takes it.
func RunNow(ctx context.Context, d *db.DB, name string) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE jobs SET next_run_at = $1 WHERE name = $2`, tx.Now.UnixMicro(), name)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fault.New(fault.NotFound, "job.not_found", "no job {job}", fault.P{"job": name})
		}
		return nil
	})
}

// State is a job as the console lists it.
type State struct {
	Name        string    `json:"name"`
	Program     int64     `json:"-"`
	Schedule    string    `json:"schedule"`
	Zone        string    `json:"zone"`
	NextRunAt   time.Time `json:"next_run_at"`
	Running     bool      `json:"running" doc:"An instance holds its lease."`
	Attempt     int       `json:"attempt"`
	LastRunAt   time.Time `json:"last_run_at,omitzero"`
	LastOutcome string    `json:"last_outcome,omitempty"`
}

// Run is one recorded run.
type Run struct {
	ID        int64     `json:"id"`
	Job       string    `json:"job"`
	Owner     string    `json:"owner"`
	DueAt     time.Time `json:"due_at"`
	Attempt   int       `json:"attempt"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	Outcome   string    `json:"outcome"`
	Changed   int64     `json:"changed"`
	Note      string    `json:"note,omitempty"`
}

func at(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// States lists the jobs of the installation (program 0) and of program.
func States(ctx context.Context, d *db.DB, programID int64) ([]State, error) {
	now := d.Now().UnixMicro()
	rows, err := d.R.QueryContext(ctx, `SELECT name, program_id, schedule, zone, next_run_at, lease_until, attempt, last_run_at, last_outcome
		FROM jobs WHERE program_id IN (0, $1) ORDER BY name`, programID)
	return db.Collect(rows, err, func(r *sql.Rows) (State, error) {
		var x State
		var next, lease, last int64
		err := r.Scan(&x.Name, &x.Program, &x.Schedule, &x.Zone, &next, &lease, &x.Attempt, &last, &x.LastOutcome)
		x.NextRunAt, x.LastRunAt, x.Running = at(next), at(last), lease >= now
		return x, err
	})
}

// Runs lists a job's runs (all jobs' when job is empty), newest first.
func Runs(ctx context.Context, d *db.DB, programID int64, job string, before int64, limit int) ([]Run, int64, error) {
	w := db.Where("program_id IN (0, $1)", programID)
	if job != "" {
		w.Add("job = $?", job)
	}
	if before > 0 {
		w.Add("id < $?", before)
	}
	where, args := w.Page("id DESC", limit)
	rows, err := d.R.QueryContext(ctx, `SELECT id, job, owner, due_at, attempt, started_at, ended_at, outcome, changed, note FROM job_runs`+where, args...)
	rs, err := db.Collect(rows, err, func(r *sql.Rows) (Run, error) {
		var x Run
		var due, start, end int64
		err := r.Scan(&x.ID, &x.Job, &x.Owner, &due, &x.Attempt, &start, &end, &x.Outcome, &x.Changed, &x.Note)
		x.DueAt, x.StartedAt, x.EndedAt = at(due), at(start), at(end)
		return x, err
	})
	if err != nil {
		return nil, 0, err
	}
	rs, next := db.TrimPage(rs, limit, func(r Run) int64 { return r.ID })
	return rs, next, nil
}

// Service is the jobs as the console and the API show them: the
// installation's and the program's, their runs, and run now.
type Service struct{ DB *db.DB }

// List lists the jobs the scope may see.
func (s *Service) List(ctx context.Context, sc program.Scope) ([]State, error) {
	if err := sc.Require(program.PermProgramUpdate); err != nil {
		return nil, err
	}
	return States(ctx, s.DB, sc.Program.ID)
}

// Runs lists runs of the jobs the scope may see, newest first.
func (s *Service) Runs(ctx context.Context, sc program.Scope, job string, before int64, limit int) ([]Run, int64, error) {
	if err := sc.Require(program.PermProgramUpdate); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(limit); err != nil {
		return nil, 0, err
	}
	return Runs(ctx, s.DB, sc.Program.ID, job, before, limit)
}

// RunNow makes a job due at once: a program's job for its admins, an
// installation's job for owners only. It is audited.
func (s *Service) RunNow(ctx context.Context, sc program.Scope, name string) (State, error) {
	if err := sc.Require(program.PermProgramUpdate); err != nil {
		return State{}, err
	}
	if name == "" {
		return State{}, fault.Field("job", "required", "is required")
	}
	notFound := fault.New(fault.NotFound, "job.not_found", "no job {job}", fault.P{"job": name})
	var st State
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var owner int64
		err := tx.QueryRowContext(ctx, `SELECT program_id FROM jobs WHERE name = $1`, name).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != 0 && owner != sc.Program.ID) {
			return notFound
		}
		if err != nil {
			return err
		}
		if owner == 0 && !sc.Actor.Owner {
			return fault.New(fault.Forbidden, "job.owner_only", "only an owner of this installation may run the installation's jobs")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET next_run_at = $1 WHERE name = $2`, tx.Now.UnixMicro(), name); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "job.run_now", ObjectKind: "job", ObjectID: name})
	})
	if err != nil {
		return State{}, err
	}
	all, err := States(ctx, s.DB, sc.Program.ID)
	for _, x := range all {
		if x.Name == name {
			st = x
		}
	}
	return st, err
}

// Prune deletes the record of quiet runs (ok, nothing changed) after a day
// and of every run after 90 days: frequent jobs would otherwise fill the
// table with runs that say nothing.
func Prune(ctx context.Context, d *db.DB) (Result, error) {
	now := d.Now()
	var res Result
	err := d.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM job_runs WHERE (outcome = 'ok' AND changed = 0 AND started_at < $1) OR started_at < $2`,
			now.Add(-24*time.Hour).UnixMicro(), now.Add(-90*24*time.Hour).UnixMicro())
		if err != nil {
			return err
		}
		res.Changed, err = r.RowsAffected()
		return err
	})
	return res, err
}
