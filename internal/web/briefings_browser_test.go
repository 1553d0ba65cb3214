package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kox/internal/briefing"
	"kox/internal/campaign"
	"kox/internal/db"
	"kox/internal/dbtest"
)

// In a real browser: an experience officer on a phone finds the launch's
// embargoed OTA briefing among their briefings, reads it and sees its
// file; the operator at a desk sees the read on the briefing's receipts
// and the campaign's timeline with its budget.
func TestBrowserBriefingUnderEmbargo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := browser(t)
		w := newPortalWorld(t, d)
		s := w.s
		if _, err := s.a.Ladders.SetTier(w.ctx, w.sc, w.me.PublicID, "main", "experience", "测试"); err != nil {
			t.Fatal(err)
		}
		c, err := s.a.Campaigns.Create(w.ctx, w.sc, campaign.CampaignInput{Label: "S7 上市", Kind: campaign.Launch, Title: "2027 款启程 S7 上市",
			GoLiveAt: time.Now().Add(72 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.a.Briefings.Create(w.ctx, w.sc, briefing.BriefingInput{Campaign: "S7 上市", Title: "OTA 4.0 更新说明（保密）", Summary: "城市领航全国开放",
			Body: "一、城市领航全国开放\n二、露营模式", Ladder: "main", MinTier: "experience", ReleaseAt: time.Now().Add(-time.Hour)})
		if err == nil {
			_, err = s.a.Briefings.Attach(w.ctx, w.sc, b.PublicID, "OTA4.0-亮点.txt", []byte("亮点\n"))
		}
		if err == nil {
			_, err = s.a.Briefings.Publish(w.ctx, w.sc, b.PublicID)
		}
		if err == nil {
			_, err = s.a.Campaigns.Schedule(w.ctx, w.sc, c.PublicID, true)
		}
		if err != nil {
			t.Fatal(err)
		}
		shot := func(name string) string { return "briefings-" + name + "-" + string(d.Engine) }
		run, text := driver(t, ctx)
		code, _, err := s.a.Members.IssueLoginCode(w.ctx, w.sc, w.me.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		run("officer opens the briefings", phone, chromedp.Navigate(s.srv.URL+"/m/signin?code="+url.QueryEscape(code)), chromedp.Click(`[data-test="signin"]`),
			chromedp.WaitVisible(`[data-test="briefings-link"]`), chromedp.Click(`[data-test="briefings-link"]`), chromedp.WaitVisible(`[data-test="briefing"]`))
		if l := text(`[data-test="briefing"]`); !strings.Contains(l, "OTA 4.0") || !strings.Contains(l, "抢先看") {
			t.Fatalf("the briefing in the list: %q", l)
		}
		shoot(t, ctx, shot("list"))
		run("reads it", chromedp.Click(`[data-test="briefing"]`), chromedp.WaitVisible(`[data-test="briefing-page"]`))
		if e := text(`[data-test="embargo"]`); !strings.Contains(e, "保密至") {
			t.Fatalf("the embargo line: %q", e)
		}
		if f := text(`[data-test="briefing-file"]`); !strings.Contains(f, "OTA4.0-亮点.txt") {
			t.Fatalf("the file: %q", f)
		}
		shoot(t, ctx, shot("page"))

		run("operator sees the read", desk, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.SendKeys("#email", "owner@web.kox"),
			chromedp.SendKeys("#password", password), chromedp.Submit("#password"), chromedp.WaitVisible(`[data-test="programs"]`),
			chromedp.Navigate(s.srv.URL+"/p/qicheng/briefings/"+b.PublicID+"?read=yes"), chromedp.WaitVisible(`[data-test="export-readers"]`))
		if body := text("body"); !strings.Contains(body, w.me.Name) {
			t.Fatalf("the receipts: %s", body)
		}
		shoot(t, ctx, shot("receipts"))
		run("and the campaign", chromedp.Navigate(s.srv.URL+"/p/qicheng/campaigns/"+c.PublicID), chromedp.WaitVisible(`[data-test="unschedule-campaign"]`))
		if body := text("body"); !strings.Contains(body, "OTA 4.0 更新说明") || !strings.Contains(body, "已排期") {
			t.Fatalf("the campaign page: %s", body)
		}
		shoot(t, ctx, shot("campaign"))
	})
}
