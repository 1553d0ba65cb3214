// Package app is kox's composition root: configuration → database →
// services → HTTP handler → background jobs, and the server's life from start
// to graceful shutdown.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"kox/internal/access"
	"kox/internal/activity"
	"kox/internal/api"
	"kox/internal/award"
	"kox/internal/backup"
	"kox/internal/badge"
	"kox/internal/briefing"
	"kox/internal/budget"
	"kox/internal/campaign"
	"kox/internal/catalog"
	"kox/internal/community"
	"kox/internal/council"
	"kox/internal/dashboard"
	"kox/internal/db"
	"kox/internal/event"
	"kox/internal/idempotency"
	"kox/internal/identity"
	"kox/internal/job"
	"kox/internal/kit"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/loan"
	"kox/internal/media"
	"kox/internal/member"
	"kox/internal/metrics"
	"kox/internal/middleware"
	"kox/internal/notify"
	"kox/internal/payout"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/promotion"
	"kox/internal/roster"
	"kox/internal/seal"
	"kox/internal/task"
	"kox/internal/web"
)

// Config is what kox needs to run.
type Config struct {
	Addr            string // listen address, e.g. ":8080"
	DB              string // a path, sqlite:PATH or postgres:// URL
	Version         string
	Logger          *slog.Logger
	ShutdownTimeout time.Duration // how long in-flight requests get on shutdown
	// TrustProxy: believe X-Forwarded-Proto and X-Forwarded-For (kox runs
	// behind a reverse proxy that sets them).
	TrustProxy bool
	// IdempotencyLease is how long a request holds its Idempotency-Key
	// without renewing it (0: the default, 30 s).
	IdempotencyLease time.Duration
	// SignInsPerMinute is how many sign-in attempts one client address, and
	// one account, may make a minute (0: access.DefaultSignInsPerMinute).
	SignInsPerMinute int
	// DataKey seals payee details (32 bytes, from KOX_DATA_KEY); without it
	// kox refuses to keep them.
	DataKey []byte
	// Backup: scheduled copies of the SQLite database.
	Backup BackupConfig
}

// BackupConfig is when the scheduler backs the SQLite database up, where
// to, and how many copies it keeps.
type BackupConfig struct {
	Schedule string // cron; empty: never
	Dir      string
	Keep     int
}

// App is a running kox: its database, services and HTTP handler.
type App struct {
	Config    Config
	DB        *db.DB
	Ledger    *ledger.Ledger
	Programs  *program.Service
	Members   *member.Service
	Ladders   *ladder.Service
	Tasks     *task.Service
	Points    *points.Service
	Identity  *identity.Service
	Dashboard *dashboard.Service
	Roster    *roster.Service
	Media     *media.Service
	Activity  *activity.Service
	Budget    *budget.Service
	Catalog   *catalog.Service
	Payouts   *payout.Service
	Badges    *badge.Service
	Awards    *award.Service
	Kits      *kit.Service
	Events    *event.Service
	Loans     *loan.Service
	Council   *council.Service
	Community *community.Service
	Briefings *briefing.Service
	Campaigns *campaign.Service
	Gate      *access.Gate
	API       *api.Server
	Jobs      *job.Service
	Scheduler *job.Scheduler
	Promotion *promotion.Service
	Notify    *notify.Service

	Idempotency *idempotency.Store
	Metrics     *metrics.Metrics
	Handler     http.Handler
	Log         *slog.Logger

	ready readiness
}

// New opens and migrates the database and builds the services and handler.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return Assemble(cfg, d), nil
}

// Assemble builds the services and handler over an open database (New
// migrates it first; tests may hand in one that is not).
func Assemble(cfg Config, d *db.DB) *App {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	m := metrics.New(cfg.Version)
	a := &App{Config: cfg, DB: d, Metrics: m, Log: cfg.Logger}
	// Every outcome is shown from the start, at zero, so that dashboards and
	// alerts can be set up before the first transfer.
	for _, c := range ledger.Codes {
		m.Transfers.WithLabelValues(string(c))
	}
	a.Ledger = ledger.New(d, ledger.WithLogger(cfg.Logger), ledger.WithObserver(func(c ledger.Code) {
		m.Transfers.WithLabelValues(string(c)).Inc()
	}))
	a.Programs = &program.Service{DB: d, OnCreate: []func(context.Context, *db.Tx, program.Program) error{ladder.CreateDefaultTx}}
	a.Members = &member.Service{DB: d}
	a.Ladders = &ladder.Service{DB: d}
	a.Tasks = &task.Service{DB: d, Ledger: a.Ledger, OnApproved: badge.AwardTx}
	a.Points = &points.Service{DB: d, Ledger: a.Ledger, Members: a.Members}
	a.Identity = &identity.Service{DB: d, Members: a.Members, Ladders: a.Ladders}
	a.Dashboard = &dashboard.Service{DB: d, Programs: a.Programs}
	a.Roster = &roster.Service{DB: d, Members: a.Members}
	a.Media = &media.Service{Store: media.DBStore{DB: d}}
	a.Activity = &activity.Service{Points: a.Points, Tasks: a.Tasks}
	a.Budget = &budget.Service{DB: d, Ledger: a.Ledger}
	a.Catalog = &catalog.Service{DB: d, Ledger: a.Ledger, Members: a.Members}
	a.Payouts = &payout.Service{DB: d, Ledger: a.Ledger, Members: a.Members}
	if cfg.DataKey != nil {
		sealer, err := seal.New(cfg.DataKey)
		if err != nil {
			cfg.Logger.Error("the data key is unusable; payee details cannot be kept", "err", err)
		}
		a.Payouts.Sealer = sealer
	}
	a.Notify = &notify.Service{DB: d, Members: a.Members, Sealer: a.Payouts.Sealer, Log: cfg.Logger}
	a.Badges = &badge.Service{DB: d}
	a.Awards = &award.Service{DB: d, Ledger: a.Ledger, Catalog: a.Catalog}
	a.Kits = &kit.Service{DB: d, Catalog: a.Catalog}
	a.Events = &event.Service{DB: d, Ledger: a.Ledger, Tasks: a.Tasks}
	a.Catalog.Seats, a.Events.OnSeatCancelled = a.Events, a.Catalog.RefundSeatTx
	a.Community = &community.Service{DB: d}
	a.Loans = &loan.Service{DB: d, Ledger: a.Ledger, Tasks: a.Tasks}
	a.Council = &council.Service{DB: d, Tasks: a.Tasks, Nominate: func(ctx context.Context, tx *db.Tx, programID int64, memberRef, tierRef, reason, actor string) error {
		_, err := promotion.NominateTx(ctx, tx, programID, memberRef, tierRef, reason, actor)
		return err
	}}
	wake := func(ctx context.Context, tx *db.Tx, t time.Time) error { return job.WakeTx(ctx, tx, briefing.Job, t) }
	publish := func(ctx context.Context, sc program.Scope, ref string) error {
		_, err := a.Tasks.Publish(ctx, sc, ref)
		return err
	}
	a.Briefings = &briefing.Service{DB: d, Wake: wake, PublishTask: publish}
	a.Campaigns = &campaign.Service{DB: d, Briefings: a.Briefings, Budget: a.Budget, Wake: wake, PublishTask: publish}
	a.Gate = &access.Gate{Programs: a.Programs, Members: a.Members}
	if cfg.SignInsPerMinute > 0 {
		a.Gate.Throttle = access.NewThrottle(cfg.SignInsPerMinute, time.Minute)
	}
	a.Idempotency = &idempotency.Store{DB: d, Lease: cfg.IdempotencyLease}
	a.Promotion = &promotion.Service{DB: d, OnPromoted: []func(context.Context, *db.Tx, int64, string, ladder.Standing) error{
		func(ctx context.Context, tx *db.Tx, programID int64, memberRef string, _ ladder.Standing) error {
			return identity.SupersedeTx(ctx, tx, programID, memberRef)
		}}}
	a.Jobs = &job.Service{DB: d}
	a.Scheduler = &job.Scheduler{DB: d, Log: cfg.Logger}
	a.Handler = a.routes()
	return a
}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	a.API = api.New(mux, api.Deps{DB: a.DB, Programs: a.Programs, Members: a.Members, Ladders: a.Ladders, Tasks: a.Tasks,
		Points: a.Points, Identity: a.Identity, Dashboard: a.Dashboard, Roster: a.Roster, Media: a.Media, Activity: a.Activity, Budget: a.Budget, Catalog: a.Catalog, Payouts: a.Payouts, Badges: a.Badges,
		Awards: a.Awards, Kits: a.Kits, Events: a.Events, Loans: a.Loans, Council: a.Council, Community: a.Community, Briefings: a.Briefings, Campaigns: a.Campaigns, Jobs: a.Jobs, Promotion: a.Promotion, Notify: a.Notify, Gate: a.Gate, Idem: a.Idempotency, Log: a.Log, Version: a.Config.Version})
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", a.Metrics.Handler())
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		middleware.WriteProblem(w, r, http.StatusNotFound, "not_found", "no such page: "+r.URL.Path)
	})
	web.New(mux, web.Deps{Gate: a.Gate, Programs: a.Programs, Members: a.Members, Ladders: a.Ladders, Points: a.Points,
		Tasks: a.Tasks, Identity: a.Identity, Dashboard: a.Dashboard, Roster: a.Roster, Media: a.Media, Activity: a.Activity,
		Budget: a.Budget, Catalog: a.Catalog, Payouts: a.Payouts, Badges: a.Badges, Awards: a.Awards, Kits: a.Kits, Events: a.Events, Loans: a.Loans, Council: a.Council, Community: a.Community, Briefings: a.Briefings, Campaigns: a.Campaigns, Jobs: a.Jobs, Promotion: a.Promotion, Notify: a.Notify, Log: a.Log})
	// CrossOriginProtection refuses cross-site browser requests that change
	// state (CSRF against the session cookie); API clients that send no
	// browser headers (curl, integrations) pass.
	csrf := http.NewCrossOriginProtection()
	return middleware.Chain(mux, middleware.RequestID, middleware.Observe(a.Log, a.Metrics), middleware.Recover(a.Log),
		middleware.Connection(a.Config.TrustProxy), csrf.Handler, a.API.Idempotency)
}

// Close stops the services and closes the database.
func (a *App) Close() {
	a.Ledger.Close()
	a.DB.Close()
}

// Serve serves HTTP on ln and runs the background jobs until ctx ends, then
// shuts down gracefully: it stops accepting connections, lets in-flight
// requests finish (up to ShutdownTimeout), stops the jobs and closes the app.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	jobs, stopJobs := context.WithCancel(context.Background())
	if err := a.RegisterJobs(jobs); err != nil {
		// The schema may be behind (readyz says so): the jobs are written
		// on a later tick, once it is current.
		a.Log.Warn("scheduler: jobs not yet written", "err", err)
	}
	waitJobs := a.Scheduler.Start(jobs)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("listening", "addr", ln.Addr().String(), "db", a.DB.Describe(), "version", a.Config.Version)

	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		a.Log.Info("shutting down: finishing in-flight requests", "timeout", a.Config.ShutdownTimeout)
		sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
		err = srv.Shutdown(sctx)
		cancel()
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	stopJobs()
	waitJobs()
	a.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	a.Log.Info("stopped")
	return nil
}

// RegisterJobs puts kox's periodic work on the scheduler, which runs each
// once across every instance sharing the database. Each job redoes nothing
// already done when it runs again (after a crash, or a lost lease).
func (a *App) RegisterJobs(ctx context.Context) error {
	var errs []error
	jobs := []job.Job{
		{Name: "ledger.expire", Schedule: "@every 5s", Run: func(ctx context.Context) (job.Result, error) {
			return job.Result{}, a.Ledger.ExpireAll(ctx)
		}},
		{Name: "tasks.expire", Schedule: "@every 30s", Run: func(ctx context.Context) (job.Result, error) {
			claims, occurrences, err := a.Tasks.Expire(ctx)
			return job.Result{Changed: int64(claims + occurrences), Note: fmt.Sprintf("%d claims, %d occurrences", claims, occurrences)}, err
		}},
		{Name: "points.expire", Schedule: "@every 1m", Run: func(ctx context.Context) (job.Result, error) {
			n, err := a.Points.Expire(ctx)
			return job.Result{Changed: int64(n)}, err
		}},
		{Name: "idempotency.sweep", Schedule: "@hourly", Run: func(ctx context.Context) (job.Result, error) {
			n, err := a.Idempotency.Sweep(ctx)
			return job.Result{Changed: int64(n)}, err
		}},
		{Name: "promotion.evaluate", Schedule: "@hourly", Run: func(ctx context.Context) (job.Result, error) {
			r, err := a.Promotion.EvaluateAll(ctx)
			return job.Result{Changed: int64(r.Found + r.Promoted + r.Lapsed),
				Note: fmt.Sprintf("%d weighed, %d new candidates, %d promoted, %d lapsed", r.Assessed, r.Found, r.Promoted, r.Lapsed)}, err
		}},
		{Name: "keep.apply", Schedule: "@hourly", Run: func(ctx context.Context) (job.Result, error) {
			r, err := a.Promotion.KeepAll(ctx)
			return job.Result{Changed: int64(r.Warned + r.Recovered + r.Demoted),
				Note: fmt.Sprintf("%d warned, %d recovered, %d demoted", r.Warned, r.Recovered, r.Demoted)}, err
		}},
		{Name: "notify.deliver", Schedule: "@every 5s", Run: func(ctx context.Context) (job.Result, error) {
			events, err := a.Notify.Dispatch(ctx)
			if err != nil {
				return job.Result{}, err
			}
			sent, err := a.Notify.Send(ctx)
			return job.Result{Changed: int64(events + sent), Note: fmt.Sprintf("%d events, %d sent", events, sent)}, err
		}},
		{Name: "kits.issue", Schedule: "@every 10m", Run: func(ctx context.Context) (job.Result, error) {
			r, err := a.Kits.IssueAll(ctx)
			return job.Result{Changed: int64(r.Given), Note: fmt.Sprintf("%d given, %d waiting", r.Given, r.Waiting)}, err
		}},
		{Name: "events.offers", Schedule: "@every 1m", Run: func(ctx context.Context) (job.Result, error) {
			n, err := a.Events.ExpireOffers(ctx)
			return job.Result{Changed: int64(n)}, err
		}},
		{Name: briefing.Job, Schedule: "@every 1m", Run: func(ctx context.Context) (job.Result, error) {
			r, err := a.Campaigns.GoLive(ctx)
			note := fmt.Sprintf("%d campaigns live, %d tasks published, %d briefings told to %d members", r.Campaigns, r.Tasks+r.Told.Tasks,
				r.Told.Briefings, r.Told.Members)
			if len(r.Failed) > 0 {
				note += "; not published: " + strings.Join(r.Failed, "; ")
			}
			return job.Result{Changed: int64(r.Campaigns + r.Tasks + r.Told.Tasks + r.Told.Briefings), Note: note, Wake: r.Next}, err
		}},
		{Name: event.StoriesJob, Schedule: "@every 10m", Run: func(ctx context.Context) (job.Result, error) {
			r, err := a.Events.AssignStories(ctx)
			return job.Result{Changed: int64(r.Assigned), Note: fmt.Sprintf("%d events' attendees given their story (%d)", r.Events, r.Assigned) + notePart(r.Note())}, err
		}},
		{Name: loan.Job, Schedule: "@every 15m", Run: func(ctx context.Context) (job.Result, error) {
			n, err := a.Loans.Overdue(ctx)
			return job.Result{Changed: int64(n), Note: fmt.Sprintf("%d loans newly overdue", n)}, err
		}},
		{Name: "jobs.prune", Schedule: "@daily", Run: func(ctx context.Context) (job.Result, error) { return job.Prune(ctx, a.DB) }},
	}
	if b := a.Config.Backup; b.Schedule != "" && a.DB.Engine == db.SQLite {
		jobs = append(jobs, job.Job{Name: "backup.sqlite", Schedule: b.Schedule, Run: func(ctx context.Context) (job.Result, error) {
			path, removed, err := backup.Take(ctx, a.DB, b.Dir, b.Keep)
			return job.Result{Changed: 1, Note: fmt.Sprintf("%s (%d old copies removed)", path, len(removed))}, err
		}})
	}
	for _, j := range jobs {
		if err := a.Scheduler.Register(ctx, j); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Listen opens the configured address.
func (a *App) Listen() (net.Listener, error) {
	addr := a.Config.Addr
	if addr == "" {
		addr = ":8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// notePart is "; " and a note, or nothing.
func notePart(note string) string {
	if note == "" {
		return ""
	}
	return "; " + note
}
