package payout_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kox/internal/apptest"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/payout"
	"kox/internal/program"
	"kox/internal/sheet"
)

func owe(t *testing.T, w *apptest.World, m member.Member, fen int64, id string) {
	t.Helper()
	if err := w.A.DB.InTx(w.Ctx, func(tx *db.Tx) error {
		return payout.OweTx(w.Ctx, tx, w.A.Ledger, w.SC.Program.ID, m.PublicID, fen, id, "task_reward", "test")
	}); err != nil {
		t.Fatal(err)
	}
}

const account = "6222021234567890123"

// A batch: members owed at least the minimum with payee details, gross,
// tax and net per line; marked paid twice at once it pays once, and the
// ledger posts payable → clearing → tax withheld and bank. Payee details
// are sealed: the database never holds them in clear, and only the bank
// export (audited) shows them whole.
func TestPayoutBatchPaysOnceAndKeepsPayeesSealed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC))
		big, small, nopayee := w.Member(), w.Member(), w.Member()
		owe(t, w, big, 500_000, "a") // ¥5,000: base 4,000, tax 800
		owe(t, w, small, 5_000, "b") // ¥50, below the minimum: carries over
		owe(t, w, nopayee, 300_000, "c")
		for _, m := range []member.Member{big, small} {
			if _, err := w.A.Payouts.SetPayee(w.Ctx, w.As(m), m.PublicID, payout.PayeeInput{LegalName: "=HYPERLINK(\"x\")", IDNumber: "110101199001011234",
				Bank: "招商银行上海分行", Account: account}); err != nil {
				t.Fatal(err)
			}
		}
		// A member sets only their own.
		if _, err := w.A.Payouts.SetPayee(w.Ctx, w.As(small), big.PublicID, payout.PayeeInput{LegalName: "x", IDNumber: "110101199001011234", Bank: "b", Account: account}); fault.KindOf(err) != fault.NotFound {
			t.Fatalf("set another's payee: %v", err)
		}
		p, ok, err := w.A.Payouts.Payee(w.Ctx, w.As(big), big.PublicID)
		if err != nil || !ok || p.Account != "***************0123" || p.IDNumber != "110***********1234" {
			t.Fatalf("masked payee %+v %v", p, err)
		}
		fin := w.Role(program.RoleFinance)
		if _, err := w.A.Payouts.CreateBatch(w.Ctx, w.Role(program.RoleOperator), payout.BatchInput{Period: "2026-02", Minimum: 10_000}); fault.KindOf(err) != fault.Forbidden {
			t.Fatalf("an operator made a batch: %v", err)
		}
		b, err := w.A.Payouts.CreateBatch(w.Ctx, fin, payout.BatchInput{Period: "2026-02", Minimum: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Lines) != 1 || b.Lines[0].Member != big.PublicID || b.Totals.Gross != 500_000 || b.Totals.Tax != 80_000 || b.Totals.Net != 420_000 {
			t.Fatalf("batch %+v", b)
		}
		if _, err := w.A.Payouts.MarkPaid(w.Ctx, fin, b.PublicID); fault.KindOf(err) != fault.Conflict {
			t.Fatalf("a draft marked paid: %v", err)
		}
		// Money earned meanwhile is not in this batch.
		owe(t, w, big, 1_000, "d")
		if _, err := w.A.Payouts.Approve(w.Ctx, fin, b.PublicID); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		paid, refused := 0, 0
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.A.Payouts.MarkPaid(w.Ctx, fin, b.PublicID)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					paid++
				} else if fault.KindOf(err) == fault.Conflict {
					refused++
				} else {
					t.Errorf("mark paid: %v", err)
				}
			}()
		}
		wg.Wait()
		if paid != 1 || refused != 1 {
			t.Fatalf("paid %d, refused %d", paid, refused)
		}
		sum := func(code string) int64 {
			var n int64
			if err := d.R.QueryRowContext(w.Ctx, `SELECT COALESCE(SUM(credits_posted - debits_posted), 0) FROM ledger_accounts WHERE program_id = $1
				AND asset = 'CNY' AND code = $2`, w.SC.Program.ID, code).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if sum("tax_withheld") != 80_000 || sum("payout_bank") != 420_000 || sum("payout_clearing") != 0 {
			t.Fatalf("ledger: tax %d bank %d clearing %d", sum("tax_withheld"), sum("payout_bank"), sum("payout_clearing"))
		}
		st, err := w.A.Payouts.MemberStatement(w.Ctx, w.As(big), big.PublicID)
		if err != nil || st.Owed != 1_000 || st.InBatch != 0 || len(st.Payments) != 1 || st.Payments[0].Net != 420_000 || st.Payments[0].Status != payout.Paid {
			t.Fatalf("statement %+v %v", st, err)
		}
		// The bank file: whole details, formulas kept as text.
		var buf bytes.Buffer
		if write, err := w.A.Payouts.BankFile(w.Ctx, fin, b.PublicID, sheet.CSV); err != nil || write(&buf) != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
		if err != nil || len(rows) != 2 || rows[1][1] != "'=HYPERLINK(\"x\")" || rows[1][4] != account || rows[1][7] != "4200.00" {
			t.Fatalf("bank csv %q %v", rows, err)
		}
		buf.Reset()
		if write, err := w.A.Payouts.BankFile(w.Ctx, fin, b.PublicID, sheet.XLSX); err != nil || write(&buf) != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := x.GetCellFormula("Sheet1", "B2"); f != "" {
			t.Fatalf("a formula in the bank xlsx: %q", f)
		}
		if v, _ := x.GetCellValue("Sheet1", "B2"); v != "=HYPERLINK(\"x\")" {
			t.Fatalf("B2 %q", v)
		}
		var audits int
		if err := d.R.QueryRowContext(w.Ctx, `SELECT COUNT(*) FROM audit_log WHERE program_id = $1 AND action = 'payout.export'`, w.SC.Program.ID).Scan(&audits); err != nil || audits != 2 {
			t.Fatalf("export audits %d %v", audits, err)
		}
		// Nowhere in the database in clear.
		var clear int
		if err := d.R.QueryRowContext(w.Ctx, `SELECT COUNT(*) FROM audit_log WHERE after_json LIKE '%' || $1 || '%'`, account).Scan(&clear); err == nil && clear != 0 {
			t.Fatalf("the account number is in the audit log")
		}
		if d.Engine == db.SQLite {
			if _, err := d.W.ExecContext(w.Ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
			path := strings.TrimPrefix(d.Describe(), "sqlite:")
			for _, f := range []string{path, path + "-wal"} {
				data, err := os.ReadFile(f)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if bytes.Contains(data, []byte(account)) || bytes.Contains(data, []byte("110101199001011234")) {
					t.Fatalf("%s holds payee details in clear", f)
				}
			}
		}
		var sealed []byte
		if err := d.R.QueryRowContext(w.Ctx, `SELECT sealed FROM member_payees WHERE member_id = $1`, big.ID).Scan(&sealed); err != nil || bytes.Contains(sealed, []byte(account)) {
			t.Fatalf("sealed row %v", err)
		}
	})
}

// Cancelling a batch gives every held amount back to what is owed.
func TestCancelledBatchReturnsWhatIsOwed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC))
		m := w.Member()
		owe(t, w, m, 80_000, "a")
		if _, err := w.A.Payouts.SetPayee(w.Ctx, w.SC, m.PublicID, payout.PayeeInput{LegalName: "李雷", IDNumber: "110101199001011234", Bank: "工商银行", Account: account}); err != nil {
			t.Fatal(err)
		}
		b, err := w.A.Payouts.CreateBatch(w.Ctx, w.SC, payout.BatchInput{Period: "2026-02"})
		if err != nil || b.Totals.Tax != 0 {
			t.Fatalf("%+v %v", b, err) // ¥800: nothing withheld
		}
		if _, err := w.A.Payouts.CreateBatch(w.Ctx, w.SC, payout.BatchInput{Period: "2026-03"}); fault.KindOf(err) != fault.Conflict {
			t.Fatalf("a second open batch: %v", err)
		}
		if _, err := w.A.Payouts.BankFile(w.Ctx, w.SC, b.PublicID, sheet.CSV); fault.KindOf(err) != fault.Conflict {
			t.Fatalf("the bank file of a draft batch: %v", err)
		}
		if _, err := w.A.Payouts.Cancel(w.Ctx, w.SC, b.PublicID); err != nil {
			t.Fatal(err)
		}
		st, _ := w.A.Payouts.MemberStatement(w.Ctx, w.SC, m.PublicID)
		if st.Owed != 80_000 || st.InBatch != 0 || len(st.Payments) != 0 {
			t.Fatalf("after cancel %+v", st)
		}
	})
}
