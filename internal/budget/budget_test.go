package budget_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"kox/internal/apptest"
	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/program"
	"kox/internal/task"
)

var start = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// approvedPlan makes and approves a plan with the lines given (layer, code,
// amount) and returns it.
func approvedPlan(t interface {
	Helper()
	Fatal(...any)
}, w *apptest.World, lines ...budget.LineInput) budget.Plan {
	t.Helper()
	p, err := w.A.Budget.CreatePlan(w.Ctx, w.SC, budget.PlanInput{Code: fmt.Sprintf("y%d", time.Now().UnixNano()%1e9), Name: "2026 年度", Period: "2026", Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = w.A.Budget.ApprovePlan(w.Ctx, w.Role(program.RoleFinance), p.PublicID); err != nil {
		t.Fatal(err)
	}
	return p
}

// 100 publishes race for one line: what is committed never passes the
// plan, and exactly the publishes that fit are accepted; every refusal
// names the line and its figures.
func TestPublishesRacingForOneLineNeverPassThePlan(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		const each = 5 * 10_000 // 5 places × ¥100
		p := approvedPlan(t, w, budget.LineInput{Layer: budget.Incentive, Code: "fees", Name: "达人费用", Amount: 37*each + 20_000})
		line := p.Lines[0].PublicID
		var drafts []string
		for i := 0; i < 100; i++ {
			tk, err := w.A.Tasks.Create(w.Ctx, w.SC, task.Input{Title: fmt.Sprintf("测评 %d", i), Kind: task.Content, Mode: task.Open, Capacity: 5,
				Reward: task.Reward{Points: 10, Money: 10_000}, BudgetLine: line})
			if err != nil {
				t.Fatal(err)
			}
			drafts = append(drafts, tk.PublicID)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, refused := 0, 0
		for _, ref := range drafts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.A.Tasks.Publish(w.Ctx, w.SC, ref)
				mu.Lock()
				defer mu.Unlock()
				switch fe, _ := fault.As(err); {
				case err == nil:
					ok++
				case fe != nil && fe.Code == "budget.exceeded" && fe.Params["line_id"] == line:
					refused++
				default:
					t.Errorf("publish: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok != 37 || refused != 63 {
			t.Fatalf("%d published, %d refused; want exactly the 37 that fit", ok, refused)
		}
		l, err := w.A.Budget.Line(w.Ctx, w.SC, line)
		if err != nil {
			t.Fatal(err)
		}
		if l.Committed != 37*each || l.Available != 20_000 || l.Planned != l.Available+l.Held+l.Committed+l.Spent {
			t.Fatalf("line after the race: %+v", l.Figures)
		}
	})
}

// A task's money flows through its line: publish commits places × money,
// an approval pays one place (and the member is owed it), a smaller
// capacity and the cancellation give back what is left; the refusal of a
// task with money and no line names the field.
func TestTaskMoneyIsCommittedPaidAndReleased(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		p := approvedPlan(t, w, budget.LineInput{Layer: budget.Exclusive, Code: "fees", Name: "达人费用", Amount: 1_000_000})
		line := p.Lines[0].PublicID
		in := task.Input{Title: "深度测评", Kind: task.Content, Mode: task.Open, Capacity: 4, Reward: task.Reward{Points: 10, Money: 20_000}}
		noLine, err := w.A.Tasks.Create(w.Ctx, w.SC, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Tasks.Publish(w.Ctx, w.SC, noLine.PublicID); !hasField(err, "budget_line") {
			t.Fatalf("money without a line: %v", err)
		}
		in.BudgetLine = line
		tk, err := w.A.Tasks.Create(w.Ctx, w.SC, in)
		if err != nil {
			t.Fatal(err)
		}
		if tk, err = w.A.Tasks.Publish(w.Ctx, w.SC, tk.PublicID); err != nil {
			t.Fatal(err)
		}
		figures := func() budget.Figures {
			l, err := w.A.Budget.Line(w.Ctx, w.SC, line)
			if err != nil {
				t.Fatal(err)
			}
			return l.Figures
		}
		if f := figures(); f.Committed != 80_000 || f.Available != 920_000 {
			t.Fatalf("after publish: %+v", f)
		}
		m := w.Member()
		c, err := w.A.Tasks.Take(w.Ctx, w.SC, tk.PublicID, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := w.A.Tasks.Submit(w.Ctx, w.SC, c.PublicID, task.SubmissionInput{Text: "作品"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Tasks.Review(w.Ctx, w.SC, sub.PublicID, task.Approve, 5, "好"); err != nil {
			t.Fatal(err)
		}
		if f := figures(); f.Committed != 60_000 || f.Spent != 20_000 || f.Available != 920_000 {
			t.Fatalf("after one approval: %+v", f)
		}
		st, err := w.A.Payouts.MemberStatement(w.Ctx, w.SC, m.PublicID)
		if err != nil || st.Owed != 20_000 {
			t.Fatalf("owed %+v %v", st, err)
		}
		in.Capacity = 3
		if _, err := w.A.Tasks.Update(w.Ctx, w.SC, tk.PublicID, in); err != nil {
			t.Fatal(err)
		}
		if f := figures(); f.Committed != 40_000 || f.Available != 940_000 {
			t.Fatalf("after capacity 4 → 3: %+v", f)
		}
		if _, err := w.A.Tasks.Cancel(w.Ctx, w.SC, tk.PublicID, "活动取消"); err != nil {
			t.Fatal(err)
		}
		if f := figures(); f.Committed != 0 || f.Spent != 20_000 || f.Available != 980_000 {
			t.Fatalf("after cancel: %+v", f)
		}
	})
}

func hasField(err error, field string) bool {
	fe, ok := fault.As(err)
	if !ok {
		return false
	}
	for _, f := range fe.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Finance approves; operators cannot. A move holds its amount until
// decided; a reserve request records how long finance took.
func TestOnlyFinanceApprovesAndRequestsHoldTheirAmount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		op := w.Role(program.RoleOperator)
		p, err := w.A.Budget.CreatePlan(w.Ctx, op, budget.PlanInput{Code: "q2", Name: "二季度", Period: "2026-Q2", Lines: []budget.LineInput{
			{Layer: budget.Broad, Code: "honour", Name: "荣誉体系", Amount: 100_000},
			{Layer: budget.Incentive, Code: "gifts", Name: "礼品卡", Amount: 50_000},
			{Layer: budget.Reserve, Code: "reserve", Name: "策略性储备", Amount: 30_000}}})
		if err != nil {
			t.Fatal(err)
		}
		if p.StartsOn != "2026-04-01" || p.EndsOn != "2026-06-30" {
			t.Fatalf("period %s – %s", p.StartsOn, p.EndsOn)
		}
		if _, err := w.A.Budget.ApprovePlan(w.Ctx, op, p.PublicID); fault.KindOf(err) != fault.Forbidden {
			t.Fatalf("an operator approved: %v", err)
		}
		fin := w.Role(program.RoleFinance)
		if _, err := w.A.Budget.ApprovePlan(w.Ctx, fin, p.PublicID); err != nil {
			t.Fatal(err)
		}
		honour, gifts, reserve := p.Lines[0].PublicID, p.Lines[1].PublicID, p.Lines[2].PublicID
		mv, err := w.A.Budget.Ask(w.Ctx, op, budget.RequestInput{Kind: budget.Move, From: honour, To: gifts, Amount: 40_000, Reason: "礼品卡不够"})
		if err != nil {
			t.Fatal(err)
		}
		l, _ := w.A.Budget.Line(w.Ctx, w.SC, honour)
		if l.Held != 40_000 || l.Available != 60_000 {
			t.Fatalf("a move waiting: %+v", l.Figures)
		}
		// Too much for what is left (the held amount is not free).
		if _, err := w.A.Budget.Ask(w.Ctx, op, budget.RequestInput{Kind: budget.Move, From: honour, To: gifts, Amount: 60_001, Reason: "再加"}); fault.KindOf(err) != fault.LimitExceeded {
			t.Fatalf("a move past what is left: %v", err)
		}
		if _, err := w.A.Budget.Decide(w.Ctx, op, mv.PublicID, true, ""); fault.KindOf(err) != fault.Forbidden {
			t.Fatalf("an operator decided: %v", err)
		}
		if _, err := w.A.Budget.Decide(w.Ctx, fin, mv.PublicID, true, "同意"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Budget.Decide(w.Ctx, fin, mv.PublicID, true, ""); fault.KindOf(err) != fault.Conflict {
			t.Fatalf("decided twice: %v", err)
		}
		p, _ = w.A.Budget.Plan(w.Ctx, w.SC, p.PublicID)
		if p.Lines[0].Planned != 60_000 || p.Lines[1].Planned != 90_000 || p.Lines[1].Available != 90_000 || p.Totals.Planned != 180_000 {
			t.Fatalf("after the move: %+v / %+v", p.Lines[0].Figures, p.Lines[1].Figures)
		}
		if _, err := w.A.Budget.Ask(w.Ctx, op, budget.RequestInput{Kind: budget.ReserveUse, From: gifts, Amount: 1, Purpose: "viral_boost", Reason: "x"}); !hasField(err, "from_line") {
			t.Fatalf("a reserve request on a line outside the reserve: %v", err)
		}
		rq, err := w.A.Budget.Ask(w.Ctx, op, budget.RequestInput{Kind: budget.ReserveUse, From: reserve, Amount: 10_000, Purpose: "viral_boost",
			Reason: "小红书笔记自然爆了，加投流"})
		if err != nil {
			t.Fatal(err)
		}
		w.Advance(90 * time.Minute)
		if rq, err = w.A.Budget.Decide(w.Ctx, fin, rq.PublicID, true, "批"); err != nil {
			t.Fatal(err)
		}
		if rq.DecisionSeconds != 5400 {
			t.Fatalf("time to decision %d s", rq.DecisionSeconds)
		}
		declined, err := w.A.Budget.Ask(w.Ctx, op, budget.RequestInput{Kind: budget.ReserveUse, From: reserve, Amount: 5_000, Purpose: "member_event", Reason: "车友自发聚会"})
		if err != nil {
			t.Fatal(err)
		}
		w.Advance(30 * time.Minute)
		if _, err := w.A.Budget.Decide(w.Ctx, fin, declined.PublicID, false, "下次"); err != nil {
			t.Fatal(err)
		}
		r, err := w.A.Budget.Report(w.Ctx, w.SC, p.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		// Each layer sums its lines, and the layers the plan.
		var sum budget.Figures
		for _, lf := range r.Layers {
			var want budget.Figures
			for _, l := range r.Plan.Lines {
				if l.Layer == lf.Layer {
					want.Planned, want.Committed, want.Spent, want.Held, want.Available = want.Planned+l.Planned, want.Committed+l.Committed,
						want.Spent+l.Spent, want.Held+l.Held, want.Available+l.Available
				}
			}
			if lf.Figures != want {
				t.Fatalf("layer %s: %+v, its lines sum to %+v", lf.Layer, lf.Figures, want)
			}
			sum.Planned += lf.Planned
		}
		if sum.Planned != r.Plan.Totals.Planned || sum.Planned == 0 {
			t.Fatalf("layers plan %d, the plan %d", sum.Planned, r.Plan.Totals.Planned)
		}
		res := r.Layers[3]
		if res.Layer != budget.Reserve || res.Spent != 10_000 || res.Available != 20_000 {
			t.Fatalf("reserve layer: %+v", res)
		}
		if r.Reserve.Requests != 2 || r.Reserve.Decided != 2 || r.Reserve.AverageSeconds != 3600 || r.Reserve.LongestSeconds != 5400 {
			t.Fatalf("decisions: %+v", r.Reserve)
		}
		if len(r.Months) != 1 || r.Months[0].Month != "2026-03" || r.Months[0].Spent != 10_000 {
			t.Fatalf("months: %+v", r.Months)
		}
	})
}

// The forecast projects the spend so far over the whole period.
func TestForecastFromBurnRate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, time.Date(2026, 1, 10, 4, 0, 0, 0, time.UTC)) // 10 January, Shanghai
		p := approvedPlan(t, w, budget.LineInput{Layer: budget.Reserve, Code: "r", Name: "储备", Amount: 10_000_000})
		rq, err := w.A.Budget.Ask(w.Ctx, w.SC, budget.RequestInput{Kind: budget.ReserveUse, From: p.Lines[0].PublicID, Amount: 100_000, Purpose: "other", Reason: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Budget.Decide(w.Ctx, w.SC, rq.PublicID, true, ""); err != nil {
			t.Fatal(err)
		}
		r, err := w.A.Budget.Report(w.Ctx, w.SC, p.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		// ¥1,000 in 10 days of 365: ¥36,500 by the year's end.
		if f := r.Forecast; f.ElapsedDays != 10 || f.PeriodDays != 365 || f.AtPeriodEnd != 3_650_000 || f.Over {
			t.Fatalf("forecast %+v", f)
		}
	})
}

// After any sequence of commits, payments, releases, spends and moves,
// each line's plan is available + held + committed + spent, to the fen,
// and every ledger asset sums to zero.
func TestBudgetArithmeticHoldsAfterAnySequence(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		rapid.Check(t, func(rt *rapid.T) {
			n := rapid.IntRange(2, 4).Draw(rt, "lines")
			var lines []budget.LineInput
			for i := 0; i < n; i++ {
				lines = append(lines, budget.LineInput{Layer: budget.Layers[i%4], Code: fmt.Sprintf("l%d", i), Name: "线",
					Amount: rapid.Int64Range(0, 200_000).Draw(rt, "amount")})
			}
			p := approvedPlan(rt, w, lines...)
			refs := make([]string, n)
			for i, l := range p.Lines {
				refs[i] = l.PublicID
			}
			var requests []string
			seq := 0
			id := func(s string) string { seq++; return fmt.Sprintf("%s:%s:%d", p.PublicID, s, seq) }
			for step := rapid.IntRange(1, 25).Draw(rt, "steps"); step > 0; step-- {
				line := refs[rapid.IntRange(0, n-1).Draw(rt, "line")]
				owner := fmt.Sprintf("task:t%d", rapid.IntRange(0, 3).Draw(rt, "task"))
				amount := rapid.Int64Range(1, 80_000).Draw(rt, "amount")
				var err error
				switch op := rapid.IntRange(0, 5).Draw(rt, "op"); op {
				case 0: // publish
					err = w.A.DB.InTx(w.Ctx, func(tx *db.Tx) error {
						return budget.CommitTx(w.Ctx, tx, w.A.Ledger, w.SC.Program.ID, line, owner, id("c"), amount)
					})
				case 1: // a partial payment
					err = w.A.DB.InTx(w.Ctx, func(tx *db.Tx) error {
						return budget.PayTx(w.Ctx, tx, w.A.Ledger, w.SC.Program.ID, line, owner, id("p"), amount)
					})
				case 2: // cancellation or expiry: all that is left
					err = w.A.DB.InTx(w.Ctx, func(tx *db.Tx) error {
						return budget.ReleaseTx(w.Ctx, tx, w.A.Ledger, w.SC.Program.ID, line, owner, id("r"), 0)
					})
				case 3: // a redemption's unit cost
					err = w.A.DB.InTx(w.Ctx, func(tx *db.Tx) error {
						tr, l, err := budget.SpendTransfer(w.Ctx, tx, w.SC.Program.ID, line, id("s"), "redemption:x", amount)
						if err != nil {
							return err
						}
						rs, err := w.A.Ledger.ApplyTx(w.Ctx, tx, w.SC.Program.ID, []ledger.Transfer{tr})
						if err != nil {
							return err
						}
						if rs[0].Code == ledger.ExceedsCredits {
							return budget.Refusal(w.Ctx, tx, w.SC.Program.ID, l, amount)
						}
						return rs[0].Err()
					})
				case 4: // a move asked
					to := refs[rapid.IntRange(0, n-1).Draw(rt, "to")]
					if to == line {
						continue
					}
					var rq budget.Request
					rq, err = w.A.Budget.Ask(w.Ctx, w.SC, budget.RequestInput{Kind: budget.Move, From: line, To: to, Amount: amount, Reason: "move"})
					if err == nil {
						requests = append(requests, rq.PublicID)
					}
				case 5: // a move decided
					if len(requests) == 0 {
						continue
					}
					i := rapid.IntRange(0, len(requests)-1).Draw(rt, "request")
					_, err = w.A.Budget.Decide(w.Ctx, w.SC, requests[i], rapid.Bool().Draw(rt, "approve"), "")
					requests = append(requests[:i], requests[i+1:]...)
				}
				if err != nil && fault.KindOf(err) != fault.LimitExceeded {
					rt.Fatalf("step: %v", err)
				}
			}
			p, err := w.A.Budget.Plan(w.Ctx, w.SC, p.PublicID)
			if err != nil {
				rt.Fatal(err)
			}
			var planned int64
			for i, l := range p.Lines {
				planned += l.Planned
				if l.Planned != l.Available+l.Held+l.Committed+l.Spent || l.Available < 0 || l.Committed < 0 {
					rt.Fatalf("line %d: %+v", i, l.Figures)
				}
			}
			var funded int64
			for _, l := range lines {
				funded += l.Amount
			}
			if planned != funded {
				rt.Fatalf("plans sum to %d, funded %d", planned, funded)
			}
			var posted, pending int64
			if err := d.R.QueryRowContext(w.Ctx, `SELECT COALESCE(SUM(credits_posted - debits_posted), 0), COALESCE(SUM(credits_pending - debits_pending), 0)
				FROM ledger_accounts WHERE program_id = $1 AND asset = 'CNY'`, w.SC.Program.ID).Scan(&posted, &pending); err != nil {
				rt.Fatal(err)
			}
			if posted != 0 || pending != 0 {
				rt.Fatalf("CNY sums to %d posted, %d pending", posted, pending)
			}
		})
	})
}
