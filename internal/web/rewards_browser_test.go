package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

// In a real browser: finance approves a draft budget plan and a payout
// batch (then marks it paid) at a desk's width; a member on a 375-px phone
// opens the catalog, redeems a coupon and sees its code. Every rewards page
// on the way is pictured at both widths.
func TestBrowserRewards(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := browser(t)
		w := newPortalWorld(t, d)
		s := w.s
		rw := seedRewards(t, s, w.ctx, w.sc, w.me)
		draft, err := s.a.Budget.CreatePlan(w.ctx, w.sc, budget.PlanInput{Code: "fy2027", Name: "2027 年度", Period: "2027",
			Lines: []budget.LineInput{{Layer: budget.Incentive, Code: "kits", Name: "礼盒", Amount: 3_000_000}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Programs.AddToTeam(w.ctx, w.sc, program.NewOperator{Email: "cfo@web.kox", Name: "财务 陈", Password: password}, program.RoleFinance); err != nil {
			t.Fatal(err)
		}
		shot := func(name string) string { return "rewards-" + name + "-" + string(d.Engine) }
		run, text := driver(t, ctx)
		base := s.srv.URL + "/p/qicheng"

		run("finance signs in", desk, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.SendKeys("#email", "cfo@web.kox"),
			chromedp.SendKeys("#password", password), chromedp.Submit("#password"), chromedp.WaitVisible(`[data-test="programs"]`))
		run("budget", chromedp.Navigate(base+"/budget"), chromedp.WaitVisible(`[data-test="table"]`))
		shoot(t, ctx, shot("budget"))
		run("draft plan", chromedp.Navigate(base+"/budget/plans/"+draft.PublicID), chromedp.WaitVisible(`[data-test="approve-plan"]`))
		run("approve the plan", chromedp.Click(`[data-test="approve-plan"]`), chromedp.WaitVisible(`[data-test="flash"]`), chromedp.WaitVisible(`[data-chart] svg`))
		if st := text(`[data-test="record-status"]`); st != "已批准" {
			t.Fatalf("plan status %q", st)
		}
		drawn, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-chart] svg").length`))
		if err != nil || drawn != 3 {
			t.Fatalf("plan charts drawn: %d %v", drawn, err)
		}
		shoot(t, ctx, shot("plan"))
		run("requests", chromedp.Navigate(base+"/budget/requests"), chromedp.WaitVisible(`[data-test="approve-request"]`))
		shoot(t, ctx, shot("requests"))
		run("payouts", chromedp.Navigate(base+"/payouts"), chromedp.WaitVisible(`[data-test="batch-form"]`))
		shoot(t, ctx, shot("payouts"))
		run("batch", chromedp.Navigate(base+"/payouts/"+rw.batch.PublicID), chromedp.WaitVisible(`[data-test="approve-batch"]`))
		shoot(t, ctx, shot("batch"))
		run("approve the batch", chromedp.Click(`[data-test="approve-batch"]`), chromedp.WaitVisible(`[data-test="mark-paid"]`))
		run("mark it paid", chromedp.Click(`[data-test="mark-paid"]`), chromedp.WaitNotPresent(`[data-test="mark-paid"]`))
		if st := text(`[data-test="record-status"]`); st != "已发放" {
			t.Fatalf("batch status %q", st)
		}
		shoot(t, ctx, shot("batch-paid"))
		for _, pg := range []struct{ name, path, wait string }{{"catalog", "/catalog", `[data-test="table"]`},
			{"item", "/catalog/" + rw.coupon.PublicID, `[data-test="facts"]`}, {"redemptions", "/redemptions", `[data-test="table"]`},
			{"redemption", "/redemptions/" + rw.redemption.PublicID, `[data-test="facts"]`}, {"badges", "/badges", "h1"}} {
			run(pg.name, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(pg.wait))
			shoot(t, ctx, shot(pg.name))
		}
		run("sign out", chromedp.Click(`form[action="/signout"] button`), chromedp.WaitVisible("#email"))
		for _, pg := range []struct{ name, path, wait string }{{"item-form", "/catalog/new", `[data-test="item-form"]`},
			{"plan-form", "/budget/plans/new", `[data-test="plan-form"]`}, {"points", "/points", `[data-test="adjust-form"]`}} {
			run(pg.name, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.SendKeys("#email", "owner@web.kox"), chromedp.SendKeys("#password", password),
				chromedp.Submit("#password"), chromedp.WaitVisible(`[data-test="programs"]`), chromedp.Navigate(base+pg.path), chromedp.WaitVisible(pg.wait))
			shoot(t, ctx, shot(pg.name))
			run("sign out", chromedp.Click(`form[action="/signout"] button`), chromedp.WaitVisible("#email"))
		}

		// The member, on a phone, redeems the coupon.
		code, _, err := s.a.Members.IssueLoginCode(w.ctx, w.sc, w.me.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		run("member signs in", phone, chromedp.Navigate(s.srv.URL+"/m/signin?code="+url.QueryEscape(code)), chromedp.Click(`[data-test="signin"]`),
			chromedp.WaitVisible(`[data-test="member-name"]`))
		run("rewards", chromedp.Click(`[data-test="tab-rewards"]`), chromedp.WaitVisible(`[data-test="reward"]`))
		shoot(t, ctx, shot("portal-shelf"))
		run("the coupon", chromedp.Navigate(s.srv.URL+"/m/rewards/"+rw.coupon.PublicID), chromedp.WaitVisible(`[data-test="redeem"]`))
		shoot(t, ctx, shot("portal-reward"))
		run("redeem", chromedp.Click(`[data-test="redeem"]`), chromedp.WaitVisible(`[data-test="coupon-code"]`))
		if c := text(`[data-test="coupon-code"]`); !strings.HasPrefix(c, "QC-000") {
			t.Fatalf("coupon code shown: %q", c)
		}
		shoot(t, ctx, shot("portal-code"))
		for _, pg := range []struct{ name, path, wait string }{{"portal-redemptions", "/m/redemptions", `[data-test="redemption"]`},
			{"portal-merch", "/m/rewards/" + rw.merch.PublicID, `[data-test="redeem-form"]`}, {"portal-badges", "/m/badges", "h1"},
			{"portal-money", "/m/money", `[data-test="owed"]`}, {"portal-points", "/m/points", `[data-test="balance"]`}} {
			run(pg.name, chromedp.Navigate(s.srv.URL+pg.path), chromedp.WaitVisible(pg.wait))
			shoot(t, ctx, shot(pg.name))
		}
	})
}
