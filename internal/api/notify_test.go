package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/notify"
)

// Over HTTP: a review's notification reaches the member's inbox in their
// language, with an unread count that marking read clears; a channel's
// secret is never answered; the delivery log shows a webhook's delivery
// and a replay sends the same event id again; a member turns email off.
func TestNotificationsOverHTTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		base := "/api/v1/programs/" + slug
		var mu sync.Mutex
		var got []string
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			if notify.Verify("a-secret-of-twenty-chars", r.Header, body, time.Now(), time.Minute) {
				got = append(got, r.Header.Get(notify.HeaderID))
			}
		}))
		defer hook.Close()

		if r := e.call("POST", base+"/channels", e.owner, map[string]any{"kind": "webhook", "name": "商城", "url": "ftp://x", "secret": "short"}); r.status != 422 ||
			!strings.Contains(r.raw, `"body.url"`) || !strings.Contains(r.raw, `"notify.secret"`) {
			t.Fatalf("a bad channel: %d %s", r.status, r.raw)
		}
		r := e.call("POST", base+"/channels", e.owner, map[string]any{"kind": "webhook", "name": "商城", "url": hook.URL + "/in?token=abc", "secret": "a-secret-of-twenty-chars"})
		if r.status != 201 {
			t.Fatalf("add channel: %d %s", r.status, r.raw)
		}
		if l := e.call("GET", base+"/channels", e.owner, nil); l.status != 200 || strings.Contains(l.raw, "twenty") || strings.Contains(l.raw, "token=abc") || len(l.items()) != 1 {
			t.Fatalf("channels answer a secret: %s", l.raw)
		}

		member := e.activeMember(slug)
		tk := e.task(slug, map[string]any{"mode": "open"})
		c := e.call("POST", base+"/tasks/"+tk["id"].(string)+"/claims", e.owner, map[string]any{"member_id": member})
		s := e.call("POST", base+"/claims/"+c.str("id")+"/submissions", e.owner, map[string]any{"text": "作品"})
		if rv := e.call("POST", base+"/submissions/"+s.str("id")+"/review", e.owner, map[string]any{"decision": "changes_requested", "feedback": "请补充图片"}); rv.status != 200 {
			t.Fatalf("review: %d %s", rv.status, rv.raw)
		}
		tok := e.memberToken(slug, member)
		if in := e.call("GET", base+"/notifications", tok, nil); in.body["unread"] != 0.0 {
			t.Fatalf("shown before the job dispatched it: %s", in.raw)
		}
		ctx := context.Background()
		if _, err := e.a.Notify.Dispatch(ctx); err != nil {
			t.Fatal(err)
		}
		in := e.call("GET", base+"/notifications", tok, nil, header{"Accept-Language", "en"})
		items := in.items()
		if in.status != 200 || in.body["unread"] != 1.0 || len(items) != 1 || items[0]["kind"] != "changes_requested" ||
			!strings.Contains(items[0]["text"].(string), "请补充图片") || !strings.HasPrefix(items[0]["text"].(string), "The reviewer") {
			t.Fatalf("inbox: %d %s", in.status, in.raw)
		}
		if zh := e.call("GET", base+"/notifications?lang=zh-CN", tok, nil); !strings.Contains(zh.items()[0]["text"].(string), "修改") {
			t.Fatalf("in Chinese: %s", zh.raw)
		}
		if mk := e.call("POST", base+"/notifications/read", tok, nil); mk.body["marked"] != 1.0 {
			t.Fatalf("mark read: %s", mk.raw)
		}
		if again := e.call("GET", base+"/notifications", tok, nil); again.body["unread"] != 0.0 || again.items()[0]["read"] != true {
			t.Fatalf("after marking read: %s", again.raw)
		}
		// The operator's inbox is their own: the member's notification is not in it.
		if op := e.call("GET", base+"/notifications", e.owner, nil); op.status != 200 || len(op.items()) != 0 {
			t.Fatalf("the owner's inbox: %s", op.raw)
		}

		if _, err := e.a.Notify.Send(ctx); err != nil {
			t.Fatal(err)
		}
		log := e.call("GET", base+"/deliveries?status=sent", e.owner, nil)
		if log.status != 200 || len(log.items()) != 1 || log.items()[0]["attempts"] != 1.0 {
			t.Fatalf("delivery log: %s", log.raw)
		}
		rp := e.call("POST", base+"/deliveries/"+log.items()[0]["id"].(string)+"/replay", e.owner, nil)
		if rp.status != 201 || rp.str("status") != "pending" {
			t.Fatalf("replay: %d %s", rp.status, rp.raw)
		}
		if nf := e.call("POST", base+"/deliveries/dlv_nope/replay", e.owner, nil); nf.status != 404 || nf.str("code") != "notify.delivery_not_found" {
			t.Fatalf("replay of nothing: %d %s", nf.status, nf.raw)
		}
		if _, err := e.a.Notify.Send(ctx); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != got[1] || got[0] != log.items()[0]["event"] {
			t.Fatalf("the receiver got %v", got)
		}

		prefs := base + "/members/" + member + "/notification-preferences"
		if p := e.call("GET", prefs, tok, nil); p.body["email"] != true {
			t.Fatalf("email is on by default: %s", p.raw)
		}
		if p := e.call("PUT", prefs, tok, map[string]any{"email": false}); p.status != 200 {
			t.Fatalf("turn email off: %d %s", p.status, p.raw)
		}
		if p := e.call("GET", prefs, e.owner, nil); p.body["email"] != false {
			t.Fatalf("the operator sees: %s", p.raw)
		}
	})
}
