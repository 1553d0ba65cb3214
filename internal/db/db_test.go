package db_test

import (
	"context"
	"errors"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in     string
		engine db.Engine
		path   string
		bad    bool
	}{
		{"", db.SQLite, db.DefaultPath, false},
		{"kox-data/x.db", db.SQLite, "kox-data/x.db", false},
		{"sqlite:/tmp/a.db", db.SQLite, "/tmp/a.db", false},
		{"sqlite:///tmp/a.db", db.SQLite, "/tmp/a.db", false},
		{"postgres://u@h/db", db.Postgres, "", false},
		{"postgresql://u@h/db", db.Postgres, "", false},
		{"sqlite:", "", "", true},
		{"mysql://u@h/db", "", "", true},
	}
	for _, c := range cases {
		got, err := db.ParseTarget(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("ParseTarget(%q) = %+v, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got.Engine != c.engine || got.Path != c.path {
			t.Errorf("ParseTarget(%q) = %+v, %v; want engine %s path %q", c.in, got, err, c.engine, c.path)
		}
	}
}

func TestMigrateIsIdempotentAndCurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		ok, err := d.SchemaCurrent(ctx)
		if err != nil || !ok {
			t.Fatalf("SchemaCurrent = %v, %v; want true", ok, err)
		}
		cur, latest, err := d.SchemaVersion(ctx)
		if err != nil || cur != latest || cur < 1 {
			t.Fatalf("SchemaVersion = %d, %d, %v", cur, latest, err)
		}
	})
}

func TestFreshDatabaseIsNotCurrent(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			d := dbtest.OpenEmpty(t, e)
			ok, err := d.SchemaCurrent(context.Background())
			if err != nil || ok {
				t.Fatalf("SchemaCurrent on an empty database = %v, %v; want false", ok, err)
			}
		})
	}
}

// Concurrent migrations of one database (two kox processes starting at once)
// must leave one correct schema and no error.
func TestConcurrentMigrate(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			target := dbtest.Target(t, e)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					d, err := db.OpenTarget(context.Background(), target)
					if err != nil {
						errs[i] = err
						return
					}
					defer d.Close()
					errs[i] = d.Migrate(context.Background())
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("migration %d: %v", i, err)
				}
			}
		})
	}
}

// The schema has one source rendered per engine; this keeps the result the
// same: the same tables with the same columns on both.
// Both engines end with the same schema: every table's columns with their
// types, nullability and defaults, and every index with its columns and
// whether it is unique.
func TestSchemasMatchAcrossEngines(t *testing.T) {
	if !dbtest.PostgresConfigured() {
		t.Skip("postgres: skipped, KOX_TEST_POSTGRES is not set")
	}
	lite := dbtest.Open(t, db.SQLite)
	pg := dbtest.Open(t, db.Postgres)
	// Declared types, read as the kinds both engines mean by them; an
	// INTEGER PRIMARY KEY is SQLite's 64-bit row id.
	liteCols := columns(t, lite, `SELECT m.name || '.' || p.name || ' ' ||
			CASE WHEN p.pk = 1 AND upper(p.type) = 'INTEGER' THEN 'bigint' WHEN upper(p.type) = 'BLOB' THEN 'bytea' ELSE lower(p.type) END ||
			CASE WHEN p."notnull" = 1 OR p.pk = 1 THEN ' not null' ELSE ' null' END ||
			' default ' || coalesce(lower(p.dflt_value), '-')
		FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`)
	pgCols := columns(t, pg, `SELECT table_name || '.' || column_name || ' ' || data_type ||
			CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE ' null' END ||
			' default ' || coalesce(lower(regexp_replace(column_default, '::[a-z ]+$', '')), '-')
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`)
	if diff := difference(liteCols, pgCols); diff != "" {
		t.Errorf("columns differ:\n%s", diff)
	}
	liteIdx := columns(t, lite, `SELECT m.name || ' ' || CASE WHEN l."unique" = 1 THEN 'unique ' ELSE '' END || '(' ||
			(SELECT group_concat(name, ',') FROM (SELECT i.name FROM pragma_index_info(l.name) i ORDER BY i.seqno)) || ')'
		FROM sqlite_master m JOIN pragma_index_list(m.name) l
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version' AND l.origin <> 'pk'`)
	pgIdx := columns(t, pg, `SELECT c.relname || ' ' || CASE WHEN x.indisunique THEN 'unique ' ELSE '' END || '(' ||
			(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
			 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) || ')'
		FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace
		WHERE ns.nspname = current_schema() AND NOT x.indisprimary AND c.relname <> 'goose_db_version'`)
	if diff := difference(liteIdx, pgIdx); diff != "" {
		t.Errorf("indexes differ:\n%s", diff)
	}
	t.Logf("%d columns, %d indexes; e.g. %s | %s", len(liteCols), len(liteIdx), liteCols[len(liteCols)/2], liteIdx[len(liteIdx)/2])
	if len(liteCols) < 100 || len(liteIdx) < 20 {
		t.Fatalf("read %d columns and %d indexes: the queries read too little", len(liteCols), len(liteIdx))
	}
}

// difference lists what one sorted list has and the other lacks.
func difference(a, b []string) string {
	in := func(xs []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	ina, inb := in(a), in(b)
	var out []string
	for _, x := range a {
		if !inb[x] {
			out = append(out, "sqlite only:   "+x)
		}
	}
	for _, x := range b {
		if !ina[x] {
			out = append(out, "postgres only: "+x)
		}
	}
	return strings.Join(out, "\n")
}

func columns(t *testing.T, d *db.DB, q string) []string {
	t.Helper()
	rows, err := d.R.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestSQLiteSettings(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	var mode string
	var fk, sync int
	if err := d.W.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if err := d.W.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
	if err := d.W.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Errorf("synchronous = %d, %v; want 2 (FULL)", sync, err)
	}
	if _, err := d.R.Exec("CREATE TABLE nope (x INT)"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestInTxCommitsAndRollsBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		insert := func(tx *db.Tx, slug string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO programs (public_id, slug, name, created_at) VALUES ($1, $1, $1, $2)`, slug, tx.Now.UnixMicro())
			return err
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return insert(tx, "a") }); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if err := insert(tx, "b"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want boom", err)
		}
		var n int
		if err := d.R.QueryRow(`SELECT count(*) FROM programs`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("programs = %d, %v; want 1 (the failed transaction rolled back)", n, err)
		}
		// A unique violation is a domain conflict, not a raw driver error.
		err = d.InTx(ctx, func(tx *db.Tx) error { return insert(tx, "a") })
		if !fault.Is(err, fault.Conflict) {
			t.Fatalf("duplicate insert: %v, want a conflict", err)
		}
	})
}

// Writers racing on one row: every increment lands once, whatever the engine
// made some of them retry.
func TestInTxUnderContention(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO programs (public_id, slug, name, created_at) VALUES ('p', 'p', '0', 0)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var failed atomic.Int32
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := d.InTx(ctx, func(tx *db.Tx) error {
					var n int
					if err := tx.QueryRowContext(ctx, `SELECT CAST(name AS INTEGER) FROM programs WHERE slug = 'p'`+tx.ForUpdate()).Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `UPDATE programs SET name = $1 WHERE slug = 'p'`, strconv.Itoa(n+1))
					return err
				})
				if err != nil {
					failed.Add(1)
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		var name string
		if err := d.R.QueryRow(`SELECT name FROM programs WHERE slug = 'p'`).Scan(&name); err != nil || name != "40" {
			t.Fatalf("counter = %q, %v; want 40 (failed %d)", name, err, failed.Load())
		}
	})
}

func TestRowsAndParams(t *testing.T) {
	if got := db.Postgres.Params(3, 3); got != "$3, $4, $5" {
		t.Errorf("Params = %q", got)
	}
	if got := db.Postgres.Rows(1, 2, 2, "BIGINT"); got != "(CAST($1 AS BIGINT), $2), (CAST($3 AS BIGINT), $4)" {
		t.Errorf("Rows = %q", got)
	}
	if got := db.SQLite.Rows(2, 2, 2, "BIGINT"); got != "(CAST(? AS BIGINT), ?), (CAST(? AS BIGINT), ?)" {
		t.Errorf("SQLite Rows = %q", got)
	}
}

// In must select the same rows on both engines, including after PostgreSQL
// has switched the statement to a cached generic plan (more than five runs),
// and match nothing for an empty list.
func TestInLists(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			for i := 0; i < 50; i++ {
				if _, err := tx.ExecContext(ctx, `INSERT INTO programs (public_id, slug, name, created_at) VALUES ($1, $1, $1, 0)`, "s"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		count := func(slugs []string) int {
			in, args, next := db.In(d.Engine, "slug", 2, slugs)
			var n int
			q := `SELECT count(*) FROM programs WHERE created_at = $1 AND ` + in
			if err := d.R.QueryRow(q, append([]any{0}, args...)...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if want := 2 + len(slugs); d.Engine == db.SQLite && next != want {
				t.Fatalf("next parameter %d, want %d", next, want)
			}
			return n
		}
		for run := 0; run < 8; run++ {
			if n := count([]string{"s1", "s7", "s49", "nope"}); n != 3 {
				t.Fatalf("run %d: %d rows, want 3", run, n)
			}
		}
		if n := count(nil); n != 0 {
			t.Fatalf("empty list matched %d rows", n)
		}
	})
}

func TestFilterAndTrimPage(t *testing.T) {
	w := db.Where("program_id = $1", 7).Add("status = $?", "active").Add("(a = $? OR b = $?)", "x")
	where, args := w.Page("id DESC", 2)
	if where != " WHERE program_id = $1 AND status = $2 AND (a = $3 OR b = $3) ORDER BY id DESC LIMIT $4" || len(args) != 4 || args[3] != 3 {
		t.Fatalf("Page = %q %v", where, args)
	}
	items, next := db.TrimPage([]int64{9, 8, 7}, 2, func(x int64) int64 { return x })
	if len(items) != 2 || next != 8 {
		t.Fatalf("TrimPage = %v %d", items, next)
	}
	if items, next := db.TrimPage([]int64{9}, 2, func(x int64) int64 { return x }); len(items) != 1 || next != 0 {
		t.Fatalf("last page = %v %d", items, next)
	}
	c, cArgs := db.Where("p = $1", 1).AddCond(db.Cond{SQL: "m.id IN (SELECT x FROM y WHERE k = $?)", Arg: "main/a"}).Page("id", 10)
	if c != " WHERE p = $1 AND m.id IN (SELECT x FROM y WHERE k = $2) ORDER BY id LIMIT $3" || len(cArgs) != 3 || cArgs[1] != "main/a" {
		t.Fatalf("AddCond = %q %v", c, cArgs)
	}
	w2 := db.Window{Offset: 4, Limit: 2}
	page, pArgs := w2.SQL(3)
	if page != " LIMIT $4 OFFSET $5" || pArgs[0] != 3 || pArgs[1] != 4 {
		t.Fatalf("Window.SQL = %q %v", page, pArgs)
	}
	if got, next := db.Trim(w2, []int{1, 2, 3}); len(got) != 2 || next != 6 {
		t.Fatalf("Trim = %v %d", got, next)
	}
	if got, next := db.Trim(w2, []int{1, 2}); len(got) != 2 || next != 0 {
		t.Fatalf("Trim of the last page = %v %d", got, next)
	}
	if db.CheckLimit(0) == nil || db.CheckLimit(db.MaxLimit+1) == nil || db.CheckLimit(50) != nil {
		t.Fatal("CheckLimit")
	}
}
