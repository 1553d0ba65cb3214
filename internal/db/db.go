// Package db opens kox's database — embedded SQLite by default, PostgreSQL for
// production — runs the embedded migrations, and gives domain packages one
// transaction helper that retries what the engine says to retry.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DefaultPath is where the embedded database lives when nothing else is said.
const DefaultPath = "kox-data/kox.db"

// DB is an open kox database. On SQLite, W is a pool of exactly one connection
// (SQLite allows one writer at a time, and queueing writers in Go is cheaper
// than letting them spin on the file lock) and R is a pool of read-only
// connections; on PostgreSQL both are the same pool.
type DB struct {
	Engine Engine
	W      *sql.DB
	R      *sql.DB

	path string // SQLite file, for the migration lock
	url  string // PostgreSQL URL

	mu    sync.RWMutex
	clock func() time.Time
	stmts *stmtCache // SQLite only
}

// Target is a parsed database address.
type Target struct {
	Engine Engine
	Path   string // SQLite
	URL    string // PostgreSQL
}

// ParseTarget reads a --db value: empty (the default SQLite file), a path,
// "sqlite:PATH", or a postgres:// (postgresql://) URL.
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Target{Engine: SQLite, Path: DefaultPath}, nil
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		return Target{Engine: Postgres, URL: s}, nil
	case strings.HasPrefix(s, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(s, "sqlite:"), "//")
		if p == "" {
			return Target{}, fmt.Errorf("database %q: sqlite: needs a file path", s)
		}
		return Target{Engine: SQLite, Path: p}, nil
	case strings.Contains(s, "://"):
		return Target{}, fmt.Errorf("database %q: use a file path, sqlite:PATH or a postgres:// URL", s)
	default:
		return Target{Engine: SQLite, Path: s}, nil
	}
}

// Open opens the database named by a --db value (see ParseTarget). It does not
// migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	t, err := ParseTarget(dsn)
	if err != nil {
		return nil, err
	}
	return OpenTarget(ctx, t)
}

// OpenTarget opens a parsed target.
func OpenTarget(ctx context.Context, t Target) (*DB, error) {
	switch t.Engine {
	case SQLite:
		return openSQLite(ctx, t.Path)
	case Postgres:
		return openPostgres(ctx, t.URL)
	}
	return nil, fmt.Errorf("unknown engine %q", t.Engine)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// synchronous=FULL: an acknowledged transfer survives a power cut, not only
	// a crash; group commit makes the extra fsync cheap.
	common := "_busy_timeout=10000&_foreign_keys=on"
	w, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Switching a new file to WAL takes a lock that the busy timeout does not
	// wait for: processes opening one new file at once retry a little.
	for attempt := 0; ; attempt++ {
		err = w.PingContext(ctx)
		if err == nil {
			break
		}
		if !Retryable(err) || attempt >= 50 {
			w.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		if serr := sleep(ctx, backoff(min(attempt, 6))); serr != nil {
			w.Close()
			return nil, serr
		}
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_query_only=on")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{Engine: SQLite, W: w, R: r, path: path, clock: time.Now, stmts: &stmtCache{}}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	// pgx caches prepared statements, and after five runs PostgreSQL may plan
	// them generically; lists of values therefore go in as one array (see In),
	// whose generic plan is as good as a custom one.
	p := stdlib.OpenDB(*cfg)
	n := MaxConns()
	p.SetMaxOpenConns(n)
	p.SetMaxIdleConns(n)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &DB{Engine: Postgres, W: p, R: p, url: url, clock: time.Now}, nil
}

// MaxConns is how many connections one kox process opens to PostgreSQL:
// KOX_DB_MAX_CONNS, else four per CPU kox may use. More backends than the
// machine has cores to run them only queue for the CPU while holding their
// locks: on two cores, 8 connections made claims half again as fast as 32.
func MaxConns() int {
	if n, err := strconv.Atoi(os.Getenv("KOX_DB_MAX_CONNS")); err == nil && n > 0 {
		return n
	}
	return max(4, 4*runtime.GOMAXPROCS(0))
}

// Close closes both pools.
func (d *DB) Close() error {
	if d.stmts != nil {
		d.stmts.close()
	}
	err := d.W.Close()
	if d.R != d.W {
		err = errors.Join(err, d.R.Close())
	}
	return err
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.R.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return d.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// SetClock replaces the clock that gives each transaction its "now" (tests).
func (d *DB) SetClock(now func() time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clock = now
}

// Now is the current time by the database's clock, in UTC, to the microsecond
// (what both engines store).
func (d *DB) Now() time.Time {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.clock().UTC().Truncate(time.Microsecond)
}

// Describe names the database for logs without its password.
func (d *DB) Describe() string {
	if d.Engine == SQLite {
		return "sqlite:" + d.path
	}
	return redact(d.url)
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://(unreadable address)"
	}
	return u.Redacted()
}
