package db

import (
	"context"
	"path/filepath"
	"testing"
)

// A statement run in a write transaction is prepared after the first one
// and reused by later ones, giving the same results.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	d, err := OpenTarget(ctx, Target{Engine: SQLite, Path: filepath.Join(t.TempDir(), "c.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const q = `INSERT INTO programs (public_id, slug, name, created_at) VALUES ($1, $1, $1, 0)`
	for i, slug := range []string{"a", "b", "c"} {
		if err := d.InTx(ctx, func(tx *Tx) error {
			if i > 0 && tx.cached(q) == nil {
				t.Fatalf("transaction %d: the statement is not prepared", i)
			}
			_, err := tx.ExecContext(ctx, q, slug)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM programs`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("programs = %d, %v", n, err)
	}
	// The cache is bounded.
	for i := 0; i < maxCachedStmts+10; i++ {
		d.stmts.get(q + " -- " + string(rune('a'+i%26)) + string(rune(i)))
	}
	if n := len(d.stmts.stmts) + len(d.stmts.wanted); n > maxCachedStmts {
		t.Fatalf("cache holds %d statements", n)
	}
}
