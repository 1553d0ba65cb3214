package backup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/backup"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ledger"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// A copy taken while eight writers move money restores to a database whose
// ledger holds (every asset sums to zero, every balance is its transfers')
// and that has every transfer acknowledged before the copy began.
func TestBackupUnderWriteLoadRestoresWhole(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	w := apptest.New(t, d, time.Now())
	ctx := context.Background()
	pid := w.SC.Program.ID
	var accounts []ledger.Account
	for i := 0; i < 8; i++ {
		a, err := w.A.Ledger.OpenAccount(ctx, ledger.AccountSpec{ProgramID: pid, Asset: "CNY", Code: "test", Ref: fmt.Sprintf("a%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		accounts = append(accounts, a)
	}
	type ack struct {
		id string
		at time.Time
	}
	var mu sync.Mutex
	var acked []ack
	var stop atomic.Bool
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				id := fmt.Sprintf("w%d-%d", g, i)
				_, err := w.A.Ledger.TransferOne(ctx, pid, ledger.Transfer{ClientID: id, DebitAccountID: accounts[g].ID,
					CreditAccountID: accounts[(g+1)%8].ID, Amount: int64(1 + i%97), Code: "load"})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, ack{id, time.Now()})
				mu.Unlock()
			}
		}()
	}
	acks := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	waitFor := func(n int) {
		for deadline := time.Now().Add(2 * time.Minute); acks() < n; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("only %d transfers in two minutes", acks())
			}
		}
	}
	waitFor(50) // the writers are at work
	began := time.Now()
	dir := t.TempDir()
	path, _, err := backup.Take(ctx, d, dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(acks() + 20) // writes go on after the copy
	stop.Store(true)
	wg.Wait()

	restored := filepath.Join(t.TempDir(), "restored.db")
	if err := db.RestoreSQLite(ctx, path, restored, false); err != nil {
		t.Fatal(err)
	}
	if err := db.RestoreSQLite(ctx, path, restored, false); err == nil {
		t.Fatal("a restore replaced a database without --force")
	}
	r, err := db.Open(ctx, "sqlite:"+restored)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var before, total int
	mu.Lock()
	defer mu.Unlock()
	for _, a := range acked {
		if a.at.Before(began) {
			before++
			var n int
			if err := r.R.QueryRow(`SELECT COUNT(*) FROM ledger_transfers WHERE program_id = $1 AND client_id = $2`, pid, a.id).Scan(&n); err != nil || n != 1 {
				t.Fatalf("transfer %s, acknowledged before the copy, is not in it (%d, %v)", a.id, n, err)
			}
		}
	}
	if err := r.R.QueryRow(`SELECT COUNT(*) FROM ledger_transfers WHERE program_id = $1 AND code = 'load'`, pid).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if before < 50 || total < before || total >= len(acked) {
		t.Fatalf("%d acknowledged before the copy, %d in it, %d in all: the copy was not taken under load", before, total, len(acked))
	}
	var bad int
	if err := r.R.QueryRow(`SELECT COUNT(*) FROM (SELECT asset FROM ledger_accounts WHERE program_id = $1 GROUP BY asset
		HAVING SUM(debits_posted) <> SUM(credits_posted) OR SUM(debits_pending) <> SUM(credits_pending)) x`, pid).Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("%d assets out of balance in the copy (%v)", bad, err)
	}
	if err := r.R.QueryRow(`SELECT COUNT(*) FROM ledger_accounts a WHERE a.program_id = $1 AND (
		a.debits_posted <> (SELECT COALESCE(SUM(amount), 0) FROM ledger_transfers t WHERE t.debit_account_id = a.id AND t.kind IN ('posted', 'post')) OR
		a.credits_posted <> (SELECT COALESCE(SUM(amount), 0) FROM ledger_transfers t WHERE t.credit_account_id = a.id AND t.kind IN ('posted', 'post')))`,
		pid).Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("%d accounts whose balance is not their transfers' in the copy (%v)", bad, err)
	}
}

// A folder keeps the newest copies only; files kox did not write stay.
func TestTakeKeepsTheNewest(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for i := 0; i < 4; i++ {
		p, removed, err := backup.Take(context.Background(), d, dir, 2)
		if err != nil {
			t.Fatal(err)
		}
		if (i < 2 && len(removed) != 0) || (i >= 2 && len(removed) != 1) {
			t.Fatalf("copy %d removed %v", i, removed)
		}
		paths = append(paths, p)
		time.Sleep(2 * time.Millisecond)
	}
	es, _ := os.ReadDir(dir)
	if len(es) != 3 {
		t.Fatalf("%d files left: %v", len(es), es)
	}
	for _, p := range paths[2:] {
		if err := db.CheckSQLiteFile(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CheckSQLiteFile(context.Background(), filepath.Join(dir, "notes.txt")); err == nil {
		t.Fatal("a text file passed as a kox database")
	}
}
