package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"kox/internal/backup"
	"kox/internal/db"
)

// backupCmd writes a consistent copy of the database while kox serves: the
// SQLite file by VACUUM INTO, into a folder that keeps the newest --keep;
// for PostgreSQL, pg_dump once its version is checked against the server's.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dsn, dir string
	var keep int
	fs := flags("backup", "Write a consistent copy of the database (kox may keep serving)", stderr)
	dbFlag(fs, &dsn)
	fs.StringVar(&dir, "dir", env("KOX_BACKUP_DIR", "kox-data/backups"), "folder for the copies (env KOX_BACKUP_DIR)")
	fs.IntVar(&keep, "keep", 0, "keep only the newest N copies in the folder (0: all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Engine == db.Postgres {
		target, _ := db.ParseTarget(dsn)
		file, versions, err := backup.DumpPostgres(ctx, d, target.URL, dir)
		if err != nil {
			return fmt.Errorf("%w\n  by hand: %s", err, strings.Join(backup.PgDump("$KOX_DB", dir+"/kox.dump"), " "))
		}
		fmt.Fprintf(stdout, "wrote %s (%s)\n", file, versions)
		return nil
	}
	path, removed, err := backup.Take(ctx, d, dir, keep)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	for _, r := range removed {
		fmt.Fprintf(stdout, "removed %s\n", r)
	}
	return nil
}

// restoreCmd brings a SQLite copy back: it checks the copy whole, writes it
// to the database path (--force replaces a file there; stop kox first) and
// brings its schema up to date.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dsn, from string
	var force bool
	fs := flags("restore", "Bring back a SQLite copy made by kox backup (stop kox first)", stderr)
	dbFlag(fs, &dsn)
	fs.StringVar(&from, "from", "", "the copy to restore")
	fs.BoolVar(&force, "force", false, "replace the database file if there is one")
	if err := parse(fs, args); err != nil {
		return err
	}
	target, err := db.ParseTarget(dsn)
	if err != nil {
		return err
	}
	if target.Engine != db.SQLite {
		return fmt.Errorf("PostgreSQL is restored with pg_restore: pg_restore --clean --if-exists --no-owner --dbname \"$KOX_DB\" FILE")
	}
	if from == "" {
		fs.Usage()
		return errUsage
	}
	if err := db.RestoreSQLite(ctx, from, target.Path, force); err != nil {
		return err
	}
	d, err := openMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	cur, _, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s (schema at version %d)\n", from, d.Describe(), cur)
	return nil
}
