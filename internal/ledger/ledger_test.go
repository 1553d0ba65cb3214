package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
	"kox/internal/ledger"
)

// fixture is a program with an unlimited issuing account and two members'
// limited points accounts, one funded with 100.
type fixture struct {
	d       *db.DB
	l       *ledger.Ledger
	program int64
	issued  ledger.Account
	alice   ledger.Account
	bob     ledger.Account
}

func setup(t *testing.T, d *db.DB) fixture {
	l := newLedger(t, d)
	p := newProgram(t, d)
	f := fixture{d: d, l: l, program: p,
		issued: open(t, l, p, "points", "points_issued", "", ledger.NoLimit),
		alice:  open(t, l, p, "points", "member_points", "member:alice", ledger.DebitsMustNotExceedCredits),
		bob:    open(t, l, p, "points", "member_points", "member:bob", ledger.DebitsMustNotExceedCredits),
	}
	fund(t, l, p, f.issued, f.alice, 100)
	return f
}

func TestPostedTransferMovesBalances(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		rs := transfer(t, f.l, f.program, ledger.Transfer{ClientID: "t1", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID,
			Amount: 30, Code: "gift", Ref: "note:1"})
		mustOK(t, rs)
		r := rs[0].Record
		if r.ID == 0 || r.Asset != "points" || r.Amount != 30 || r.Kind != ledger.Posted || r.Code != "gift" || r.Ref != "note:1" || r.CreatedAt.IsZero() {
			t.Fatalf("record = %+v", r)
		}
		if a := account(t, f.l, f.program, f.alice.ID); a.Balance() != 70 || a.DebitsPosted != 30 {
			t.Fatalf("alice = %+v, want balance 70", a)
		}
		if b := account(t, f.l, f.program, f.bob.ID); b.Balance() != 30 {
			t.Fatalf("bob = %+v, want balance 30", b)
		}
		checkInvariants(t, d, f.program)
	})
}

func TestOpenAccountIsIdempotent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		again := open(t, f.l, f.program, "points", "member_points", "member:alice", ledger.DebitsMustNotExceedCredits)
		if again.ID != f.alice.ID || again.Balance() != 100 {
			t.Fatalf("reopened %+v, want account %d with 100", again, f.alice.ID)
		}
		_, err := f.l.OpenAccount(context.Background(), ledger.AccountSpec{ProgramID: f.program, Asset: "points",
			Code: "member_points", Ref: "member:alice", Limit: ledger.NoLimit})
		if !fault.Is(err, fault.Conflict) {
			t.Fatalf("reopening with another limit: %v, want conflict", err)
		}
		_, err = f.l.OpenAccount(context.Background(), ledger.AccountSpec{ProgramID: f.program, Asset: " ", Code: "", Limit: "sideways"})
		var fe *fault.Error
		if !asFault(err, &fe) || fe.Kind != fault.Invalid || len(fe.Fields) != 3 {
			t.Fatalf("bad spec: %v, want invalid naming asset, code and limit", err)
		}
	})
}

func asFault(err error, fe **fault.Error) bool {
	e, ok := err.(*fault.Error)
	if ok {
		*fe = e
	}
	return ok
}

// Bad input: each a clear result code, nothing written.
func TestBadInputWritesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		other := newProgram(t, d)
		stranger := open(t, f.l, other, "points", "member_points", "member:eve", ledger.NoLimit)
		cny := open(t, f.l, f.program, "CNY", "payable", "member:bob", ledger.NoLimit)
		mustOK(t, transfer(t, f.l, f.program, ledger.Transfer{ClientID: "taken", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 5}))
		before := countTransfers(t, d, f.program)
		alice := account(t, f.l, f.program, f.alice.ID)

		ok := func(id string) ledger.Transfer {
			return ledger.Transfer{ClientID: id, DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 1}
		}
		with := func(id string, mod func(*ledger.Transfer)) ledger.Transfer {
			tr := ok(id)
			mod(&tr)
			return tr
		}
		cases := []struct {
			name string
			t    ledger.Transfer
			want ledger.Code
		}{
			{"zero amount", with("z", func(t *ledger.Transfer) { t.Amount = 0 }), ledger.AmountMustBePositive},
			{"negative amount", with("n", func(t *ledger.Transfer) { t.Amount = -5 }), ledger.AmountMustBePositive},
			{"unknown debit account", with("ud", func(t *ledger.Transfer) { t.DebitAccountID = 999999 }), ledger.DebitAccountNotFound},
			{"unknown credit account", with("uc", func(t *ledger.Transfer) { t.CreditAccountID = 999999 }), ledger.CreditAccountNotFound},
			{"another program's account", with("op", func(t *ledger.Transfer) { t.CreditAccountID = stranger.ID }), ledger.CreditAccountNotFound},
			{"mixed assets", with("mx", func(t *ledger.Transfer) { t.CreditAccountID = cny.ID }), ledger.AccountsMustHaveSameAsset},
			{"to itself", with("self", func(t *ledger.Transfer) { t.CreditAccountID = f.alice.ID }), ledger.AccountsMustBeDifferent},
			{"id reused with other fields", with("taken", func(t *ledger.Transfer) { t.Amount = 6 }), ledger.ExistsWithDifferentFields},
			{"id reused with other accounts", with("taken", func(t *ledger.Transfer) { t.CreditAccountID = f.issued.ID }), ledger.ExistsWithDifferentFields},
			{"empty id", with("", func(*ledger.Transfer) {}), ledger.IDMustNotBeEmpty},
			{"long id", with(strings.Repeat("x", ledger.MaxClientID+1), func(*ledger.Transfer) {}), ledger.IDTooLong},
			{"long code", with("lc", func(t *ledger.Transfer) { t.Code = strings.Repeat("c", ledger.MaxCode+1) }), ledger.CodeTooLong},
			{"unknown kind", with("k", func(t *ledger.Transfer) { t.Kind = "sideways" }), ledger.KindInvalid},
			{"timeout on a posted transfer", with("to", func(t *ledger.Transfer) { t.Timeout = time.Minute }), ledger.TimeoutOnlyForPending},
			{"negative timeout", with("nt", func(t *ledger.Transfer) { t.Kind = ledger.Pending; t.Timeout = -time.Second }), ledger.TimeoutMustNotBeNegative},
			{"post without pending", with("pp", func(t *ledger.Transfer) { t.Kind = ledger.Post }), ledger.PendingTransferNotFound},
			{"post of unknown pending", with("pu", func(t *ledger.Transfer) { t.Kind = ledger.Post; t.Pending = "nope" }), ledger.PendingTransferNotFound},
			{"post of a posted transfer", with("pt", func(t *ledger.Transfer) { t.Kind = ledger.Post; t.Pending = "taken" }), ledger.PendingTransferNotPending},
			{"more than the balance", with("big", func(t *ledger.Transfer) { t.Amount = 1000 }), ledger.ExceedsCredits},
			{"reversal of nothing", ledger.Transfer{ClientID: "rv", Reverses: "nope"}, ledger.ReversalTargetNotFound},
		}
		for _, c := range cases {
			rs := transfer(t, f.l, f.program, c.t)
			if rs[0].Code != c.want {
				t.Errorf("%s: code %s, want %s", c.name, rs[0].Code, c.want)
			}
			if rs[0].Err() == nil {
				t.Errorf("%s: Err() is nil", c.name)
			}
		}
		if n := countTransfers(t, d, f.program); n != before {
			t.Fatalf("bad input wrote %d transfers", n-before)
		}
		if a := account(t, f.l, f.program, f.alice.ID); a != alice {
			t.Fatalf("bad input changed alice: %+v -> %+v", alice, a)
		}
		checkInvariants(t, d, f.program)
	})
}

func TestReplayReturnsTheFirstResult(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tr := ledger.Transfer{ClientID: "once", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 40}
		first := transfer(t, f.l, f.program, tr)[0]
		if first.Code != ledger.OK || first.Replayed {
			t.Fatalf("first = %+v", first)
		}
		for i := 0; i < 3; i++ {
			again := transfer(t, f.l, f.program, tr)[0]
			if again.Code != ledger.OK || !again.Replayed || again.Record != first.Record {
				t.Fatalf("replay %d = %+v, want %+v replayed", i, again, first)
			}
		}
		// The same id twice in one call: applied once.
		rs := transfer(t, f.l, f.program, ledger.Transfer{ClientID: "twice", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 1},
			ledger.Transfer{ClientID: "twice", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 1})
		if rs[0].Code != ledger.OK || rs[1].Code != ledger.OK || !rs[1].Replayed || rs[0].Record.ID != rs[1].Record.ID {
			t.Fatalf("duplicate in one call: %+v", rs)
		}
		if a := account(t, f.l, f.program, f.alice.ID); a.Balance() != 59 {
			t.Fatalf("alice balance %d, want 59 (each transfer applied once)", a.Balance())
		}
		checkInvariants(t, d, f.program)
	})
}

func TestLinkedTransfersSucceedOrFailTogether(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// Bob has nothing: the second leg fails, so the first must not apply.
		rs := transfer(t, f.l, f.program,
			ledger.Transfer{ClientID: "a", DebitAccountID: f.alice.ID, CreditAccountID: f.issued.ID, Amount: 10, Linked: true},
			ledger.Transfer{ClientID: "b", DebitAccountID: f.bob.ID, CreditAccountID: f.issued.ID, Amount: 10},
			ledger.Transfer{ClientID: "c", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 1})
		if rs[0].Code != ledger.LinkedEventFailed || rs[1].Code != ledger.ExceedsCredits || rs[2].Code != ledger.OK {
			t.Fatalf("codes = %s %s %s", rs[0].Code, rs[1].Code, rs[2].Code)
		}
		if a := account(t, f.l, f.program, f.alice.ID); a.Balance() != 99 {
			t.Fatalf("alice = %d, want 99: the failed chain's first leg applied", a.Balance())
		}
		// A chain left open at the end of a call fails whole.
		rs = transfer(t, f.l, f.program,
			ledger.Transfer{ClientID: "o1", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 1, Linked: true},
			ledger.Transfer{ClientID: "o2", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 1, Linked: true})
		if rs[0].Code != ledger.LinkedEventFailed || rs[1].Code != ledger.LinkedEventChainOpen {
			t.Fatalf("open chain codes = %s %s", rs[0].Code, rs[1].Code)
		}
		// A successful chain applies both.
		mustOK(t, transfer(t, f.l, f.program,
			ledger.Transfer{ClientID: "s1", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 5, Linked: true},
			ledger.Transfer{ClientID: "s2", DebitAccountID: f.bob.ID, CreditAccountID: f.issued.ID, Amount: 5}))
		if a, b := account(t, f.l, f.program, f.alice.ID), account(t, f.l, f.program, f.bob.ID); a.Balance() != 94 || b.Balance() != 1 {
			t.Fatalf("alice %d bob %d, want 94 and 1", a.Balance(), b.Balance())
		}
		checkInvariants(t, d, f.program)
	})
}

func TestTwoPhaseTransfers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		clk := newClock()
		d.SetClock(clk.Now)
		f := setup(t, d)
		pend := func(id string, amount int64, timeout time.Duration) ledger.Result {
			return transfer(t, f.l, f.program, ledger.Transfer{ClientID: id, Kind: ledger.Pending,
				DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: amount, Timeout: timeout})[0]
		}
		settle := func(id string, kind ledger.Kind, pending string, amount int64) ledger.Result {
			return transfer(t, f.l, f.program, ledger.Transfer{ClientID: id, Kind: kind, Pending: pending, Amount: amount})[0]
		}
		if r := pend("p1", 60, 0); r.Code != ledger.OK {
			t.Fatal(r.Code)
		}
		a := account(t, f.l, f.program, f.alice.ID)
		if a.DebitsPending != 60 || a.Available() != 40 || a.Balance() != 100 {
			t.Fatalf("after pending: %+v", a)
		}
		// The reservation counts against the limit.
		if r := pend("p2", 50, 0); r.Code != ledger.ExceedsCredits {
			t.Fatalf("second pending: %s, want exceeds_credits", r.Code)
		}
		// Post part of it; the rest is released.
		if r := settle("post1", ledger.Post, "p1", 45); r.Code != ledger.OK || r.Record.Amount != 45 || r.Record.PendingID == 0 {
			t.Fatalf("post: %+v", r)
		}
		a, b := account(t, f.l, f.program, f.alice.ID), account(t, f.l, f.program, f.bob.ID)
		if a.DebitsPending != 0 || a.Balance() != 55 || b.Balance() != 45 || b.CreditsPending != 0 {
			t.Fatalf("after post: alice %+v bob %+v", a, b)
		}
		if r := settle("post1b", ledger.Post, "p1", 0); r.Code != ledger.PendingTransferAlreadyPosted {
			t.Fatalf("second post: %s", r.Code)
		}
		if r := settle("void1", ledger.Void, "p1", 0); r.Code != ledger.PendingTransferAlreadyPosted {
			t.Fatalf("void after post: %s", r.Code)
		}
		// Void releases all.
		pend("p3", 20, 0)
		if r := settle("post3", ledger.Post, "p3", 21); r.Code != ledger.ExceedsPendingAmount {
			t.Fatalf("over-post: %s", r.Code)
		}
		if r := settle("void3", ledger.Void, "p3", 0); r.Code != ledger.OK || r.Record.Amount != 20 {
			t.Fatalf("void: %+v", r)
		}
		if r := settle("post3b", ledger.Post, "p3", 0); r.Code != ledger.PendingTransferAlreadyVoided {
			t.Fatalf("post after void: %s", r.Code)
		}
		if a := account(t, f.l, f.program, f.alice.ID); a.DebitsPending != 0 || a.Balance() != 55 {
			t.Fatalf("after void: %+v", a)
		}
		// A pending with a timeout cannot be posted after it, and voids itself.
		pend("p4", 10, time.Minute)
		pend("p5", 5, time.Hour)
		clk.Advance(2 * time.Minute)
		if r := settle("post4", ledger.Post, "p4", 0); r.Code != ledger.PendingTransferExpired {
			t.Fatalf("post after timeout: %s", r.Code)
		}
		n, err := f.l.ExpirePending(context.Background(), 100)
		if err != nil || n != 1 {
			t.Fatalf("ExpirePending = %d, %v; want 1", n, err)
		}
		if n, _ := f.l.ExpirePending(context.Background(), 100); n != 0 {
			t.Fatalf("second sweep voided %d", n)
		}
		if r := settle("void4", ledger.Void, "p4", 0); r.Code != ledger.PendingTransferAlreadyVoided {
			t.Fatalf("void after expiry: %s", r.Code)
		}
		if a := account(t, f.l, f.program, f.alice.ID); a.DebitsPending != 5 {
			t.Fatalf("after expiry: pending %d, want 5 (p5 still open)", a.DebitsPending)
		}
		// Pending and post in one call.
		rs := transfer(t, f.l, f.program,
			ledger.Transfer{ClientID: "p6", Kind: ledger.Pending, DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 3},
			ledger.Transfer{ClientID: "post6", Kind: ledger.Post, Pending: "p6"})
		mustOK(t, rs)
		if rs[1].Record.PendingID != rs[0].Record.ID {
			t.Fatalf("post names pending %d, want %d", rs[1].Record.PendingID, rs[0].Record.ID)
		}
		checkInvariants(t, d, f.program)
	})
}

func TestReversal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		mustOK(t, transfer(t, f.l, f.program, ledger.Transfer{ClientID: "gift", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 30}))
		r := transfer(t, f.l, f.program, ledger.Transfer{ClientID: "undo-gift", Reverses: "gift", Code: "correction"})[0]
		if r.Code != ledger.OK || r.Record.DebitAccountID != f.bob.ID || r.Record.CreditAccountID != f.alice.ID || r.Record.Amount != 30 || r.Record.ReversesID == 0 {
			t.Fatalf("reversal = %+v", r)
		}
		if a := account(t, f.l, f.program, f.alice.ID); a.Balance() != 100 {
			t.Fatalf("alice %d after reversal, want 100", a.Balance())
		}
		if r := transfer(t, f.l, f.program, ledger.Transfer{ClientID: "undo-again", Reverses: "gift"})[0]; r.Code != ledger.AlreadyReversed {
			t.Fatalf("second reversal: %s", r.Code)
		}
		// Reversing what was already spent is limited like any debit.
		mustOK(t, transfer(t, f.l, f.program, ledger.Transfer{ClientID: "gift2", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 30}))
		mustOK(t, transfer(t, f.l, f.program, ledger.Transfer{ClientID: "spend", DebitAccountID: f.bob.ID, CreditAccountID: f.issued.ID, Amount: 30}))
		if r := transfer(t, f.l, f.program, ledger.Transfer{ClientID: "undo-gift2", Reverses: "gift2"})[0]; r.Code != ledger.ExceedsCredits {
			t.Fatalf("reversal of spent points: %s, want exceeds_credits", r.Code)
		}
		checkInvariants(t, d, f.program)
	})
}

func TestHistoryPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for i := 0; i < 7; i++ {
			from, to := f.alice, f.bob
			if i%2 == 1 {
				from, to = f.bob, f.alice
			}
			mustOK(t, transfer(t, f.l, f.program, ledger.Transfer{ClientID: fmt.Sprintf("h%d", i), DebitAccountID: from.ID, CreditAccountID: to.ID, Amount: 1}))
		}
		var all []ledger.Record
		var before int64
		for pages := 0; ; pages++ {
			page, next, err := f.l.History(context.Background(), f.program, f.bob.ID, before, 3)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page...)
			if next == 0 {
				if pages != 2 {
					t.Fatalf("%d pages, want 3", pages+1)
				}
				break
			}
			before = next
		}
		if len(all) != 7 {
			t.Fatalf("bob's history has %d transfers, want 7", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID >= all[i-1].ID {
				t.Fatalf("history not newest first: %d then %d", all[i-1].ID, all[i].ID)
			}
		}
		if _, _, err := f.l.History(context.Background(), f.program, f.bob.ID, 0, 0); !fault.Is(err, fault.Invalid) {
			t.Fatalf("limit 0: %v", err)
		}
		other := newProgram(t, d)
		if _, _, err := f.l.History(context.Background(), other, f.bob.ID, 0, 10); !fault.Is(err, fault.NotFound) {
			t.Fatalf("another program's account: %v, want not found", err)
		}
	})
}

func TestApplyTxCommitsWithTheCallersTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		boom := fmt.Errorf("domain rule failed")
		err := d.InTx(ctx, func(tx *db.Tx) error {
			rs, err := f.l.ApplyTx(ctx, tx, f.program, []ledger.Transfer{{ClientID: "in-tx", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 10}})
			if err != nil || rs[0].Code != ledger.OK {
				t.Fatalf("ApplyTx: %v %+v", err, rs)
			}
			return boom
		})
		if err != boom {
			t.Fatalf("InTx = %v", err)
		}
		if _, err := f.l.Lookup(ctx, f.program, "in-tx"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("rolled-back transfer is visible: %v", err)
		}
		if a := account(t, f.l, f.program, f.alice.ID); a.Balance() != 100 {
			t.Fatalf("alice %d, want 100 after rollback", a.Balance())
		}
		if _, err := f.l.TransferOne(ctx, f.program, ledger.Transfer{ClientID: "too-much", DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 101}); !fault.Is(err, fault.LimitExceeded) {
			t.Fatalf("TransferOne over the limit: %v", err)
		}
	})
}

func TestClosedLedgerRefuses(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	l := ledger.New(d)
	l.Close()
	l.Close()
	if _, err := l.Transfer(context.Background(), 1, []ledger.Transfer{{ClientID: "x"}}); err != ledger.ErrClosed {
		t.Fatalf("Transfer after Close: %v", err)
	}
}

// ApplyNewTx skips the read of earlier transfers, so it is for ids the
// caller has just made: a limit still holds, and an id seen before fails
// the transaction rather than replaying.
func TestApplyNewTx(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		l := newLedger(t, d)
		p := newProgram(t, d)
		source := open(t, l, p, "slots", "source", "", ledger.NoLimit)
		capacity := open(t, l, p, "slots", "capacity", "task:1", ledger.DebitsMustNotExceedCredits)
		claimed := open(t, l, p, "slots", "claimed", "task:1", ledger.NoLimit)
		fund(t, l, p, source, capacity, 1)
		ctx := context.Background()
		apply := func(id string) ([]ledger.Result, error) {
			var rs []ledger.Result
			err := d.InTx(ctx, func(tx *db.Tx) error {
				var err error
				rs, err = l.ApplyNewTx(ctx, tx, p, []ledger.Transfer{{ClientID: id, DebitAccountID: capacity.ID, CreditAccountID: claimed.ID, Amount: 1}})
				return err
			})
			return rs, err
		}
		if rs, err := apply("slot:a:1"); err != nil || rs[0].Code != ledger.OK {
			t.Fatalf("first: %v %v", rs, err)
		}
		if rs, err := apply("slot:b:1"); err != nil || rs[0].Code != ledger.ExceedsCredits {
			t.Fatalf("over the limit: %v %v, want exceeds_credits", rs, err)
		}
		fund(t, l, p, source, capacity, 1)
		if _, err := apply("slot:a:1"); err == nil {
			t.Fatal("an id seen before must fail the transaction")
		}
	})
}
