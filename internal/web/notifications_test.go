package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/notify"
	"kox/internal/program"
)

var deliveryRef = regexp.MustCompile(`/deliveries/(dlv_[A-Za-z0-9]+)/replay`)

// A member's approved work reaches the portal's bell with an unread count;
// they read it, mark it read and turn email off. An operator adds a
// webhook channel (a short secret is refused on its field), sees the
// evaluation's candidates in their own bell, reads the delivery log, sends
// a delivery again and turns the channel off.
func TestNotificationsConsoleAndPortal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		w.approved(t, w.me, "分享 OTA 体验", 0)
		op := w.s.teammate("qicheng", program.RoleAdmin)
		bad := op.do("POST", "/p/qicheng/channels", url.Values{"kind": {"webhook"}, "name": {"商城"}, "url": {"not a url"}, "secret": {"short"}})
		checkPage(t, bad)
		if bad.status != 422 || strings.Count(bad.body, `data-test="field-error"`) != 2 || !strings.Contains(bad.body, "16 到 200 个字符") ||
			!strings.Contains(bad.body, `value="商城"`) {
			t.Fatalf("a bad channel: %d %s", bad.status, bad.body)
		}
		good := op.do("POST", "/p/qicheng/channels", url.Values{"kind": {"webhook"}, "name": {"商城"}, "url": {"http://127.0.0.1:9/hooks?key=k1"},
			"secret": {"a-secret-of-twenty-chars"}, "events": {"task_approved", "candidates_found"}})
		if good.status != 303 {
			t.Fatalf("add channel: %d %s", good.status, good.body)
		}
		if err := w.s.a.DB.InTx(w.ctx, func(tx *db.Tx) error {
			return notify.EmitTx(w.ctx, tx, notify.Event{ProgramID: w.sc.Program.ID, Kind: notify.CandidatesFound,
				Params: map[string]any{"count": 3, "tier_zh": "体验官", "tier_en": "Experience"}})
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := w.s.a.Notify.Dispatch(w.ctx); err != nil || n != 2 {
			t.Fatalf("dispatch: %d %v", n, err)
		}

		w.signIn(t, w.me)
		home := w.s.do("GET", "/m", nil)
		checkPage(t, home)
		if !strings.Contains(home.body, `data-test="unread">1<`) {
			t.Fatalf("the portal's bell: %s", home.body)
		}
		list := w.s.do("GET", "/m/notifications", nil)
		checkPage(t, list)
		if !strings.Contains(list.body, "「分享 OTA 体验」提交的作品已通过") || !strings.Contains(list.body, `data-unread="true"`) || strings.Contains(list.body, "体验官") {
			t.Fatalf("my notifications: %s", list.body)
		}
		if r := w.s.do("POST", "/m/notifications/read", url.Values{}); r.status != 303 {
			t.Fatalf("mark read: %d", r.status)
		}
		if again := w.s.do("GET", "/m/notifications", nil); strings.Contains(again.body, `data-unread="true"`) || strings.Contains(again.body, `data-test="unread"`) {
			t.Fatal("still unread after marking read")
		}
		if r := w.s.do("POST", "/m/notifications/preferences", url.Values{}); r.status != 303 {
			t.Fatalf("preferences: %d", r.status)
		}
		if on, err := w.s.a.Notify.EmailPreference(w.ctx, w.sc, w.me.PublicID); err != nil || on {
			t.Fatalf("email is still on: %v %v", on, err)
		}

		page := op.do("GET", "/p/qicheng/channels", nil)
		checkPage(t, page)
		if page.status != 200 || !strings.Contains(page.body, "http://127.0.0.1:9/hooks") || strings.Contains(page.body, "key=k1") ||
			strings.Contains(page.body, "a-secret-of-twenty-chars") || !strings.Contains(page.body, `data-test="inbox"`) ||
			!strings.Contains(page.body, `data-test="unread">1<`) {
			t.Fatalf("channels page: %d %s", page.status, page.body)
		}
		refs := deliveryRef.FindAllStringSubmatch(page.body, -1)
		if len(refs) != 2 {
			t.Fatalf("%d deliveries in the log, want the approval's and the candidates'", len(refs))
		}
		if r := op.do("POST", "/p/qicheng/deliveries/"+refs[0][1]+"/replay", url.Values{}); r.status != 303 || !strings.Contains(r.header.Get("Location"), "done=replayed") {
			t.Fatalf("replay: %d %s", r.status, r.header.Get("Location"))
		}
		if after := op.do("GET", "/p/qicheng/channels", nil); len(deliveryRef.FindAllString(after.body, -1)) != 3 {
			t.Fatal("the replay is not in the log")
		}
		eps, _ := w.s.a.Notify.Endpoints(w.ctx, w.sc)
		if r := op.do("POST", "/p/qicheng/channels/"+eps[0].PublicID+"/active", url.Values{"active": {"0"}}); r.status != 303 {
			t.Fatalf("turn off: %d", r.status)
		}
		if eps, _ := w.s.a.Notify.Endpoints(w.ctx, w.sc); eps[0].Active {
			t.Fatal("the channel is still on")
		}
		inbox := op.do("GET", "/p/qicheng/notifications", nil)
		checkPage(t, inbox)
		if !strings.Contains(inbox.body, "「体验官」有 3 位新的晋升候选人") || !strings.Contains(inbox.body, `data-test="mark-read"`) {
			t.Fatalf("the operator's notifications: %s", inbox.body)
		}
		if r := op.do("POST", "/p/qicheng/notifications/read", url.Values{}); r.status != 303 {
			t.Fatalf("mark read: %d", r.status)
		}
		if p := op.do("GET", "/p/qicheng", nil); strings.Contains(p.body, `data-test="unread"`) {
			t.Fatal("the operator's bell still counts")
		}
	})
}
