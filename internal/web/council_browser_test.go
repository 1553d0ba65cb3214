package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// In a real browser: a member on a phone raises a feedback item from the
// portal's home; an operator at a desk finds it in the feedback queue and
// adopts it with a note; back on the phone the member sees it adopted,
// with the note.
func TestBrowserMemberSeesAdoptedFeedback(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := browser(t)
		w := newPortalWorld(t, d)
		s := w.s
		shot := func(name string) string { return "feedback-" + name + "-" + string(d.Engine) }
		run, text := driver(t, ctx)
		code, _, err := s.a.Members.IssueLoginCode(w.ctx, w.sc, w.me.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		run("member raises an item", phone, chromedp.Navigate(s.srv.URL+"/m/signin?code="+url.QueryEscape(code)), chromedp.Click(`[data-test="signin"]`),
			chromedp.WaitVisible(`[data-test="feedback-link"]`), chromedp.Click(`[data-test="feedback-link"]`), chromedp.WaitVisible(`[data-test="raise-form"]`),
			chromedp.SendKeys(`#f-title`, "希望增加儿童座椅提醒"), chromedp.SendKeys(`#f-body`, "接送孩子时常忘记后排"),
			chromedp.Click(`[data-test="raise-form-submit"]`), chromedp.WaitVisible(`[data-test="status"]`))
		if st := text(`[data-test="status"]`); st != "新提出" {
			t.Fatalf("a new item: %q", st)
		}
		shoot(t, ctx, shot("raised"))

		run("operator adopts it", desk, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.SendKeys("#email", "owner@web.kox"),
			chromedp.SendKeys("#password", password), chromedp.Submit("#password"), chromedp.WaitVisible(`[data-test="programs"]`),
			chromedp.Navigate(s.srv.URL+"/p/qicheng/feedback"), chromedp.WaitVisible(`[data-test="nav-feedback"]`))
		if body := text("body"); !strings.Contains(body, "希望增加儿童座椅提醒") || !strings.Contains(body, w.me.Name) {
			t.Fatalf("the queue: %s", body)
		}
		shoot(t, ctx, shot("queue"))
		run("opens the item", chromedp.Click(`//a[contains(., "希望增加儿童座椅提醒")]`), chromedp.WaitVisible(`[data-test="answer-form"]`),
			chromedp.SetValue(`#f-status`, "adopted"), chromedp.SendKeys(`#f-note`, "将在 OTA 3.2 上线：后排有人时熄火提醒"),
			chromedp.Click(`[data-test="answer-form-submit"]`), chromedp.WaitVisible(`[data-test="flash"]`))
		if st := text(`[data-test="record-status"]`); st != "已采纳" {
			t.Fatalf("the item's status in the console: %q", st)
		}
		shoot(t, ctx, shot("answered"))

		run("member sees it adopted", phone, chromedp.Navigate(s.srv.URL+"/m/feedback"), chromedp.WaitVisible(`[data-test="feedback-items"]`))
		items := text(`[data-test="feedback-items"]`)
		if !strings.Contains(items, "已采纳") || !strings.Contains(items, "将在 OTA 3.2 上线") {
			t.Fatalf("my items: %q", items)
		}
		shoot(t, ctx, shot("adopted"))
	})
}
