package ledger_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ledger"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashHelperEnv) != "" {
		crashHelper()
		return
	}
	os.Exit(dbtest.Main(m))
}

var programSeq atomic.Int64

// newProgram inserts a bare program row: the ledger needs only its id.
func newProgram(t testing.TB, d *db.DB) int64 {
	t.Helper()
	slug := fmt.Sprintf("p%d-%d", programSeq.Add(1), time.Now().UnixNano())
	var id int64
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRowContext(context.Background(), `INSERT INTO programs (public_id, slug, name, created_at)
			VALUES ($1, $1, $1, $2) RETURNING id`, slug, tx.Now.UnixMicro()).Scan(&id)
	})
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	return id
}

func newLedger(t testing.TB, d *db.DB) *ledger.Ledger {
	l := ledger.New(d)
	t.Cleanup(l.Close)
	return l
}

func open(t testing.TB, l *ledger.Ledger, program int64, asset, code, ref string, limit ledger.LimitRule) ledger.Account {
	t.Helper()
	a, err := l.OpenAccount(context.Background(), ledger.AccountSpec{ProgramID: program, Asset: asset, Code: code, Ref: ref, Limit: limit})
	if err != nil {
		t.Fatalf("open account %s/%s/%s: %v", asset, code, ref, err)
	}
	return a
}

// fund moves amount into a limited account from an unlimited source.
func fund(t testing.TB, l *ledger.Ledger, program int64, from, to ledger.Account, amount int64) {
	t.Helper()
	id := fmt.Sprintf("fund-%d-%d-%d", to.ID, amount, time.Now().UnixNano())
	mustOK(t, transfer(t, l, program, ledger.Transfer{ClientID: id, DebitAccountID: from.ID, CreditAccountID: to.ID, Amount: amount}))
}

func transfer(t testing.TB, l *ledger.Ledger, program int64, ts ...ledger.Transfer) []ledger.Result {
	t.Helper()
	rs, err := l.Transfer(context.Background(), program, ts)
	if err != nil {
		t.Fatalf("transfer: %v", err)
	}
	if len(rs) != len(ts) {
		t.Fatalf("got %d results for %d transfers", len(rs), len(ts))
	}
	return rs
}

func mustOK(t testing.TB, rs []ledger.Result) {
	t.Helper()
	for i, r := range rs {
		if r.Code != ledger.OK {
			t.Fatalf("transfer %d: %s", i, r.Code)
		}
	}
}

func account(t testing.TB, l *ledger.Ledger, program, id int64) ledger.Account {
	t.Helper()
	a, err := l.Account(context.Background(), program, id)
	if err != nil {
		t.Fatalf("account %d: %v", id, err)
	}
	return a
}

func countTransfers(t testing.TB, d *db.DB, program int64) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM ledger_transfers WHERE program_id = $1`, program).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkInvariants asserts what must hold for a program's ledger after any
// sequence of operations, straight from the tables.
func checkInvariants(t fataler, d *db.DB, program int64) {
	t.Helper()
	q := func(query string) int {
		var n int
		if err := d.R.QueryRow(query, program).Scan(&n); err != nil {
			t.Fatalf("%v\n%s", err, query)
		}
		return n
	}
	if n := q(`SELECT count(*) FROM (SELECT asset FROM ledger_accounts WHERE program_id = $1 GROUP BY asset
		HAVING sum(debits_posted) <> sum(credits_posted) OR sum(debits_pending) <> sum(credits_pending)) x`); n != 0 {
		t.Fatalf("%d assets where debits and credits differ", n)
	}
	if n := q(`SELECT count(*) FROM ledger_accounts WHERE program_id = $1 AND (
		(limit_rule = 'debits_must_not_exceed_credits' AND debits_pending + debits_posted > credits_posted) OR
		(limit_rule = 'credits_must_not_exceed_debits' AND credits_pending + credits_posted > debits_posted))`); n != 0 {
		t.Fatalf("%d accounts past their limit", n)
	}
	// Every balance equals the sum of the account's transfers.
	if n := q(`SELECT count(*) FROM ledger_accounts a WHERE a.program_id = $1 AND (
		a.debits_posted <> (SELECT coalesce(sum(amount), 0) FROM ledger_transfers t
			WHERE t.debit_account_id = a.id AND t.kind IN ('posted', 'post')) OR
		a.credits_posted <> (SELECT coalesce(sum(amount), 0) FROM ledger_transfers t
			WHERE t.credit_account_id = a.id AND t.kind IN ('posted', 'post')) OR
		a.debits_pending <> (SELECT coalesce(sum(amount), 0) FROM ledger_transfers t
			WHERE t.debit_account_id = a.id AND t.kind = 'pending'
			AND NOT EXISTS (SELECT 1 FROM ledger_transfers s WHERE s.pending_id = t.id)) OR
		a.credits_pending <> (SELECT coalesce(sum(amount), 0) FROM ledger_transfers t
			WHERE t.credit_account_id = a.id AND t.kind = 'pending'
			AND NOT EXISTS (SELECT 1 FROM ledger_transfers s WHERE s.pending_id = t.id)))`); n != 0 {
		t.Fatalf("%d accounts whose balances differ from the sum of their transfers", n)
	}
	// The open-pending index holds exactly the unsettled pendings.
	if n := q(`SELECT count(*) FROM ledger_transfers t WHERE t.program_id = $1 AND t.kind = 'pending' AND
		(NOT EXISTS (SELECT 1 FROM ledger_transfers s WHERE s.pending_id = t.id)) <>
		(EXISTS (SELECT 1 FROM ledger_pending p WHERE p.transfer_id = t.id))`); n != 0 {
		t.Fatalf("%d pendings whose open state disagrees with the pending index", n)
	}
	// A post never settles more than its pending held.
	if n := q(`SELECT count(*) FROM ledger_transfers s JOIN ledger_transfers p ON p.id = s.pending_id
		WHERE s.program_id = $1 AND s.amount > p.amount`); n != 0 {
		t.Fatalf("%d settlements larger than their pending", n)
	}
}

// fataler is what checkInvariants needs of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// clock is a settable clock for timeouts.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
