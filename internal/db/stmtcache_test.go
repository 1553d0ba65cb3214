package db

import (
	"context"
	"fmt"
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
	// The cache is bounded: distinct statements run in transactions past
	// the bound are prepared up to it, and the rest still run, unprepared.
	for i := 0; i < maxCachedStmts+40; i++ {
		q := fmt.Sprintf(`SELECT count(*) + %d FROM programs`, i)
		if err := d.InTx(ctx, func(tx *Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil || n != 3+i {
				return fmt.Errorf("statement %d: %d, %v", i, n, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	d.stmts.mu.Lock()
	prepared, wanted := len(d.stmts.stmts), len(d.stmts.wanted)
	d.stmts.mu.Unlock()
	if prepared != maxCachedStmts || wanted != 0 {
		t.Fatalf("cache holds %d prepared and %d wanted statements, want exactly %d and 0", prepared, wanted, maxCachedStmts)
	}
	if err := d.InTx(ctx, func(tx *Tx) error {
		if tx.cached(fmt.Sprintf(`SELECT count(*) + %d FROM programs`, maxCachedStmts+39)) != nil {
			return fmt.Errorf("a statement past the bound was prepared")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
