package loan_test

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/loan"
	"kox/internal/member"
	"kox/internal/task"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// 09:00 in Shanghai, the programs' default zone.
var start = time.Date(2026, 6, 1, 1, 0, 0, 0, time.UTC)

func unit(t *testing.T, w *apptest.World, vin string) loan.Unit {
	t.Helper()
	u, err := w.A.Loans.CreateUnit(w.Ctx, w.SC, loan.UnitInput{VIN: vin, Model: "S7", Colour: "星云灰", Mileage: 120})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func tester(t *testing.T, w *apptest.World) member.Member {
	t.Helper()
	m := w.Member()
	if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, m.PublicID, "main", "product", "测试"); err != nil {
		t.Fatal(err)
	}
	return m
}

func lend(t *testing.T, w *apptest.World, u loan.Unit, m member.Member, ends string) loan.Loan {
	t.Helper()
	l, err := w.A.Loans.Create(w.Ctx, w.SC, loan.LoanInput{Unit: u.PublicID, Member: m.PublicID, StartsOn: "2026-06-01", EndsOn: ends,
		Terms: "家庭唯一用车，六个月", Ladder: "main", MinTier: "product"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Two operators (and then twenty) lend the same unit to different members
// at the same moment: one loan has it, the rest are told it is not
// available, and the unit's ledger account never goes below zero.
func TestUnitIsNeverOnTwoLoans(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		for round, n := range []int{2, 20} {
			u := unit(t, w, fmt.Sprintf("LRWYGCEK0TC%06d", round))
			ms := make([]member.Member, n)
			for i := range ms {
				ms[i] = tester(t, w)
			}
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range ms {
				wg.Go(func() {
					_, errs[i] = w.A.Loans.Create(w.Ctx, w.SC, loan.LoanInput{Unit: u.PublicID, Member: ms[i].PublicID, StartsOn: "2026-06-01", EndsOn: "2026-11-30"})
				})
			}
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
				case apptest.Code(err) != "loan.unit_unavailable":
					t.Fatalf("lender %d: %v", i, err)
				}
			}
			ls, err := w.A.Loans.List(w.Ctx, w.SC, loan.LoanFilter{Unit: u.PublicID, Status: "open"})
			if err != nil || won != 1 || len(ls) != 1 {
				t.Fatalf("%d lenders: %d won, %d open loans (%v)", n, won, len(ls), err)
			}
			var out int64
			if err := d.R.QueryRowContext(w.Ctx, `SELECT a.credits_posted - a.debits_posted FROM ledger_accounts a WHERE a.code = 'unit_out' AND a.ref = $1`,
				"unit:"+u.PublicID).Scan(&out); err != nil || out != 1 {
				t.Fatalf("unit out %d (%v)", out, err)
			}
		}
	})
}

// The loan from agreement to return: the member signs, the operator hands
// the car over with its mileage and checklist, the member ticks scenarios
// off with posts, the car comes back; the unit is lent again after.
func TestLoanLifecycle(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		u := unit(t, w, "LRWYGCEK0TC000001")
		m := tester(t, w)
		stranger := tester(t, w)
		l := lend(t, w, u, m, "2026-11-30")
		if got, _ := w.A.Loans.Unit(w.Ctx, w.SC, u.PublicID); got.Status != loan.Reserved || got.Loan != l.PublicID || got.MemberName != m.Name {
			t.Fatalf("unit after the agreement: %+v", got)
		}
		if _, err := w.A.Loans.Get(w.Ctx, w.As(stranger), l.PublicID); apptest.Code(err) != "loan.not_found" {
			t.Fatalf("another member reads the loan: %v", err)
		}
		if _, err := w.A.Loans.HandOver(w.Ctx, w.SC, l.PublicID, loan.LoanCheckInput{Mileage: 130}); apptest.Code(err) != "loan.unsigned" {
			t.Fatalf("handover before signing: %v", err)
		}
		if _, err := w.A.Loans.Sign(w.Ctx, w.As(stranger), l.PublicID, stranger.Name); apptest.Code(err) != "loan.not_found" {
			t.Fatalf("a stranger signs: %v", err)
		}
		if _, err := w.A.Loans.Sign(w.Ctx, w.As(m), l.PublicID, m.Name); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Loans.HandOver(w.Ctx, w.SC, l.PublicID, loan.LoanCheckInput{Mileage: 100}); apptest.Code(err) != "mileage:loan.mileage_back" {
			t.Fatalf("mileage below the unit's: %v", err)
		}
		if _, err := w.A.Loans.HandOver(w.Ctx, w.SC, l.PublicID, loan.LoanCheckInput{Mileage: 130, Items: []string{"keys", "wings"}}); apptest.Code(err) != "items[1]:one_of" {
			t.Fatalf("an unknown item: %v", err)
		}
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
		if _, err := w.A.Loans.AddPhoto(w.Ctx, w.SC, l.PublicID, loan.Handover, []byte("not a picture")); apptest.Code(err) != "file:image.type" {
			t.Fatalf("a photo that is not one: %v", err)
		}
		ph, err := w.A.Loans.AddPhoto(w.Ctx, w.SC, l.PublicID, loan.Handover, png)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Loans.Tick(w.Ctx, w.As(m), l.PublicID, "commute", "https://www.xiaohongshu.com/explore/1"); apptest.Code(err) != "loan.not_out" {
			t.Fatalf("ticking before the handover: %v", err)
		}
		l, err = w.A.Loans.HandOver(w.Ctx, w.SC, l.PublicID, loan.LoanCheckInput{Mileage: 130, Items: []string{"keys", "exterior", "keys"}, Note: "右后轮毂轻微划痕"})
		if err != nil {
			t.Fatal(err)
		}
		h, ok := l.Stage(loan.Handover)
		if l.Status != loan.LoanOut || !ok || h.Mileage != 130 || len(h.Items) != 2 || h.Items[0] != "exterior" || len(h.Photos) != 1 || h.Photos[0].PublicID != ph.PublicID {
			t.Fatalf("after the handover: %+v", l)
		}
		if p, err := w.A.Loans.Photo(w.Ctx, w.As(m), l.PublicID, ph.PublicID); err != nil || p.ContentType != "image/png" {
			t.Fatalf("the member's photo: %+v %v", p, err)
		}
		if _, err := w.A.Loans.Photo(w.Ctx, w.As(stranger), l.PublicID, ph.PublicID); apptest.Code(err) != "loan.not_found" {
			t.Fatalf("a stranger's read of the photo: %v", err)
		}
		if _, err := w.A.Loans.Tick(w.Ctx, w.As(m), l.PublicID, "moon_trip", "ftp://x"); apptest.Code(err) != "scenario:one_of" {
			t.Fatalf("a bad tick: %v", err)
		}
		for _, s := range []string{"commute", "school_run"} {
			if l, err = w.A.Loans.Tick(w.Ctx, w.As(m), l.PublicID, s, "https://www.xiaohongshu.com/explore/"+s); err != nil {
				t.Fatal(err)
			}
		}
		if _, ok := l.Ticked("school_run"); !ok || len(l.Scenarios) != 2 || l.Scenarios[0].Key != "commute" {
			t.Fatalf("scenarios %+v", l.Scenarios)
		}
		if _, err := w.A.Loans.SetStatus(w.Ctx, w.SC, u.PublicID, loan.InService); apptest.Code(err) != "loan.unit_on_loan" {
			t.Fatalf("sending a lent unit to service: %v", err)
		}
		if _, err := w.A.Loans.TakeBack(w.Ctx, w.SC, l.PublicID, loan.LoanCheckInput{Mileage: 129}); apptest.Code(err) != "mileage:loan.mileage_back" {
			t.Fatalf("return mileage below the handover's: %v", err)
		}
		if l, err = w.A.Loans.TakeBack(w.Ctx, w.SC, l.PublicID, loan.LoanCheckInput{Mileage: 8_640, Items: loan.ChecklistItems}); err != nil || l.Status != loan.LoanReturned {
			t.Fatalf("return: %+v %v", l, err)
		}
		got, _ := w.A.Loans.Unit(w.Ctx, w.SC, u.PublicID)
		if got.Status != loan.Available || got.Mileage != 8_640 || got.Loan != "" {
			t.Fatalf("unit after the return: %+v", got)
		}
		again := lend(t, w, u, stranger, "2026-12-31")
		if _, err := w.A.Loans.Cancel(w.Ctx, w.SC, again.PublicID); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.A.Loans.Unit(w.Ctx, w.SC, u.PublicID); got.Status != loan.Available {
			t.Fatalf("unit after a cancelled loan: %+v", got)
		}
		if _, err := w.A.Loans.Create(w.Ctx, w.SC, loan.LoanInput{Unit: u.PublicID, Member: w.Member().PublicID, StartsOn: "2026-06-01", EndsOn: "2026-07-01",
			Ladder: "main", MinTier: "product"}); apptest.Code(err) != "loan.tier" {
			t.Fatalf("a member below the rung: %v", err)
		}
		lend(t, w, u, m, "2026-12-31")
		if _, err := w.A.Loans.Create(w.Ctx, w.SC, loan.LoanInput{Unit: unit(t, w, "LRWYGCEK0TC000002").PublicID, Member: m.PublicID,
			StartsOn: "2026-06-01", EndsOn: "2026-07-01"}); apptest.Code(err) != "loan.member_has_loan" {
			t.Fatalf("a second open loan for one member: %v", err)
		}
	})
}

// Bad input names its field and writes nothing.
func TestLoanInputIsChecked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		if _, err := w.A.Loans.CreateUnit(w.Ctx, w.SC, loan.UnitInput{VIN: " ", Model: "S7"}); apptest.Code(err) != "vin:length" {
			t.Fatalf("no VIN: %v", err)
		}
		u := unit(t, w, "lrwygcek0tc000003")
		if u.VIN != "LRWYGCEK0TC000003" {
			t.Fatalf("VIN %q", u.VIN)
		}
		if _, err := w.A.Loans.CreateUnit(w.Ctx, w.SC, loan.UnitInput{VIN: "LRWYGCEK0TC000003", Model: "S7"}); apptest.Code(err) != "vin:loan.vin_taken" {
			t.Fatalf("a VIN twice: %v", err)
		}
		m := tester(t, w)
		for in, want := range map[loan.LoanInput]string{
			{Unit: u.PublicID, Member: m.PublicID, StartsOn: "2026-13-01", EndsOn: "2026-12-01"}:                        "starts_on:loan.day",
			{Unit: u.PublicID, Member: m.PublicID, StartsOn: "2026-06-01", EndsOn: "2026-05-01"}:                        "ends_on:loan.length",
			{Unit: u.PublicID, Member: m.PublicID, StartsOn: "2026-06-01", EndsOn: "2029-06-01"}:                        "ends_on:loan.length",
			{Unit: "unit_nope", Member: m.PublicID, StartsOn: "2026-06-01", EndsOn: "2026-12-01"}:                       "unit:loan.unit_unknown",
			{Unit: u.PublicID, Member: "mem_nope", StartsOn: "2026-06-01", EndsOn: "2026-12-01"}:                        "member:event.member_unknown",
			{Unit: u.PublicID, Member: m.PublicID, StartsOn: "2026-06-01", EndsOn: "2026-12-01", MinTier: "x"}:          "min_tier:catalog.tier_unknown",
			{Unit: u.PublicID, Member: m.PublicID, StartsOn: "2026-06-01", EndsOn: "2026-12-01", DiaryTask: "tsk_nope"}: "diary_task:loan.task_unknown",
		} {
			if _, err := w.A.Loans.Create(w.Ctx, w.SC, in); apptest.Code(err) != want {
				t.Errorf("%+v: %v, want %s", in, err, want)
			}
		}
		if got, _ := w.A.Loans.Unit(w.Ctx, w.SC, u.PublicID); got.Status != loan.Available {
			t.Fatalf("a refused loan left the unit %s", got.Status)
		}
		if _, err := w.A.Loans.Create(w.Ctx, w.As(m), loan.LoanInput{Unit: u.PublicID, Member: m.PublicID, StartsOn: "2026-06-01", EndsOn: "2026-12-01"}); apptest.Code(err) != "auth.forbidden" {
			t.Fatalf("a member lends themselves a car: %v", err)
		}
	})
}

// A unit's cost report equals the sum of the costs posted on it; each
// cost is spent on its budget line, and a line without enough refuses it.
// A loan's cost per piece divides its costs by its approved diary weeks
// and scenarios covered.
func TestCostReportIsTheSumOfPostedCosts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		p, err := w.A.Budget.CreatePlan(w.Ctx, w.SC, budget.PlanInput{Code: "y2026", Name: "2026", Period: "2026",
			Lines: []budget.LineInput{{Layer: budget.Exclusive, Code: "test_cars", Name: "试驾车", Amount: 10_000_000}}})
		if err == nil {
			_, err = w.A.Budget.ApprovePlan(w.Ctx, w.SC, p.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		line := p.Lines[0].PublicID
		a, b := unit(t, w, "LRWYGCEK0TC000010"), unit(t, w, "LRWYGCEK0TC000011")
		m := tester(t, w)
		l := lend(t, w, a, m, "2026-11-30")
		if _, err := w.A.Loans.Sign(w.Ctx, w.As(m), l.PublicID, m.Name); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Loans.HandOver(w.Ctx, w.SC, l.PublicID, loan.LoanCheckInput{Mileage: 120}); err != nil {
			t.Fatal(err)
		}
		posted := map[string]int64{}
		for _, c := range []struct {
			u    loan.Unit
			kind string
			fen  int64
			loan string
		}{{a, "depreciation", 1_250_000, l.PublicID}, {a, "insurance", 380_000, ""}, {a, "repairs", 12_345, l.PublicID}, {b, "maintenance", 80_000, ""}} {
			if _, err := w.A.Loans.AddCost(w.Ctx, w.SC, c.u.PublicID, loan.UnitCostInput{Kind: c.kind, BudgetLine: line, Amount: c.fen, Loan: c.loan}); err != nil {
				t.Fatal(err)
			}
			posted[c.u.PublicID] += c.fen
		}
		if _, err := w.A.Loans.AddCost(w.Ctx, w.SC, b.PublicID, loan.UnitCostInput{Kind: "repairs", BudgetLine: line, Amount: 1, Loan: l.PublicID}); apptest.Code(err) != "loan:loan.not_of_unit" {
			t.Fatalf("another unit's loan: %v", err)
		}
		if _, err := w.A.Loans.AddCost(w.Ctx, w.SC, b.PublicID, loan.UnitCostInput{Kind: "repairs", BudgetLine: line, Amount: 10_000_000}); apptest.Code(err) != "budget.exceeded" {
			t.Fatalf("past the line: %v", err)
		}
		if _, err := w.A.Loans.Tick(w.Ctx, w.As(m), l.PublicID, "long_trip", "https://weibo.com/1/2"); err != nil {
			t.Fatal(err)
		}
		r, err := w.A.Loans.Report(w.Ctx, w.SC)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, x := range r.Units {
			var byKind int64
			for _, v := range x.ByKind {
				byKind += v
			}
			cs, err := w.A.Loans.Costs(w.Ctx, w.SC, x.Unit)
			if err != nil {
				t.Fatal(err)
			}
			var listed int64
			for _, c := range cs {
				listed += c.Amount
			}
			if x.Total != posted[x.Unit] || byKind != x.Total || listed != x.Total {
				t.Errorf("unit %s: report %d (by kind %d, listed %d), posted %d", x.VIN, x.Total, byKind, listed, posted[x.Unit])
			}
			sum += x.Total
		}
		ln, _ := w.A.Budget.Line(w.Ctx, w.SC, line)
		if sum != r.Total || r.Total != posted[a.PublicID]+posted[b.PublicID] || ln.Spent != r.Total {
			t.Fatalf("fleet total %d, units %d, line spent %d", r.Total, sum, ln.Spent)
		}
		if len(r.Loans) != 1 || r.Loans[0].Total != 1_250_000+12_345 || r.Loans[0].Pieces != 1 || r.Loans[0].PerPiece != r.Loans[0].Total {
			t.Fatalf("loan costs %+v", r.Loans)
		}
	})
}

// A loan past its day is flagged from the first local day it is late (in
// Shanghai, eight hours ahead of UTC), told once; a member who leaves the
// loan's rung is asked to bring the car back within 14 days, and climbing
// back lifts it.
func TestOverdueOnTheLocalDayAndDemotion(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		u := unit(t, w, "LRWYGCEK0TC000020")
		m := tester(t, w)
		l := lend(t, w, u, m, "2026-06-30")
		if _, err := w.A.Loans.Sign(w.Ctx, w.As(m), l.PublicID, m.Name); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Loans.HandOver(w.Ctx, w.SC, l.PublicID, loan.LoanCheckInput{Mileage: 120}); err != nil {
			t.Fatal(err)
		}
		// 23:59 on 30 June in Shanghai: the last day, not late.
		w.Set(time.Date(2026, 6, 30, 15, 59, 0, 0, time.UTC))
		if n, err := w.A.Loans.Overdue(w.Ctx); err != nil || n != 0 {
			t.Fatalf("on its last day: %d flagged (%v)", n, err)
		}
		if got, _ := w.A.Loans.Get(w.Ctx, w.SC, l.PublicID); got.Overdue {
			t.Fatal("overdue on its last local day")
		}
		// 00:01 on 1 July in Shanghai, still 30 June in UTC: late.
		w.Set(time.Date(2026, 6, 30, 16, 1, 0, 0, time.UTC))
		got, _ := w.A.Loans.Get(w.Ctx, w.SC, l.PublicID)
		if !got.Overdue {
			t.Fatal("not overdue on the first local day after")
		}
		if n, err := w.A.Loans.Overdue(w.Ctx); err != nil || n != 1 {
			t.Fatalf("first late day: %d flagged (%v)", n, err)
		}
		if n, _ := w.A.Loans.Overdue(w.Ctx); n != 0 {
			t.Fatalf("told twice: %d", n)
		}
		var told int
		if err := d.R.QueryRowContext(w.Ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'loan_overdue' AND subject = $1`, l.PublicID).Scan(&told); err != nil || told != 2 {
			t.Fatalf("overdue notices %d (member and operators) %v", told, err)
		}
		if us, _ := w.A.Loans.Units(w.Ctx, w.SC, loan.UnitFilter{Status: "overdue"}); len(us) != 1 || !us[0].Overdue {
			t.Fatalf("overdue units %+v", us)
		}
		if ls, _ := w.A.Loans.List(w.Ctx, w.SC, loan.LoanFilter{Status: "overdue"}); len(ls) != 1 {
			t.Fatalf("overdue loans %+v", ls)
		}

		// Demotion: another member on a long loan drops to experience.
		w.Set(time.Date(2026, 7, 10, 2, 0, 0, 0, time.UTC))
		v := unit(t, w, "LRWYGCEK0TC000021")
		n := tester(t, w)
		ln := lend(t, w, v, n, "2026-12-31")
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, n.PublicID, "main", "experience", "保级未达标"); err != nil {
			t.Fatal(err)
		}
		got, _ = w.A.Loans.Get(w.Ctx, w.SC, ln.PublicID)
		if got.ReturnBy != "2026-07-24" || got.DueOn != "2026-07-24" || got.ReturnReason != "tier" {
			t.Fatalf("after the demotion: return by %q, due %q", got.ReturnBy, got.DueOn)
		}
		if err := d.R.QueryRowContext(w.Ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'loan_return_by' AND subject = $1`, ln.PublicID).Scan(&told); err != nil || told != 1 {
			t.Fatalf("return-by notices %d %v", told, err)
		}
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, n.PublicID, "main", "product", "申诉通过"); err != nil {
			t.Fatal(err)
		}
		if got, _ = w.A.Loans.Get(w.Ctx, w.SC, ln.PublicID); got.ReturnBy != "" || got.DueOn != "2026-12-31" {
			t.Fatalf("back on the rung: return by %q, due %q", got.ReturnBy, got.DueOn)
		}
	})
}

// A loan with a diary task assigns the member the diary with the loan,
// in the same change: 26 weekly weeks, whose approved ones count as the
// loan's content; a loan cancelled takes its diary with it.
func TestLoanAssignsItsDiary(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		tk, err := w.A.Tasks.Create(w.Ctx, w.SC, task.Input{Title: "26 周用车日记", Kind: task.Diary, Mode: task.Assigned, Capacity: 2,
			Brief: task.Brief{Description: "每周一篇"}, Reward: task.Reward{Points: 50}, Recurrence: &task.Recurrence{IntervalDays: 7, Count: 26}})
		if err == nil {
			_, err = w.A.Tasks.Publish(w.Ctx, w.SC, tk.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		m := tester(t, w)
		l, err := w.A.Loans.Create(w.Ctx, w.SC, loan.LoanInput{Unit: unit(t, w, "LRWYGCEK0TC000030").PublicID, Member: m.PublicID, StartsOn: "2026-06-01",
			EndsOn: "2026-11-30", DiaryTask: tk.PublicID})
		if err != nil {
			t.Fatal(err)
		}
		c, err := w.A.Tasks.ClaimByID(w.Ctx, w.As(m), l.DiaryClaim)
		if err != nil || len(c.Occurrences) != 26 {
			t.Fatalf("diary claim %+v %v", c, err)
		}
		// The task is full for a third: the loan is refused whole.
		if _, err := w.A.Loans.Create(w.Ctx, w.SC, loan.LoanInput{Unit: unit(t, w, "LRWYGCEK0TC000031").PublicID, Member: tester(t, w).PublicID,
			StartsOn: "2026-06-01", EndsOn: "2026-11-30", DiaryTask: tk.PublicID}); err != nil {
			t.Fatal(err)
		}
		u3 := unit(t, w, "LRWYGCEK0TC000032")
		if _, err := w.A.Loans.Create(w.Ctx, w.SC, loan.LoanInput{Unit: u3.PublicID, Member: tester(t, w).PublicID,
			StartsOn: "2026-06-01", EndsOn: "2026-11-30", DiaryTask: tk.PublicID}); apptest.Code(err) != "task.full" {
			t.Fatalf("a full diary: %v", err)
		}
		if got, _ := w.A.Loans.Unit(w.Ctx, w.SC, u3.PublicID); got.Status != loan.Available {
			t.Fatalf("a refused loan left the unit %s", got.Status)
		}
		// Cancelled before its handover, the loan takes its diary with it:
		// the place goes back and a third tester may have the diary.
		if _, err := w.A.Loans.Cancel(w.Ctx, w.SC, l.PublicID); err != nil {
			t.Fatal(err)
		}
		if c, err := w.A.Tasks.ClaimByID(w.Ctx, w.SC, l.DiaryClaim); err != nil || c.Status != task.Withdrawn {
			t.Fatalf("the cancelled loan's diary: %+v %v", c.Status, err)
		}
		if _, err := w.A.Loans.Create(w.Ctx, w.SC, loan.LoanInput{Unit: u3.PublicID, Member: tester(t, w).PublicID,
			StartsOn: "2026-06-01", EndsOn: "2026-11-30", DiaryTask: tk.PublicID}); err != nil {
			t.Fatalf("the diary's place, back: %v", err)
		}
	})
}
