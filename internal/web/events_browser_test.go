package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/event"
	"kox/internal/program"
)

// In a real browser: a member on a phone answers for a track day and shows
// the QR ticket; an operator at a desk checks them in by typing its code,
// and a second try says when the ticket was used.
func TestBrowserEventCheckIn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := browser(t)
		w := newPortalWorld(t, d)
		s := w.s
		e, err := s.a.Events.Create(w.ctx, w.sc, event.EventInput{Kind: event.TrackDay, Title: "天马赛道日", City: "上海", Venue: "天马赛车场",
			StartsAt: time.Now().Add(72 * time.Hour), Capacity: 20, Allocation: event.FirstCome})
		if err == nil {
			e, err = s.a.Events.Publish(w.ctx, w.sc, e.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Programs.AddToTeam(w.ctx, w.sc, program.NewOperator{Email: "ops@web.kox", Name: "运营 周", Password: password}, program.RoleOperator); err != nil {
			t.Fatal(err)
		}
		shot := func(name string) string { return "event-" + name + "-" + string(d.Engine) }
		run, text := driver(t, ctx)
		code, _, err := s.a.Members.IssueLoginCode(w.ctx, w.sc, w.me.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		run("member finds the event", phone, chromedp.Navigate(s.srv.URL+"/m/signin?code="+url.QueryEscape(code)), chromedp.Click(`[data-test="signin"]`),
			chromedp.WaitVisible(`[data-test="events-link"]`), chromedp.Click(`[data-test="events-link"]`), chromedp.WaitVisible(`[data-test="event"]`))
		shoot(t, ctx, shot("list"))
		run("answers", chromedp.Click(`[data-test="event"]`), chromedp.WaitVisible(`[data-test="rsvp"]`), chromedp.Click(`[data-test="rsvp"]`),
			chromedp.WaitVisible(`[data-test="ticket-qr"]`))
		ticket := strings.TrimSpace(text(`[data-test="ticket-code"]`))
		// The QR image may still be loading on a busy machine: wait for it.
		loaded, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const i = document.querySelector('[data-test="ticket-qr"]'); return i.complete && i.naturalWidth > 0 })()`))
		if err != nil || !loaded || len(ticket) != 11 {
			t.Fatalf("the ticket: %q, QR drawn %v (%v)", ticket, loaded, err)
		}
		shoot(t, ctx, shot("ticket"))

		run("operator at the door", desk, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.SendKeys("#email", "ops@web.kox"),
			chromedp.SendKeys("#password", password), chromedp.Submit("#password"), chromedp.WaitVisible(`[data-test="programs"]`),
			chromedp.Navigate(s.srv.URL+"/p/qicheng/events/"+e.PublicID), chromedp.WaitVisible(`[data-test="check-in-form"]`),
			chromedp.SendKeys(`[data-test="check-in-form"] [name="ticket"]`, strings.ToLower(strings.ReplaceAll(ticket, "-", ""))),
			chromedp.Submit(`[data-test="check-in-form"] [name="ticket"]`), chromedp.WaitVisible(`[data-test="flash"]`))
		if f := text(`[data-test="flash"]`); !strings.Contains(f, "签到成功") {
			t.Fatalf("after check-in: %q", f)
		}
		shoot(t, ctx, shot("checked-in"))
		run("the same ticket again", chromedp.SendKeys(`[data-test="check-in-form"] [name="ticket"]`, ticket),
			chromedp.Submit(`[data-test="check-in-form"] [name="ticket"]`), chromedp.WaitVisible(`[data-test="form-error"], [data-test="error"]`))
		if body := text("body"); !strings.Contains(body, "已于") {
			t.Fatalf("a second scan: %s", body)
		}
		run("member sees it used", phone, chromedp.Navigate(s.srv.URL+"/m/events/"+e.PublicID), chromedp.WaitVisible(`[data-test="checked-in"]`))
		shoot(t, ctx, shot("member-checked-in"))
	})
}
