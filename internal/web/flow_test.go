package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
)

// flowWords are what the flow reads on the pages, per language.
var flowWords = map[string]struct{ published, genuine, feedback, title string }{
	"zh-CN": {"已发布", "真实有效的会员", "请补充续航和座舱的体验", "春季试驾分享"},
	"en":    {"Published", "Genuine and current member", "Please add range and cabin details", "Spring test drive story"},
}

// The whole loop in a real browser, in each language: an operator writes
// and publishes a task with a brief and issues a sign-in link; a member on
// a 375-px phone signs in with it, takes the task and hands in two links;
// the reviewer asks for changes from the keyboard; the member sees the
// feedback and hands in again; the reviewer approves; the member sees the
// points, downloads the identity card, and its QR code's page verifies it.
func TestBrowserFlow(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, d *db.DB) { browserFlow(t, d, lang) })
		})
	}
}

func browserFlow(t *testing.T, d *db.DB, lang string) {
	w := flowWords[lang]
	ctx := browser(t)
	s := newSite(t, d)
	sys := program.WithActor(context.Background(), program.System("test"))
	sc, _ := s.a.Programs.Scope(sys, "qicheng")
	mem, err := s.a.Members.Create(sys, sc, member.NewMember{Fields: member.Fields{Name: "林小满", Role: member.KOC, Status: member.Active, City: "杭州"}})
	if err != nil {
		t.Fatal(err)
	}
	shotName := func(page string) string { return "flow-" + lang + "-" + page + "-" + string(d.Engine) }
	run, text := driver(t, ctx)
	phone := chromedp.EmulateViewport(375, 800)

	// The operator signs in and picks the language.
	run("operator signs in", desk, chromedp.Navigate(s.srv.URL+"/lang?to="+lang+"&back=/signin"),
		chromedp.SendKeys("#email", "owner@web.kox"), chromedp.SendKeys("#password", password), chromedp.Submit("#password"),
		chromedp.WaitVisible(`[data-test="programs"]`))
	run("new task", chromedp.Navigate(s.srv.URL+"/p/qicheng/tasks/new"), chromedp.WaitVisible(`[data-test="task-form"]`),
		chromedp.SetValue(`#f-title`, w.title), chromedp.SetValue(`#f-capacity`, "20"), chromedp.SetValue(`#f-reward\.points`, "150"),
		chromedp.SetValue(`#f-brief\.description`, "分享试驾感受 / share your drive"), chromedp.SetValue(`#f-brief\.key_messages`, "续航扎实\n座舱安静"),
		chromedp.SetValue(`#f-brief\.hashtags`, "#启程春季试驾"), chromedp.Click(`input[name="brief.platforms"][value="xiaohongshu"]`))
	shoot(t, ctx, shotName("task-form"))
	run("save and publish", chromedp.Click(`[data-test="save-task"]`), chromedp.WaitVisible(`[data-test="publish"]`),
		chromedp.Click(`[data-test="publish"]`), chromedp.WaitVisible(`[data-test="flash"]`))
	if got := text(`[data-test="task-status"]`); got != w.published {
		t.Fatalf("task status %q, want %q", got, w.published)
	}
	shoot(t, ctx, shotName("task"))
	run("dashboard", chromedp.Navigate(s.srv.URL+"/p/qicheng"), chromedp.WaitVisible(`[data-chart] svg`))
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-chart] svg").length`))
	if err != nil || drawn != 3 {
		t.Fatalf("charts drawn: %d, %v", drawn, err)
	}
	shoot(t, ctx, shotName("dashboard"))
	for _, pg := range []struct{ name, path, wait string }{{"ladders", "/p/qicheng/ladders", "h1"}, {"matrix", "/p/qicheng/matrix", "h1"},
		{"team", "/p/qicheng/team", `[data-test="team"]`}, {"api-keys", "/p/qicheng/api-keys", `[data-test="new-key"]`},
		{"audit", "/p/qicheng/audit", `[data-test="table"]`}, {"import", "/p/qicheng/members/import", `[data-test="upload"]`},
		{"program-file", "/p/qicheng/program-file", `[data-test="program-file"]`}} {
		run(pg.name, chromedp.Navigate(s.srv.URL+pg.path), chromedp.WaitVisible(pg.wait))
		shoot(t, ctx, shotName(pg.name))
	}
	run("tasks list", chromedp.Navigate(s.srv.URL+"/p/qicheng/tasks"), chromedp.WaitVisible(`[data-test="table"]`))
	shoot(t, ctx, shotName("tasks"))
	run("members", chromedp.Navigate(s.srv.URL+"/p/qicheng/members"), chromedp.WaitVisible(`[data-test="table"]`))
	shoot(t, ctx, shotName("members"))
	run("issue a sign-in link", chromedp.Navigate(s.srv.URL+"/p/qicheng/members/"+mem.PublicID), chromedp.Click(`[data-test="issue-code"]`),
		chromedp.WaitVisible(`[data-test="signin-link"]`))
	shoot(t, ctx, shotName("member"))
	link := text(`[data-test="signin-link"]`)
	if !strings.HasPrefix(link, s.srv.URL+"/m/signin?code=") {
		t.Fatalf("sign-in link %q", link)
	}

	// The member, on a phone, signs in from the link and takes the task.
	run("member opens the link", phone, chromedp.Navigate(link), chromedp.WaitVisible(`[data-test="signin"]`))
	shoot(t, ctx, shotName("portal-signin"))
	run("member signs in", chromedp.Click(`[data-test="signin"]`), chromedp.WaitVisible(`[data-test="member-name"]`))
	shoot(t, ctx, shotName("portal-home"))
	run("tasks", chromedp.Click(`[data-test="tab-tasks"]`), chromedp.WaitVisible(`[data-test="offer"]`))
	shoot(t, ctx, shotName("portal-tasks"))
	run("open and take", chromedp.Click(`[data-test="offer"]`), chromedp.WaitVisible(`[data-test="take"]`),
		chromedp.Click(`[data-test="take"]`), chromedp.WaitVisible(`[data-test="submit-form"]`))
	claimURL, _ := chromedp.Run(ctx, chromedp.Location())
	run("hand in two links", chromedp.SetValue(`#pu0`, "https://www.xiaohongshu.com/explore/65f1a2b3c4d5e6f7a8b9c0d1"),
		chromedp.SetValue(`#pp1`, "douyin"), chromedp.SetValue(`#pu1`, "https://www.douyin.com/video/7300000000000000001"),
		chromedp.SetValue(`#text`, "#启程春季试驾 续航扎实"))
	shoot(t, ctx, shotName("portal-claim"))
	run("submit", chromedp.Click(`[data-test="submit"]`), chromedp.WaitVisible(`[data-test="flash"]`))

	// The reviewer asks for changes with the keyboard.
	run("review queue", desk, chromedp.Navigate(s.srv.URL+"/p/qicheng/review"), chromedp.WaitVisible(`[data-test="decision"]`))
	shoot(t, ctx, shotName("review"))
	if posts := text(`[data-test="posts"]`); !strings.Contains(posts, "douyin.com") || !strings.Contains(posts, "xiaohongshu.com") {
		t.Fatalf("the queue shows the posts: %q", posts)
	}
	run("c, feedback, ctrl+enter", chromedp.KeyEvent("c"), chromedp.SendKeys(`#feedback`, w.feedback),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.WaitVisible(`[data-test="flash"]`))

	// The member sees the feedback and hands in again.
	run("member sees feedback", phone, chromedp.Navigate(claimURL), chromedp.WaitVisible(`[data-test="feedback"]`))
	if fb := text(`[data-test="feedback"]`); !strings.Contains(fb, w.feedback) {
		t.Fatalf("feedback shown: %q", fb)
	}
	shoot(t, ctx, shotName("portal-feedback"))
	run("resubmit", chromedp.SetValue(`#pu0`, "https://www.xiaohongshu.com/explore/65f1a2b3c4d5e6f7a8b9c0d2"),
		chromedp.SetValue(`#text`, "续航 520 公里，座舱很安静"), chromedp.Click(`[data-test="submit"]`), chromedp.WaitVisible(`[data-test="flash"]`))

	// The reviewer approves with a 5, from the keyboard.
	run("approve", desk, chromedp.Navigate(s.srv.URL+"/p/qicheng/review"), chromedp.WaitVisible(`[data-test="decision"]`),
		chromedp.KeyEvent("5"), chromedp.KeyEvent("a"), chromedp.WaitVisible(`[data-test="flash"]`))
	shoot(t, ctx, shotName("review-empty"))

	// The member sees the points and the card; the card verifies.
	run("home with points", phone, chromedp.Navigate(s.srv.URL+"/m"), chromedp.WaitVisible(`[data-test="points"]`))
	if pts := text(`[data-test="points"]`); pts != "150" {
		t.Fatalf("points on home: %q", pts)
	}
	shoot(t, ctx, shotName("portal-home-after"))
	run("points", chromedp.Click(`[data-test="tab-points"]`), chromedp.WaitVisible(`[data-test="balance"]`))
	shoot(t, ctx, shotName("portal-points"))
	run("card", chromedp.Click(`[data-test="tab-card"]`), chromedp.WaitVisible(`[data-test="card-image"]`))
	shoot(t, ctx, shotName("portal-card"))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('[data-test="card-download"]').href)
		.then(r => r.blob().then(b => r.status + " " + r.headers.get("content-type") + " " + (b.size > 20000)))`, chromedp.EvalAwaitPromise))
	if err != nil || got != "200 image/png true" {
		t.Fatalf("download the card: %q %v", got, err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-test="card-image"]').naturalWidth > 1000`))
	if err != nil || !loaded {
		t.Fatalf("the card picture did not load: %v", err)
	}
	run("verification page", chromedp.Click(`[data-test="card-verify"]`), chromedp.WaitVisible(`[data-test="verify-state"]`))
	if state := text(`[data-test="verify-state"]`); !strings.Contains(state, w.genuine) {
		t.Fatalf("verification says %q", state)
	}
	shoot(t, ctx, shotName("verify"))
}
