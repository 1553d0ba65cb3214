package db

import (
	"context"
	"database/sql"
	"sync"
)

// SQLite (modernc) parses a statement every time it runs one, and on a
// single transfer that parsing was a third of the CPU. Statements run in a
// write transaction are therefore prepared once on the writer connection and
// reused. A statement cannot be prepared while a transaction holds the only
// writer connection, so a miss runs unprepared and is noted, and the noted
// statements are prepared right after the transaction ends. PostgreSQL needs
// none of this: pgx caches prepared statements itself.

// maxCachedStmts bounds the cache; generated statements of many shapes (an
// IN list of every length) would otherwise grow it without end.
const maxCachedStmts = 256

type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
}

func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stmts[q]
	if st == nil && len(c.stmts)+len(c.wanted) < maxCachedStmts {
		if c.wanted == nil {
			c.wanted = map[string]bool{}
		}
		c.wanted[q] = true
	}
	return st
}

// prepareWanted prepares the noted statements on w (call with no transaction
// holding the writer).
func (c *stmtCache) prepareWanted(ctx context.Context, w *sql.DB) {
	c.mu.Lock()
	qs := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		qs = append(qs, q)
	}
	c.wanted = nil
	c.mu.Unlock()
	for _, q := range qs {
		st, err := w.PrepareContext(ctx, q)
		if err != nil {
			continue // it runs unprepared, as before
		}
		c.mu.Lock()
		if c.stmts == nil {
			c.stmts = map[string]*sql.Stmt{}
		}
		if c.stmts[q] == nil && len(c.stmts) < maxCachedStmts {
			c.stmts[q] = st
			st = nil
		}
		c.mu.Unlock()
		if st != nil {
			st.Close()
		}
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}

func (tx *Tx) cached(q string) *sql.Stmt {
	if tx.cache == nil {
		return nil
	}
	return tx.cache.get(q)
}

// ExecContext runs a statement in the transaction (prepared once, on SQLite).
func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := tx.cached(q); st != nil {
		return tx.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, q, args...)
}

// QueryContext runs a query in the transaction (prepared once, on SQLite).
func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := tx.cached(q); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query in the transaction (prepared once, on
// SQLite).
func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := tx.cached(q); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, q, args...)
}
