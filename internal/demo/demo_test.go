package demo_test

import (
	"context"
	"os"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/demo"
	"kox/internal/ledger"
	"kox/internal/program"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// The demo loads, balances, and a second load changes nothing.
func TestLoadIsRepeatable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := ledger.New(d)
		defer l.Close()
		if err := demo.Load(ctx, d, l); err != nil {
			t.Fatal(err)
		}
		p, err := program.BySlug(ctx, d, demo.CarSlug)
		if err != nil {
			t.Fatal(err)
		}
		count := func() (n int) {
			if err := d.R.QueryRow(`SELECT count(*) FROM ledger_transfers WHERE program_id = $1`, p.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		first := count()
		if first < 10 {
			t.Fatalf("demo has %d transfers", first)
		}
		if err := demo.Load(ctx, d, l); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != first {
			t.Fatalf("second load: %d transfers, want %d", n, first)
		}
		stock, err := l.FindAccount(ctx, ledger.AccountSpec{ProgramID: p.ID, Asset: "item:wallpaper-pack", Code: "stock"})
		if err != nil || stock.Balance() != 97 {
			t.Fatalf("stock = %+v, %v; want 97 after three redemptions", stock, err)
		}
	})
}
