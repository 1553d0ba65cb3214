// Package backup takes copies of kox's database (SPEC P6): the embedded
// SQLite file while kox serves, into a folder that keeps the newest few,
// and, for PostgreSQL, pg_dump after checking that it can read the server.
package backup

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"kox/internal/db"
)

// prefix and suffix name the copies a folder keeps: kox-20261202T030000.000000Z.db.
const (
	prefix = "kox-"
	suffix = ".db"
	stamp  = "20060102T150405.000000Z"
)

// Take writes a copy of the SQLite database into dir, named by the time,
// and removes the oldest copies beyond keep (0 keeps them all). It returns
// the copy's path and the copies removed.
func Take(ctx context.Context, d *db.DB, dir string, keep int) (string, []string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", nil, fmt.Errorf("backup: %w", err)
	}
	path := filepath.Join(dir, prefix+d.Now().UTC().Format(stamp)+suffix)
	if err := d.BackupTo(ctx, path); err != nil {
		return "", nil, err
	}
	removed, err := prune(dir, keep)
	return path, removed, err
}

var copyName = regexp.MustCompile(`^kox-\d{8}T\d{6}\.\d{6}Z\.db$`)

// prune removes the oldest copies in dir beyond keep; files it did not
// write are left alone.
func prune(dir string, keep int) ([]string, error) {
	if keep <= 0 {
		return nil, nil
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range es {
		if !e.IsDir() && copyName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // the time in the name sorts as the time
	var removed []string
	for len(names) > keep {
		p := filepath.Join(dir, names[0])
		if err := os.Remove(p); err != nil {
			return removed, err
		}
		removed, names = append(removed, p), names[1:]
	}
	return removed, nil
}

// PgDump is the pg_dump command that backs up the PostgreSQL database at
// url into file (custom format, for pg_restore).
func PgDump(url, file string) []string {
	return []string{"pg_dump", "--format=custom", "--no-owner", "--file=" + file, url}
}

var pgVersion = regexp.MustCompile(`(\d+)(?:\.(\d+))?`)

// CheckPgDump says whether the pg_dump on PATH can dump the server: its
// major version must be at least the server's.
func CheckPgDump(ctx context.Context, d *db.DB) (string, error) {
	num, words, err := d.ServerVersion(ctx)
	if err != nil {
		return "", fmt.Errorf("backup: the server's version: %w", err)
	}
	out, err := exec.CommandContext(ctx, "pg_dump", "--version").Output()
	if err != nil {
		return "", fmt.Errorf("backup: pg_dump is not on PATH (install postgresql-client-%d): %w", num/10000, err)
	}
	m := pgVersion.FindStringSubmatch(string(out))
	if m == nil {
		return "", fmt.Errorf("backup: cannot read pg_dump's version from %q", strings.TrimSpace(string(out)))
	}
	major, _ := strconv.Atoi(m[1])
	if major < num/10000 {
		return "", fmt.Errorf("backup: pg_dump %d cannot dump PostgreSQL %s: install postgresql-client-%d", major, words, num/10000)
	}
	return fmt.Sprintf("PostgreSQL %s, %s", words, strings.TrimSpace(string(out))), nil
}

// DumpPostgres runs pg_dump into dir after checking its version.
func DumpPostgres(ctx context.Context, d *db.DB, url, dir string) (string, string, error) {
	versions, err := CheckPgDump(ctx, d)
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", "", err
	}
	file := filepath.Join(dir, "kox-"+time.Now().UTC().Format(stamp)+".dump")
	args := PgDump(url, file)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return file, versions, nil
}
