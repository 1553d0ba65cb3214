package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// ErrNotSQLite is BackupTo on PostgreSQL: its backups are pg_dump's.
var ErrNotSQLite = errors.New("only the embedded SQLite database is backed up by kox; use pg_dump for PostgreSQL")

// BackupTo writes a consistent copy of the SQLite database to dest (which
// must not exist) while kox serves: VACUUM INTO reads one snapshot, in a
// transaction of its own on a connection of its own, and takes no write
// lock, so writers go on; what they commit after the snapshot began is
// not in the copy.
func (d *DB) BackupTo(ctx context.Context, dest string) error {
	if d.Engine != SQLite {
		return ErrNotSQLite
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup: %s already exists", dest)
	}
	c, err := sql.Open("sqlite", "file:"+d.path+"?_busy_timeout=10000")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `VACUUM INTO $1`, dest); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return nil
}

// CheckSQLiteFile opens a SQLite file read-only and checks it whole
// (PRAGMA integrity_check) and that it is a kox database (its migrations'
// table): what a restore checks before it copies anything.
func CheckSQLiteFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer c.Close()
	var ok string
	if err := c.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if ok != "ok" {
		return fmt.Errorf("check %s: the file is damaged: %s", path, ok)
	}
	var n int
	if err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM goose_db_version`).Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("check %s: not a kox database", path)
	}
	return nil
}

// RestoreSQLite copies the checked backup from into a new database file at
// to; with force an existing file (and its WAL) is replaced. kox must not be
// serving the file while it is restored.
func RestoreSQLite(ctx context.Context, from, to string, force bool) error {
	if err := CheckSQLiteFile(ctx, from); err != nil {
		return err
	}
	if _, err := os.Stat(to); err == nil {
		if !force {
			return fmt.Errorf("restore: %s exists (stop kox, then use --force to replace it)", to)
		}
		for _, f := range []string{to, to + "-wal", to + "-shm"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("restore: %w", err)
			}
		}
	}
	c, err := sql.Open("sqlite", "file:"+from+"?mode=ro")
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `VACUUM INTO $1`, to); err != nil {
		return fmt.Errorf("restore to %s: %w", to, err)
	}
	return nil
}

// ServerVersion is PostgreSQL's version: its number (150020 for 15.20) and
// its words.
func (d *DB) ServerVersion(ctx context.Context) (int, string, error) {
	if d.Engine != Postgres {
		return 0, "", errors.New("not PostgreSQL")
	}
	var num int
	var words string
	err := d.R.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int, current_setting('server_version')`).Scan(&num, &words)
	return num, words, err
}
