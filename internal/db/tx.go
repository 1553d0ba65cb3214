package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// MaxAttempts bounds how often InTx runs a transaction whose engine asked for a
// retry (SQLite busy, PostgreSQL serialization failure or deadlock).
const MaxAttempts = 10

// Tx is a write transaction with its engine and its one "now".
type Tx struct {
	*sql.Tx
	Engine Engine
	Now    time.Time
	cache  *stmtCache // SQLite's writer statements; nil on PostgreSQL
	after  []func()
}

// AfterCommit runs fn once the transaction has committed (never if it rolls
// back or is retried): for effects outside the database, such as metrics.
func (tx *Tx) AfterCommit(fn func()) { tx.after = append(tx.after, fn) }

// ForUpdate is the row-locking suffix for a SELECT: PostgreSQL locks the rows;
// SQLite needs nothing because a write transaction already holds the only
// write lock (BEGIN IMMEDIATE).
func (tx *Tx) ForUpdate() string {
	if tx.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ForUpdateOf is ForUpdate for a query that joins other tables: it locks
// only the rows of the table called alias. (A plain FOR UPDATE on a join
// locks the joined rows too: a claim read with its task would lock the task,
// and two claims sharing the task would wait on each other.)
func (tx *Tx) ForUpdateOf(alias string) string {
	if tx.Engine == Postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

// ForShare is ForUpdate's shared lock: rows others may read and share-lock
// but not change until the transaction ends.
func (tx *Tx) ForShare() string {
	if tx.Engine == Postgres {
		return " FOR SHARE"
	}
	return ""
}

// InTx runs fn in a write transaction and commits it. When the engine reports
// a transient conflict it runs fn again, up to MaxAttempts times, so fn must
// have no effects outside the transaction. Errors come back mapped to domain
// errors (see MapError).
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	if d.stmts != nil {
		defer d.stmts.prepareWanted(context.WithoutCancel(ctx), d.W)
	}
	for attempt := 0; attempt < MaxAttempts; attempt++ {
		err = d.once(ctx, fn)
		if err == nil || !d.Retryable(err) {
			break
		}
		if werr := sleep(ctx, backoff(attempt)); werr != nil {
			return MapError(errors.Join(err, werr))
		}
	}
	return MapError(err)
}

func (d *DB) once(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: stx, Engine: d.Engine, Now: d.Now(), cache: d.stmts}
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// backoff grows from about 1ms to about 100ms with jitter, so that callers who
// collided do not collide again in step.
func backoff(attempt int) time.Duration {
	base := time.Millisecond << min(attempt, 7)
	return base/2 + rand.N(base)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Outcome receives the result of a request's change inside the change's own
// transaction: the API's Idempotency-Key store keeps the response with it,
// so that a crash can never leave a change made and its key unanswered.
type Outcome interface {
	// Save is called in tx with the change's result, just before commit.
	Save(ctx context.Context, tx *Tx, result any) error
	// Committed is called once the transaction that saved has committed.
	Committed()
}

type outcomeKey struct{}

// WithOutcome makes Do hand its results to o.
func WithOutcome(ctx context.Context, o Outcome) context.Context {
	return context.WithValue(ctx, outcomeKey{}, o)
}

// Do runs fn in a write transaction, as InTx does, and returns its result;
// when ctx carries an Outcome the result is saved to it in the same
// transaction.
func Do[T any](ctx context.Context, d *DB, fn func(tx *Tx) (T, error)) (T, error) {
	var out T
	o, _ := ctx.Value(outcomeKey{}).(Outcome)
	err := d.InTx(ctx, func(tx *Tx) error {
		var err error
		if out, err = fn(tx); err != nil {
			return err
		}
		if o != nil {
			return o.Save(ctx, tx, out)
		}
		return nil
	})
	if err == nil && o != nil {
		o.Committed()
	}
	return out, err
}

// InReadTx runs fn in a read-only transaction on the read pool: one
// consistent view for a page that applies the writers' own rules to what
// it reads (which tasks a member may take, say). Nothing fn writes lands.
func (d *DB) InReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := d.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return MapError(fmt.Errorf("begin read: %w", err))
	}
	defer func() { _ = stx.Rollback() }()
	return MapError(fn(&Tx{Tx: stx, Engine: d.Engine, Now: d.Now()}))
}
