package db

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"testing/fstest"
	"text/template"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// The schema has one source: portable SQL with a few template fields for what
// the engines spell differently (see Dialect). Shipped migrations are never
// edited; a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// renderMigrations renders every migration for the engine into an in-memory
// file system that goose reads.
func renderMigrations(e Engine) (fs.FS, error) {
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	for _, ent := range entries {
		src, err := fs.ReadFile(migrationFiles, "migrations/"+ent.Name())
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(ent.Name()).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", ent.Name(), err)
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, e.Dialect()); err != nil {
			return nil, fmt.Errorf("migration %s: %w", ent.Name(), err)
		}
		out[ent.Name()] = &fstest.MapFile{Data: buf.Bytes(), Mode: 0o444}
	}
	return out, nil
}

func (d *DB) provider() (*goose.Provider, error) {
	fsys, err := renderMigrations(d.Engine)
	if err != nil {
		return nil, err
	}
	if d.Engine == Postgres {
		// An advisory lock held for the whole run: of several kox processes
		// starting at once, one migrates and the others wait, then find
		// nothing to do.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		return goose.NewProvider(goose.DialectPostgres, d.W, fsys, goose.WithSessionLocker(locker), goose.WithGoMigrations(movePosts()))
	}
	return goose.NewProvider(goose.DialectSQLite3, d.W, fsys, goose.WithGoMigrations(movePosts()))
}

// Migrate brings the schema up to date.
func (d *DB) Migrate(ctx context.Context) error {
	p, err := d.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if d.Engine == SQLite {
		// Two processes on one file (kox migrate beside kox serve) must not
		// migrate at once; an advisory file lock serialises them.
		unlock, err := lockFile(ctx, d.path+".migrate-lock")
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		defer unlock()
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// SchemaCurrent reports whether every migration has been applied.
func (d *DB) SchemaCurrent(ctx context.Context) (bool, error) {
	p, err := d.provider()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, err
	}
	return !pending, nil
}

// SchemaVersion returns the applied and the latest known schema versions.
func (d *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := d.provider()
	if err != nil {
		return 0, 0, err
	}
	return p.GetVersions(ctx)
}

// lockFile takes an exclusive lock that other processes wait for: an
// exclusive transaction on a small SQLite file of its own, which works
// wherever SQLite does (flock is Unix only). It waits up to ten minutes.
func lockFile(ctx context.Context, path string) (func(), error) {
	l, err := sql.Open("sqlite", "file:"+path+"?_busy_timeout=600000")
	if err != nil {
		return nil, err
	}
	conn, err := l.Conn(ctx)
	if err == nil {
		_, err = conn.ExecContext(ctx, "BEGIN EXCLUSIVE")
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		l.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		conn.Close()
		l.Close()
	}, nil
}
