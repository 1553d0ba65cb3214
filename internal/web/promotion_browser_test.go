package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

// In a real browser: a member on a phone sees they are ready for the next
// tier; an operator at a desk evaluates, ticks the candidates and promotes
// them at once; the member then sees the new title, a new card (the old
// one's page says it was replaced) and the promotion in their notifications.
func TestBrowserPromotion(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := browser(t)
		w, ms := promotionWorld(t, d, 3, 2)
		s := w.s
		old, err := s.a.Identity.Card(w.ctx, w.sc, w.me.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Programs.AddToTeam(w.ctx, w.sc, program.NewOperator{Email: "ops@web.kox", Name: "运营 周", Password: password}, program.RoleOperator); err != nil {
			t.Fatal(err)
		}
		shot := func(name string) string { return "promotion-" + name + "-" + string(d.Engine) }
		run, text := driver(t, ctx)
		code, _, err := s.a.Members.IssueLoginCode(w.ctx, w.sc, w.me.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		run("member signs in", phone, chromedp.Navigate(s.srv.URL+"/m/signin?code="+url.QueryEscape(code)), chromedp.Click(`[data-test="signin"]`),
			chromedp.WaitVisible(`[data-test="progress-ready"]`))
		before := text(`[data-test="tier"]`)
		shoot(t, ctx, shot("member-ready"))

		run("operator signs in", desk, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.SendKeys("#email", "ops@web.kox"),
			chromedp.SendKeys("#password", password), chromedp.Submit("#password"), chromedp.WaitVisible(`[data-test="programs"]`),
			chromedp.Navigate(s.srv.URL+"/p/qicheng/promotions"), chromedp.WaitVisible(`[data-test="evaluate"]`))
		run("evaluate", chromedp.Click(`[data-test="evaluate"]`), chromedp.WaitVisible(`[data-test="select-row"]`))
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-test="select-row"]').length`))
		if err != nil || rows != 2 {
			t.Fatalf("%d candidates listed, want 2 (%v)", rows, err)
		}
		run("tick both", chromedp.Click(`tbody tr:nth-child(1) [data-test="select-row"]`), chromedp.Click(`tbody tr:nth-child(2) [data-test="select-row"]`))
		shoot(t, ctx, shot("candidates"))
		// The evaluation's flash is on the page already: wait for the list to empty.
		run("approve the ticked", chromedp.Click(`[data-test="approve-selected"]`), chromedp.WaitNotPresent(`[data-test="select-row"]`))
		if f := text(`[data-test="flash"]`); !strings.Contains(f, "晋升") {
			t.Fatalf("after approving: %q", f)
		}
		shoot(t, ctx, shot("approved"))
		// The delivery job's turn.
		if _, err := s.a.Notify.Dispatch(w.ctx); err != nil {
			t.Fatal(err)
		}
		st, err := s.a.Ladders.Standings(w.ctx, w.sc, ms[0].PublicID)
		if err != nil || st[0].Tier != "experience" {
			t.Fatalf("standing after approval: %+v %v", st, err)
		}

		run("member comes back", phone, chromedp.Navigate(s.srv.URL+"/m"), chromedp.WaitVisible(`[data-test="unread"]`))
		if now := text(`[data-test="tier"]`); now == before || !strings.Contains(now, st[0].Name.In("zh-CN")) {
			t.Fatalf("the member's tier line: %q, before %q", now, before)
		}
		shoot(t, ctx, shot("member-promoted"))
		run("notifications", chromedp.Click(`[data-test="inbox"]`), chromedp.WaitVisible(`[data-test="notice"]`))
		if n := text(`[data-test="notice"]`); !strings.Contains(n, st[0].Name.In("zh-CN")) {
			t.Fatalf("the promotion notification: %q", n)
		}
		shoot(t, ctx, shot("member-notifications"))
		card, err := s.a.Identity.Card(w.ctx, w.sc, w.me.PublicID)
		if err != nil || card.Number == old.Number {
			t.Fatalf("no new card: %+v %v", card, err)
		}
		run("card", chromedp.Navigate(s.srv.URL+"/m/card"), chromedp.WaitVisible(`[data-test="card-image"]`))
		if alt, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-test="card-image"]').alt`)); !strings.Contains(alt, card.Number) {
			t.Fatalf("the card page shows %q, want the new card %s", alt, card.Number)
		}
		shoot(t, ctx, shot("member-card"))
		run("the old card", chromedp.Navigate(s.srv.URL+"/v/"+old.Number), chromedp.WaitVisible(`[data-test="verify-state"]`))
		if st := text(`[data-test="verify-state"]`); !strings.Contains(st, "取代") {
			t.Fatalf("the old card's page says %q", st)
		}
	})
}
