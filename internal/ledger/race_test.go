package ledger_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ledger"
)

// 200 callers each take 1 from an account that holds 50: exactly 50 succeed,
// the rest are told it is exceeded, and the balance ends at 0 — through
// Transfer, and through ApplyTx inside callers' own transactions.
func TestRaceOnALimitedAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		for _, mode := range []string{"transfer", "apply-in-tx"} {
			t.Run(mode, func(t *testing.T) {
				l := newLedger(t, d)
				p := newProgram(t, d)
				source := open(t, l, p, "slots", "capacity_source", "", ledger.NoLimit)
				capacity := open(t, l, p, "slots", "task_capacity", "task:hot", ledger.DebitsMustNotExceedCredits)
				fund(t, l, p, source, capacity, 50)
				claims := make([]ledger.Account, 200)
				for i := range claims {
					claims[i] = open(t, l, p, "slots", "claim", fmt.Sprintf("member:%d", i), ledger.NoLimit)
				}
				codes := make([]ledger.Code, len(claims))
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range claims {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						tr := ledger.Transfer{ClientID: fmt.Sprintf("claim-%d", i), DebitAccountID: capacity.ID, CreditAccountID: claims[i].ID, Amount: 1}
						rs, err := takeOne(l, d, p, mode, tr)
						if err != nil {
							t.Error(err)
							return
						}
						codes[i] = rs.Code
					}()
				}
				close(start)
				wg.Wait()
				count := map[ledger.Code]int{}
				for _, c := range codes {
					count[c]++
				}
				if count[ledger.OK] != 50 || count[ledger.ExceedsCredits] != 150 {
					t.Fatalf("results %v, want 50 ok and 150 exceeds_credits", count)
				}
				if c := account(t, l, p, capacity.ID); c.Balance() != 0 || c.Available() != 0 {
					t.Fatalf("capacity balance %d, want 0", c.Balance())
				}
				checkInvariants(t, d, p)
			})
		}
	})
}

func takeOne(l *ledger.Ledger, d *db.DB, program int64, mode string, ts ...ledger.Transfer) (ledger.Result, error) {
	rs, err := take(l, d, program, mode, ts...)
	if err != nil {
		return ledger.Result{}, err
	}
	return rs[0], nil
}

func take(l *ledger.Ledger, d *db.DB, program int64, mode string, ts ...ledger.Transfer) ([]ledger.Result, error) {
	ctx := context.Background()
	if mode == "transfer" {
		return l.Transfer(ctx, program, ts)
	}
	var rs []ledger.Result
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		rs, err = l.ApplyTx(ctx, tx, program, ts)
		return err
	})
	return rs, err
}

// A redemption is a chain — points out of the member, an item out of stock —
// and racing redemptions never leave one leg without the other, whichever leg
// runs out first.
func TestRaceOnLinkedPairs(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		for _, mode := range []string{"transfer", "apply-in-tx"} {
			t.Run(mode, func(t *testing.T) {
				l := newLedger(t, d)
				p := newProgram(t, d)
				issued := open(t, l, p, "points", "points_issued", "", ledger.NoLimit)
				redeemed := open(t, l, p, "points", "points_redeemed", "", ledger.NoLimit)
				supplier := open(t, l, p, "item:mug", "stock_source", "", ledger.NoLimit)
				stock := open(t, l, p, "item:mug", "stock", "", ledger.DebitsMustNotExceedCredits)
				fund(t, l, p, supplier, stock, 50)
				const n = 200
				points := make([]ledger.Account, n)
				held := make([]ledger.Account, n)
				for i := 0; i < n; i++ {
					points[i] = open(t, l, p, "points", "member_points", fmt.Sprintf("member:%d", i), ledger.DebitsMustNotExceedCredits)
					held[i] = open(t, l, p, "item:mug", "holdings", fmt.Sprintf("member:%d", i), ledger.NoLimit)
					// Every fourth member cannot afford it: their chain fails on points.
					amount := int64(10)
					if i%4 == 0 {
						amount = 9
					}
					fund(t, l, p, issued, points[i], amount)
				}
				ok := make([]bool, n)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := 0; i < n; i++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						rs, err := take(l, d, p, mode,
							ledger.Transfer{ClientID: fmt.Sprintf("pts-%d", i), DebitAccountID: points[i].ID, CreditAccountID: redeemed.ID, Amount: 10, Linked: true},
							ledger.Transfer{ClientID: fmt.Sprintf("mug-%d", i), DebitAccountID: stock.ID, CreditAccountID: held[i].ID, Amount: 1})
						if err != nil {
							t.Error(err)
							return
						}
						if (rs[0].Code == ledger.OK) != (rs[1].Code == ledger.OK) {
							t.Errorf("member %d: half a chain: %s / %s", i, rs[0].Code, rs[1].Code)
						}
						ok[i] = rs[0].Code == ledger.OK
					}()
				}
				close(start)
				wg.Wait()
				won := 0
				for i := 0; i < n; i++ {
					pts, mug := account(t, l, p, points[i].ID), account(t, l, p, held[i].ID)
					if ok[i] {
						won++
						if pts.Balance() != 0 || mug.Balance() != 1 {
							t.Fatalf("member %d won but has %d points and %d mugs", i, pts.Balance(), mug.Balance())
						}
					} else if pts.DebitsPosted != 0 || mug.Balance() != 0 {
						t.Fatalf("member %d lost but has spent %d points and holds %d mugs", i, pts.DebitsPosted, mug.Balance())
					}
				}
				if won != 50 {
					t.Fatalf("%d redemptions succeeded, want exactly 50 (the stock)", won)
				}
				if s := account(t, l, p, stock.ID); s.Balance() != 0 {
					t.Fatalf("stock %d, want 0", s.Balance())
				}
				checkInvariants(t, d, p)
			})
		}
	})
}

// Concurrent posts and voids of one pending: exactly one settles it.
func TestRaceToSettleOnePending(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		for _, mode := range []string{"transfer", "apply-in-tx"} {
			t.Run(mode, func(t *testing.T) {
				f := setup(t, d)
				mustOK(t, transfer(t, f.l, f.program, ledger.Transfer{ClientID: "hold", Kind: ledger.Pending, DebitAccountID: f.alice.ID, CreditAccountID: f.bob.ID, Amount: 80}))
				var wg sync.WaitGroup
				codes := make([]ledger.Code, 40)
				for i := range codes {
					wg.Add(1)
					go func() {
						defer wg.Done()
						kind := ledger.Post
						if i%2 == 1 {
							kind = ledger.Void
						}
						r, err := takeOne(f.l, f.d, f.program, mode, ledger.Transfer{ClientID: fmt.Sprintf("settle-%d", i), Kind: kind, Pending: "hold"})
						if err != nil {
							t.Error(err)
						}
						codes[i] = r.Code
					}()
				}
				wg.Wait()
				oks := 0
				for _, c := range codes {
					if c == ledger.OK {
						oks++
					} else if c != ledger.PendingTransferAlreadyPosted && c != ledger.PendingTransferAlreadyVoided {
						t.Fatalf("unexpected code %s", c)
					}
				}
				if oks != 1 {
					t.Fatalf("%d settlements succeeded, want 1", oks)
				}
				checkInvariants(t, d, f.program)
			})
		}
	})
}
