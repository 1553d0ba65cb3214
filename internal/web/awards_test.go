package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

var chooseLink = regexp.MustCompile(`href="(/p/qicheng/awards/awd_[A-Za-z0-9]+\?member=[^"]+)"`)

// An operator opens this month's best content, sees the member's approved
// work ranked, chooses it with a prize in words and a citation; the public
// honour wall (no sign-in, either language) shows the name, work and
// citation but not the prize; the member finds it among their honours.
func TestAwardsConsoleWallAndPortal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		sub := w.approved(t, w.me, "千里自驾记", 12_000)
		month := time.Now().In(w.sc.Program.Location()).Format("2006-01")
		op := w.s.teammate("qicheng", program.RoleOperator)
		bad := op.do("POST", "/p/qicheng/awards", url.Values{"kind": {"monthly_best"}, "period": {"2026-Q1"}})
		checkPage(t, bad)
		if bad.status != 422 || !strings.Contains(bad.body, `data-test="field-error"`) || !strings.Contains(bad.body, "2026-03") {
			t.Fatalf("a bad period: %d %s", bad.status, bad.body)
		}
		made := op.do("POST", "/p/qicheng/awards", url.Values{"kind": {"monthly_best"}, "period": {month}})
		if made.status != 303 {
			t.Fatalf("open award: %d %s", made.status, made.body)
		}
		page := op.do("GET", strings.Split(made.header.Get("Location"), "?")[0], nil)
		checkPage(t, page)
		if !strings.Contains(page.body, "千里自驾记") || !strings.Contains(page.body, "12,000") {
			t.Fatalf("candidates: %s", page.body)
		}
		m := chooseLink.FindStringSubmatch(page.body)
		if m == nil {
			t.Fatal("no choose link")
		}
		form := op.do("GET", strings.ReplaceAll(m[1], "&amp;", "&"), nil)
		if !strings.Contains(form.body, `value="`+w.me.PublicID+`"`) || !strings.Contains(form.body, `value="`+sub.PublicID+`"`) {
			t.Fatalf("the form is not filled in: %s", form.body)
		}
		action := strings.Split(made.header.Get("Location"), "?")[0] + "/winners"
		if r := op.do("POST", action, url.Values{"member": {w.me.PublicID}, "prize_kind": {"other"}}); r.status != 422 || !strings.Contains(r.body, `data-test="field-error"`) {
			t.Fatalf("no submission, no prize text: %d", r.status)
		}
		won := op.do("POST", action, url.Values{"member": {w.me.PublicID}, "submission": {sub.PublicID}, "prize_kind": {"other"},
			"prize_text": {"与产品设计师共进午餐"}, "citation": {"一千公里的真实记录"}})
		if won.status != 303 || !strings.Contains(won.header.Get("Location"), "done=winner") {
			t.Fatalf("win: %d %s", won.status, won.body)
		}
		after := op.do("GET", strings.Split(made.header.Get("Location"), "?")[0], nil)
		if !strings.Contains(after.body, "与产品设计师共进午餐") || !strings.Contains(after.body, "已获奖") {
			t.Fatalf("winners: %s", after.body)
		}

		anyone := w.s.another()
		wall := anyone.do("GET", "/w/qicheng", nil)
		checkPage(t, wall)
		if wall.status != http.StatusOK || !strings.Contains(wall.body, w.me.Name) || !strings.Contains(wall.body, "一千公里的真实记录") ||
			!strings.Contains(wall.body, "千里自驾记") || strings.Contains(wall.body, "午餐") || strings.Contains(wall.body, w.me.PublicID) {
			t.Fatalf("the honour wall: %d %s", wall.status, wall.body)
		}
		if en := anyone.do("GET", "/w/qicheng", nil, "Accept-Language", "en"); !strings.Contains(en.body, "Best content of "+month) {
			t.Fatalf("the wall in English: %s", en.body)
		}
		if nf := anyone.do("GET", "/w/nope", nil); nf.status != 404 {
			t.Fatalf("a wall of no program: %d", nf.status)
		}
		w.signIn(t, w.me)
		mine := w.s.do("GET", "/m/badges", nil)
		checkPage(t, mine)
		if !strings.Contains(mine.body, "一千公里的真实记录") || !strings.Contains(mine.body, `href="/w/qicheng"`) {
			t.Fatalf("my honours: %s", mine.body)
		}
	})
}
