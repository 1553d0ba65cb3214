// Package dbtest runs a test on every database engine: SQLite in a temporary
// file always, and PostgreSQL when KOX_TEST_POSTGRES names a server (the test
// script sets it). Each test gets its own fresh database (SQLite) or schema
// (PostgreSQL), migrated.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"kox/internal/db"
)

// EnvPostgres is the variable that names the PostgreSQL server for tests, as a
// postgres:// URL whose user may create schemas.
const EnvPostgres = "KOX_TEST_POSTGRES"

// Engines are the engines every store test runs on, in order.
var Engines = []db.Engine{db.SQLite, db.Postgres}

// Run runs fn as a subtest per engine, named "sqlite" and "postgres", each with
// its own freshly migrated database. The PostgreSQL subtest is skipped, saying
// so, when no server is configured.
func Run(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh, migrated database on the engine, closed and removed
// when the test ends; it skips the test when the engine is not configured.
func Open(t testing.TB, e db.Engine) *db.DB {
	t.Helper()
	d := OpenEmpty(t, e)
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return d
}

// OpenEmpty is Open without migrating.
func OpenEmpty(t testing.TB, e db.Engine) *db.DB {
	t.Helper()
	target := Target(t, e)
	d, err := db.OpenTarget(context.Background(), target)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Target returns a fresh, empty database address on the engine (a file in the
// test's temp folder, or a new PostgreSQL schema dropped at cleanup); it skips
// the test when the engine is not configured.
func Target(t testing.TB, e db.Engine) db.Target {
	t.Helper()
	switch e {
	case db.SQLite:
		return db.Target{Engine: db.SQLite, Path: filepath.Join(t.TempDir(), "kox.db")}
	case db.Postgres:
		return db.Target{Engine: db.Postgres, URL: NewSchema(t)}
	}
	t.Fatalf("unknown engine %q", e)
	return db.Target{}
}

// PostgresConfigured reports whether PostgreSQL tests will run.
func PostgresConfigured() bool { return os.Getenv(EnvPostgres) != "" }

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// NewSchema creates an empty schema on the configured PostgreSQL server and
// returns a URL whose connections use it; the schema is dropped at cleanup.
func NewSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("postgres: skipped, %s is not set (scripts/test sets it)", EnvPostgres)
	}
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", base)
		if adminErr == nil {
			admin.SetMaxOpenConns(4)
			adminErr = admin.Ping()
		}
	})
	if adminErr != nil {
		t.Fatalf("postgres at %s: %v", EnvPostgres, adminErr)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Main is for TestMain in packages with engine tests: it says, once per
// package, when the PostgreSQL tests will be skipped.
func Main(m interface{ Run() int }) int {
	if !PostgresConfigured() {
		fmt.Fprintf(os.Stderr, "NOTE: PostgreSQL tests skipped: %s is not set (./scripts/test sets it up)\n", EnvPostgres)
	}
	return m.Run()
}
