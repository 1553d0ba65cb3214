// Package demo loads the demo programs that `kox demo` serves (SPEC P8). The
// same data every run: every id is derived, nothing is random.
package demo

import (
	"context"
	"fmt"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/program"
)

// CarSlug is the car brand's KOC program.
const CarSlug = "demo-car"

// The demo's owner, who can sign in to every demo program.
const (
	OwnerEmail    = "owner@kox.demo"
	OwnerPassword = "kox-demo-2026"
)

// Load creates the demo programs unless they exist; it is safe to run again.
func Load(ctx context.Context, d *db.DB, l *ledger.Ledger) error {
	if _, err := program.BySlug(ctx, d, CarSlug); err == nil {
		return nil
	} else if !fault.Is(err, fault.NotFound) {
		return err
	}
	ctx = program.WithActor(ctx, program.System("kox demo"))
	var p program.Program
	err := d.InTx(ctx, func(tx *db.Tx) error {
		owner, err := program.CreateOperatorTx(ctx, tx, 0, program.NewOperator{Email: OwnerEmail, Name: "演示管理员 Demo Owner",
			Password: OwnerPassword, Owner: true})
		if err != nil {
			return err
		}
		p, err = program.CreateTx(ctx, tx, program.Program{Slug: CarSlug, Name: "启程汽车 · 车主体验官计划",
			Description: "A car brand's owners (KOC): information → experience → product loans → a voice in decisions."})
		if err != nil {
			return err
		}
		if err := ladder.CreateDefaultTx(ctx, tx, p); err != nil {
			return err
		}
		return program.SetRoleTx(ctx, tx, p.ID, owner, program.RoleAdmin)
	})
	if err != nil {
		return fmt.Errorf("demo program: %w", err)
	}
	return loadLedger(ctx, l, p.ID)
}

// loadLedger opens a few accounts and moves points, slots and stock between
// them, so the ledger has a story to show.
func loadLedger(ctx context.Context, l *ledger.Ledger, program int64) error {
	acct := func(asset, code, ref string, limit ledger.LimitRule) (ledger.Account, error) {
		return l.OpenAccount(ctx, ledger.AccountSpec{ProgramID: program, Asset: asset, Code: code, Ref: ref, Limit: limit})
	}
	issued, err := acct("points", "points_issued", "", ledger.NoLimit)
	if err != nil {
		return err
	}
	redeemed, err := acct("points", "points_redeemed", "", ledger.NoLimit)
	if err != nil {
		return err
	}
	supplier, err := acct("item:wallpaper-pack", "stock_source", "", ledger.NoLimit)
	if err != nil {
		return err
	}
	stock, err := acct("item:wallpaper-pack", "stock", "", ledger.DebitsMustNotExceedCredits)
	if err != nil {
		return err
	}
	members := []string{"张伟", "李娜", "王芳", "刘洋", "陈静"}
	var transfers []ledger.Transfer
	transfers = append(transfers, ledger.Transfer{ClientID: "demo:stock", DebitAccountID: supplier.ID, CreditAccountID: stock.ID, Amount: 100, Code: "restock"})
	for i, name := range members {
		pts, err := acct("points", "member_points", fmt.Sprintf("member:demo-%d", i+1), ledger.DebitsMustNotExceedCredits)
		if err != nil {
			return err
		}
		held, err := acct("item:wallpaper-pack", "holdings", fmt.Sprintf("member:demo-%d", i+1), ledger.NoLimit)
		if err != nil {
			return err
		}
		transfers = append(transfers, ledger.Transfer{ClientID: fmt.Sprintf("demo:welcome:%d", i+1), DebitAccountID: issued.ID,
			CreditAccountID: pts.ID, Amount: int64(200 + 150*i), Code: "welcome_bonus", Ref: "member:" + name})
		if i%2 == 0 {
			// A redemption: points out and an item out, together.
			transfers = append(transfers,
				ledger.Transfer{ClientID: fmt.Sprintf("demo:redeem:%d:points", i+1), DebitAccountID: pts.ID, CreditAccountID: redeemed.ID, Amount: 100, Code: "redeem", Linked: true},
				ledger.Transfer{ClientID: fmt.Sprintf("demo:redeem:%d:item", i+1), DebitAccountID: stock.ID, CreditAccountID: held.ID, Amount: 1, Code: "redeem"})
		}
	}
	rs, err := l.Transfer(ctx, program, transfers)
	if err != nil {
		return fmt.Errorf("demo transfers: %w", err)
	}
	for i, r := range rs {
		if r.Code != ledger.OK {
			return fmt.Errorf("demo transfer %s: %s", transfers[i].ClientID, r.Code)
		}
	}
	return nil
}
