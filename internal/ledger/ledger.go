package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
)

// ErrClosed is returned by Transfer after Close.
var ErrClosed = errors.New("ledger: closed")

// Ledger applies transfers. Transfer group-commits concurrent callers: while
// one database transaction commits, the calls that arrive queue up, and the
// next transaction takes them all, so one lock acquisition and one fsync serve
// many callers while each still gets its own results.
type Ledger struct {
	db       *db.DB
	observe  func(Code)
	maxGroup int
	log      *slog.Logger

	queue  chan *call
	stop   chan struct{}
	done   chan struct{}
	closed sync.Once
	mu     sync.RWMutex // held for reading while submitting, for writing by Close
	shut   bool
}

type call struct {
	ctx       context.Context
	programID int64
	transfers []Transfer
	results   []Result
	err       error
	done      chan struct{}
}

// Option configures a Ledger.
type Option func(*Ledger)

// WithObserver calls fn with the code of every transfer result (metrics).
func WithObserver(fn func(Code)) Option { return func(l *Ledger) { l.observe = fn } }

// WithMaxGroup bounds how many transfers one group commit takes (default 4000).
func WithMaxGroup(n int) Option { return func(l *Ledger) { l.maxGroup = n } }

// WithLogger sets the logger for group failures.
func WithLogger(log *slog.Logger) Option { return func(l *Ledger) { l.log = log } }

// New starts a ledger over the database. Close stops it.
func New(d *db.DB, opts ...Option) *Ledger {
	l := &Ledger{db: d, observe: func(Code) {}, maxGroup: 4000, log: slog.Default(),
		queue: make(chan *call, 1024), stop: make(chan struct{}), done: make(chan struct{})}
	for _, o := range opts {
		o(l)
	}
	go l.run()
	return l
}

// Close finishes the calls already queued and stops the committer.
func (l *Ledger) Close() {
	l.closed.Do(func() {
		l.mu.Lock()
		l.shut = true
		l.mu.Unlock()
		close(l.stop)
		<-l.done
	})
}

// Transfer applies transfers for one program, group-committed with other
// callers'. There is one result per transfer, in order; each transfer (or
// linked chain) is applied whole or not at all. The error is for failures of
// the system (the database, ctx), not of a transfer: then the caller does not
// know whether the transfers committed, and retries with the same client ids.
//
// Transfer must not be called inside a database transaction; use ApplyTx.
func (l *Ledger) Transfer(ctx context.Context, programID int64, ts []Transfer) ([]Result, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	c := &call{ctx: ctx, programID: programID, transfers: ts, done: make(chan struct{})}
	l.mu.RLock()
	if l.shut {
		l.mu.RUnlock()
		return nil, ErrClosed
	}
	select {
	case l.queue <- c:
		l.mu.RUnlock()
	case <-ctx.Done():
		l.mu.RUnlock()
		return nil, ctx.Err()
	}
	select {
	case <-c.done:
		return c.results, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
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
	rs, err := applyCalls(ctx, tx, programID, [][]Transfer{ts}, false)
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

func (l *Ledger) run() {
	defer close(l.done)
	for {
		var first *call
		select {
		case first = <-l.queue:
		case <-l.stop:
			// Finish what was queued before Close.
			for {
				select {
				case c := <-l.queue:
					l.commit([]*call{c})
				default:
					return
				}
			}
		}
		group := []*call{first}
		n := len(first.transfers)
	drain:
		for n < l.maxGroup {
			select {
			case c := <-l.queue:
				group = append(group, c)
				n += len(c.transfers)
			default:
				break drain
			}
		}
		// No transaction spans two programs (they may live on different
		// shards one day): one group per program.
		byProgram := map[int64][]*call{}
		var order []int64
		for _, c := range group {
			if _, ok := byProgram[c.programID]; !ok {
				order = append(order, c.programID)
			}
			byProgram[c.programID] = append(byProgram[c.programID], c)
		}
		for _, p := range order {
			l.commit(byProgram[p])
		}
	}
}

// commit applies a group of one program's calls in one transaction. If the
// group fails for a reason other than a transfer's own (which results carry),
// each call is tried alone so that one bad call cannot fail the others.
func (l *Ledger) commit(group []*call) {
	live := group[:0:0]
	for _, c := range group {
		if err := c.ctx.Err(); err != nil {
			c.err = err
			close(c.done)
			continue
		}
		live = append(live, c)
	}
	if len(live) == 0 {
		return
	}
	err := l.commitTx(live)
	if err != nil && len(live) > 1 {
		l.log.Warn("ledger group commit failed; committing calls one by one", "calls", len(live), "err", err)
		for _, c := range live {
			c.err = l.commitTx([]*call{c})
			close(c.done)
		}
		return
	}
	for _, c := range live {
		c.err = err
		close(c.done)
	}
}

func (l *Ledger) commitTx(calls []*call) error {
	// Not a caller's context: one caller giving up must not abort the others.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ts := make([][]Transfer, len(calls))
	for i, c := range calls {
		ts[i] = c.transfers
	}
	var results [][]Result
	apply := func(optimistic bool) error {
		return l.db.InTx(ctx, func(tx *db.Tx) error {
			var err error
			results, err = applyCalls(ctx, tx, calls[0].programID, ts, optimistic)
			return err
		})
	}
	err := apply(true)
	if errors.Is(err, errSeenBefore) {
		err = apply(false) // a replay, or a client id reused: read them this time
	}
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	for i, c := range calls {
		c.results = results[i]
		l.Observe(c.results)
	}
	return nil
}
