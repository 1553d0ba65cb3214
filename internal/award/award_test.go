package award_test

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/award"
	"kox/internal/budget"
	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/task"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// 2026-03-10 10:00 in Shanghai.
var start = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)

// The monthly best ranks March's approved work by score, then reach (work
// approved in February or April is not a candidate, by Shanghai's
// calendar); the quarterly star ranks members by their average. Winners get
// points through the ledger, an item (stock and its cost on the budget
// line, shipped like a redemption) or a prize in words; a member wins an
// award once, with their own work of the period; the honour wall shows the
// winners and nothing private.
func TestAwardsRankChooseAndHonour(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		a, b, c := w.Member(), w.Member(), w.Member()
		w.Set(time.Date(2026, 2, 28, 15, 59, 0, 0, time.UTC)) // 23:59 in Shanghai: February
		w.Approve(c, task.Input{Title: "二月作品"}, 5, 99_000)
		w.Set(start)
		sa := w.Approve(a, task.Input{Title: "OTA 体验"}, 5, 1_000)
		sb := w.Approve(b, task.Input{Title: "长途自驾"}, 5, 20_000)
		sc := w.Approve(c, task.Input{Title: "通勤日记"}, 3, 50_000)
		w.Approve(a, task.Input{Title: "充电攻略"}, 4, 10)
		w.Set(time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC)) // March in UTC, 1 April 00:30 in Shanghai
		w.Approve(w.Member(), task.Input{Title: "四月作品"}, 5, 1_000_000)
		w.Set(start)

		if _, err := w.A.Awards.Create(w.Ctx, w.SC, award.RoundInput{Kind: award.MonthlyBest, Period: "2026-Q1"}); apptest.Code(err) != "period:award.period" {
			t.Fatalf("a quarter for a monthly award: %v", err)
		}
		month, err := w.A.Awards.Create(w.Ctx, w.SC, award.RoundInput{Kind: award.MonthlyBest, Period: "2026-03"})
		if err != nil || month.TitleZh != "月度最佳内容奖 · 2026-03" || month.TitleEn != "Best content of 2026-03" {
			t.Fatalf("create: %+v %v", month, err)
		}
		if _, err := w.A.Awards.Create(w.Ctx, w.SC, award.RoundInput{Kind: award.MonthlyBest, Period: "2026-03"}); apptest.Code(err) != "award.exists" {
			t.Fatalf("the same award twice: %v", err)
		}
		cs, err := w.A.Awards.Candidates(w.Ctx, w.SC, month.PublicID, 10)
		if err != nil || len(cs) != 4 {
			t.Fatalf("candidates: %+v %v", cs, err)
		}
		if cs[0].Submission != sb.PublicID || cs[1].Submission != sa.PublicID || cs[2].Score != 4 || cs[3].Submission != sc.PublicID || cs[0].Rank != 1 {
			t.Fatalf("ranking: %+v", cs)
		}
		star, err := w.A.Awards.Create(w.Ctx, w.SC, award.RoundInput{Kind: award.QuarterlyStar, Period: "2026-Q1"})
		if err != nil {
			t.Fatal(err)
		}
		stars, _ := w.A.Awards.Candidates(w.Ctx, w.SC, star.PublicID, 10)
		// b: 5.00; a: 4.50 over two; c: (5 + 3) / 2 = 4.00 with February's.
		if len(stars) != 3 || stars[0].Member != b.PublicID || stars[1].Score != 450 || stars[1].Approved != 2 || stars[2].Score != 400 {
			t.Fatalf("stars: %+v", stars)
		}

		// Points, through the ledger.
		if _, err := w.A.Awards.Win(w.Ctx, w.SC, month.PublicID, award.WinInput{Member: b.PublicID, PrizeKind: award.PointsPrize, Points: 500}); apptest.Code(err) != "submission:award.submission_required" {
			t.Fatalf("a monthly winner without the work: %v", err)
		}
		if _, err := w.A.Awards.Win(w.Ctx, w.SC, month.PublicID, award.WinInput{Member: b.PublicID, Submission: sa.PublicID, PrizeKind: award.PointsPrize, Points: 500}); apptest.Code(err) != "submission:award.submission_not_eligible" {
			t.Fatalf("someone else's work: %v", err)
		}
		win, err := w.A.Awards.Win(w.Ctx, w.SC, month.PublicID, award.WinInput{Member: b.PublicID, Submission: sb.PublicID, Citation: "一千公里的真实记录",
			PrizeKind: award.PointsPrize, Points: 500})
		if err != nil || win.PrizePoints != 500 || win.TaskTitle != "长途自驾" {
			t.Fatalf("win: %+v %v", win, err)
		}
		st, _, _ := w.A.Points.Statement(w.Ctx, w.SC, b.PublicID, 0, 10)
		if st.Balance != 500 || st.History[0].Code != "award" {
			t.Fatalf("b's points: %+v", st)
		}
		if _, err := w.A.Awards.Win(w.Ctx, w.SC, month.PublicID, award.WinInput{Member: b.PublicID, Submission: sb.PublicID, PrizeKind: award.NoPrize}); apptest.Code(err) != "award.already_won" {
			t.Fatalf("winning twice: %v", err)
		}

		// An item: given without points, its stock and cost move.
		p, err := w.A.Budget.CreatePlan(w.Ctx, w.SC, budget.PlanInput{Code: "y2026", Name: "2026", Period: "2026",
			Lines: []budget.LineInput{{Layer: budget.Incentive, Code: "awards", Name: "奖项", Amount: 50_000}}})
		if err == nil {
			_, err = w.A.Budget.ApprovePlan(w.Ctx, w.SC, p.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		it, err := w.A.Catalog.Create(w.Ctx, w.SC, catalog.ItemInput{Kind: catalog.Merchandise, Title: "刻名纪念品", Points: 99_999, UnitCost: 20_000,
			BudgetLine: p.Lines[0].PublicID, Variants: []catalog.VariantInput{{Label: "标准", Stock: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		addr := &catalog.Address{Name: "林", Phone: "13800000000", Address: "杭州市西湖区"}
		gift, err := w.A.Awards.Win(w.Ctx, w.SC, star.PublicID, award.WinInput{Member: a.PublicID, PrizeKind: award.ItemPrize, Item: it.PublicID, Address: addr})
		if err != nil || gift.Redemption == "" {
			t.Fatalf("an item prize: %+v %v", gift, err)
		}
		r, _ := w.A.Catalog.Redemption(w.Ctx, w.SC, gift.Redemption)
		ln, _ := w.A.Budget.Line(w.Ctx, w.SC, p.Lines[0].PublicID)
		if r.Points != 0 || r.Status != catalog.Ordered || ln.Spent != 20_000 {
			t.Fatalf("the gift: %+v, line %+v", r, ln.Figures)
		}
		// The last one is given: the next item prize fails whole, no winner written.
		if _, err := w.A.Awards.Win(w.Ctx, w.SC, star.PublicID, award.WinInput{Member: b.PublicID, PrizeKind: award.ItemPrize, Item: it.PublicID, Address: addr}); err == nil {
			t.Fatal("an item out of stock was given")
		}
		if got, _ := w.A.Awards.Get(w.Ctx, w.SC, star.PublicID); len(got.Winners) != 1 {
			t.Fatalf("a refused prize left a winner: %+v", got.Winners)
		}

		// An honorary title says what for; its prize may be in words.
		hon, err := w.A.Awards.Create(w.Ctx, w.SC, award.RoundInput{Kind: award.Honorary, Period: "2026"})
		if apptest.Code(err) != "title_zh:required" {
			t.Fatalf("an honorary title without a title: %v %+v", err, hon)
		}
		hon, err = w.A.Awards.Create(w.Ctx, w.SC, award.RoundInput{Kind: award.Honorary, Period: "2026", TitleZh: "年度荣誉顾问", TitleEn: "Honorary advisor of the year"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Awards.Win(w.Ctx, w.SC, hon.PublicID, award.WinInput{Member: c.PublicID, PrizeKind: award.OtherPrize, PrizeText: "与产品设计师共进午餐"}); apptest.Code(err) != "citation:award.citation_required" {
			t.Fatalf("no citation: %v", err)
		}
		if _, err := w.A.Awards.Win(w.Ctx, w.SC, hon.PublicID, award.WinInput{Member: c.PublicID, Citation: "三年来带新人、提建议", PrizeKind: award.OtherPrize,
			PrizeText: "与产品设计师共进午餐"}); err != nil {
			t.Fatal(err)
		}

		prog, wall, err := w.A.Awards.Wall(w.Ctx, w.SC.Program.Slug)
		if err != nil || prog.ID != w.SC.Program.ID || len(wall) != 3 {
			t.Fatalf("wall: %+v %v", wall, err)
		}
		raw, _ := json.Marshal(wall)
		for _, private := range []string{"13800000000", "杭州市西湖区", "午餐", "500", b.PublicID, "mbr_"} {
			if strings.Contains(string(raw), private) {
				t.Errorf("the honour wall shows %q: %s", private, raw)
			}
		}
		mine, err := w.A.Awards.Of(w.Ctx, w.As(b), b.PublicID)
		if err != nil || len(mine) != 1 || mine[0].Citation != "一千公里的真实记录" {
			t.Fatalf("b's honours: %+v %v", mine, err)
		}
		if _, err := w.A.Awards.Of(w.Ctx, w.As(b), a.PublicID); apptest.Code(err) != "member.not_found" {
			t.Fatalf("another member's honours: %v", err)
		}
		// Each winner is told, in the outbox of the win's own transaction.
		var told int
		d.R.QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'award_won'`).Scan(&told)
		if told != 3 {
			t.Fatalf("%d award_won events, want 3", told)
		}
	})
}

// Operators choosing the same member at once: one winner, one prize.
func TestAMemberWinsAnAwardOnceUnderRace(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		m := w.Member()
		sub := w.Approve(m, task.Input{Title: "OTA"}, 5, 100)
		a, err := w.A.Awards.Create(w.Ctx, w.SC, award.RoundInput{Kind: award.MonthlyBest, Period: "2026-03"})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.A.Awards.Win(w.Ctx, w.SC, a.PublicID, award.WinInput{Member: m.PublicID, Submission: sub.PublicID, PrizeKind: award.PointsPrize, Points: 100})
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if apptest.Code(err) != "award.already_won" {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		st, _, _ := w.A.Points.Statement(w.Ctx, w.SC, m.PublicID, 0, 10)
		if wins != 1 || st.Balance != 100 {
			t.Fatalf("%d wins, balance %d", wins, st.Balance)
		}
	})
}
