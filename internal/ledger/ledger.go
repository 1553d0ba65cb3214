package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"kox/internal/db"
	"kox/internal/fault"
)

// ErrClosed is returned by Transfer after Close.
var ErrClosed = errors.New("ledger: closed")

// Ledger applies transfers: Transfer in a transaction of its own, ApplyTx
// inside a domain transaction (a claim and its slot commit together).
//
// It once group-committed concurrent Transfer callers into shared
// transactions. Every path users hit moves the ledger inside a domain
// transaction, which that committer could not serve, so it went (see
// docs/decisions.md, "No group commit").
type Ledger struct {
	db      *db.DB
	observe func(Code)
	log     *slog.Logger

	mu   sync.RWMutex
	shut bool
}

// Option configures a Ledger.
type Option func(*Ledger)

// WithObserver calls fn with the code of every transfer result (metrics).
func WithObserver(fn func(Code)) Option { return func(l *Ledger) { l.observe = fn } }

// WithLogger sets the logger.
func WithLogger(log *slog.Logger) Option { return func(l *Ledger) { l.log = log } }

// New returns a ledger over the database.
func New(d *db.DB, opts ...Option) *Ledger {
	l := &Ledger{db: d, observe: func(Code) {}, log: slog.Default()}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Close makes later Transfer calls fail with ErrClosed.
func (l *Ledger) Close() {
	l.mu.Lock()
	l.shut = true
	l.mu.Unlock()
}

// Transfer applies transfers for one program in a transaction of its own.
// There is one result per transfer, in order; each transfer (or linked
// chain) is applied whole or not at all. The error is for failures of the
// system (the database, ctx), not of a transfer: then the caller does not
// know whether the transfers committed, and retries with the same client ids.
//
// It first assumes every client id is new (no read of earlier transfers)
// and runs again the careful way when one was seen before.
//
// Transfer must not be called inside a database transaction; use ApplyTx.
func (l *Ledger) Transfer(ctx context.Context, programID int64, ts []Transfer) ([]Result, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	l.mu.RLock()
	shut := l.shut
	l.mu.RUnlock()
	if shut {
		return nil, ErrClosed
	}
	var results [][]Result
	apply := func(m mode) error {
		return l.db.InTx(ctx, func(tx *db.Tx) error {
			var err error
			results, err = applyCalls(ctx, tx, programID, [][]Transfer{ts}, m)
			return err
		})
	}
	err := apply(modeOptimistic)
	if errors.Is(err, errSeenBefore) {
		err = apply(modeCareful) // a replay, or a client id reused: read them this time
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	l.Observe(results[0])
	return results[0], nil
}

// TransferOne applies one transfer and returns its record, or a domain error
// for a transfer that failed (see Err).
func (l *Ledger) TransferOne(ctx context.Context, programID int64, t Transfer) (Record, error) {
	rs, err := l.Transfer(ctx, programID, []Transfer{t})
	if err != nil {
		return Record{}, err
	}
	return rs[0].Record, rs[0].Err()
}

// ApplyTx applies transfers inside the caller's transaction, so that a domain
// change and its ledger movements commit together. Results are as for
// Transfer; they are final only if tx commits, and reach the observer
// (metrics) when it does.
func (l *Ledger) ApplyTx(ctx context.Context, tx *db.Tx, programID int64, ts []Transfer) ([]Result, error) {
	// Not optimistic: a short insert could not be retried without rolling
	// back the caller's transaction.
	rs, err := applyCalls(ctx, tx, programID, [][]Transfer{ts}, modeCareful)
	if err != nil {
		return nil, err
	}
	tx.AfterCommit(func() { l.Observe(rs[0]) })
	return rs[0], nil
}

// ApplyNewTx is ApplyTx for transfers whose client ids the caller has just
// made, such that no earlier transfer can have them (a claim's first slot,
// under a claim id minted in this transaction): it skips the read of
// earlier transfers that makes replays safe, one statement fewer on the
// hottest path. A client id seen before fails the insert, and tx with it.
func (l *Ledger) ApplyNewTx(ctx context.Context, tx *db.Tx, programID int64, ts []Transfer) ([]Result, error) {
	rs, err := applyCalls(ctx, tx, programID, [][]Transfer{ts}, modeNewIDs)
	if err != nil {
		return nil, err
	}
	tx.AfterCommit(func() { l.Observe(rs[0]) })
	return rs[0], nil
}

// Observe reports results to the ledger's observer.
func (l *Ledger) Observe(rs []Result) {
	for _, r := range rs {
		l.observe(r.Code)
	}
}

// Err turns a failed result into a domain error naming what went wrong; nil
// for OK.
func (r Result) Err() error {
	switch r.Code {
	case OK:
		return nil
	case ExceedsCredits, ExceedsDebits, ExceedsPendingAmount, Overflow:
		return &fault.Error{Kind: fault.LimitExceeded, Message: string(r.Code)}
	case DebitAccountNotFound, CreditAccountNotFound, PendingTransferNotFound, ReversalTargetNotFound:
		return &fault.Error{Kind: fault.NotFound, Message: string(r.Code)}
	case ExistsWithDifferentFields, PendingTransferAlreadyPosted, PendingTransferAlreadyVoided,
		PendingTransferExpired, AlreadyReversed:
		return &fault.Error{Kind: fault.Conflict, Message: string(r.Code)}
	}
	return &fault.Error{Kind: fault.Invalid, Message: string(r.Code), Fields: []fault.FieldError{{Field: fieldOf(r.Code), Reason: string(r.Code)}}}
}

func fieldOf(c Code) string {
	switch c {
	case IDMustNotBeEmpty, IDTooLong:
		return "client_id"
	case AmountMustBePositive, ReversalAmountMismatch:
		return "amount"
	case AccountsMustBeDifferent, AccountsMustHaveSameAsset, ReversalAccountsMismatch, PendingTransferHasOtherFields:
		return "credit_account_id"
	case TimeoutOnlyForPending, TimeoutMustNotBeNegative:
		return "timeout"
	case PendingOnlyForPostOrVoid, PendingTransferNotPending:
		return "pending"
	case ReversalTargetNotPosted:
		return "reverses"
	case CodeTooLong:
		return "code"
	case RefTooLong:
		return "ref"
	}
	return "kind"
}
