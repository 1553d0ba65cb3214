package identity_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"

	"kox/internal/app"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// However many ask for a member's first card at once, one card is issued
// and every caller gets its number.
func TestFirstCardsRace(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		a := app.Assemble(app.Config{Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, d)
		t.Cleanup(a.Ledger.Close)
		ctx := program.WithActor(context.Background(), program.System("test"))
		if _, err := a.Programs.Create(ctx, program.Program{Slug: "qicheng", Name: "启程"}); err != nil {
			t.Fatal(err)
		}
		sc, _ := a.Programs.Scope(ctx, "qicheng")
		m, err := a.Members.Create(ctx, sc, member.NewMember{Fields: member.Fields{Name: "林小满", Role: member.KOC, Status: member.Active}})
		if err != nil {
			t.Fatal(err)
		}
		const callers = 16
		numbers := make([]string, callers)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				c, err := a.Identity.Card(ctx, sc, m.PublicID)
				numbers[i], errs[i] = c.Number, err
			})
		}
		wg.Wait()
		for i := range callers {
			if errs[i] != nil || numbers[i] != numbers[0] {
				t.Fatalf("caller %d: %q, %v; caller 0 got %q", i, numbers[i], errs[i], numbers[0])
			}
		}
		var n int
		if err := d.R.QueryRow(`SELECT count(*) FROM member_cards`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d cards issued, %v", n, err)
		}
	})
}
