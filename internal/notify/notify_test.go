package notify_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/notify"
	"kox/internal/task"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

var start = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// approve hands in and approves a task of the member's: the change that
// emits task_approved in its transaction.
func approve(t *testing.T, w *apptest.World) {
	t.Helper()
	m := w.Member()
	w.Approve(m, task.Input{Title: "分享 OTA", Reward: task.Reward{Points: 10}}, 5, 0)
	inbox, _, err := w.A.Notify.Inbox(w.Ctx, w.As(m), "zh-CN", 0, 10)
	if err != nil || len(inbox.Items) != 0 {
		t.Fatalf("an event shown before it is dispatched: %+v %v", inbox, err)
	}
}

// A receiver that fails twice and then answers 200 gets the event three
// times, with the same id and a valid signature each time; a wrong secret
// fails verification; the delivery log has the three attempts.
func TestWebhookRetriesWithTheSameIDAndSignature(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		const secret = "s3cret-for-the-shop-0123"
		var mu sync.Mutex
		var ids []string
		var verified, wrong int
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			ids = append(ids, r.Header.Get(notify.HeaderID))
			if notify.Verify(secret, r.Header, body, time.Now(), 5*time.Minute) {
				verified++
			}
			if notify.Verify("another-secret-entirely", r.Header, body, time.Now(), 5*time.Minute) {
				wrong++
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil || m["type"] != notify.TaskApproved || m["id"] != r.Header.Get(notify.HeaderID) {
				t.Errorf("body %s", body)
			}
			if len(ids) <= 2 {
				rw.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			rw.WriteHeader(http.StatusOK)
		}))
		defer srv.Close()
		if _, err := w.A.Notify.AddEndpoint(w.Ctx, w.SC, notify.EndpointInput{Kind: notify.Webhook, Name: "商城", URL: srv.URL, Secret: "short"}); err == nil {
			t.Fatal("a short secret was kept")
		}
		ep, err := w.A.Notify.AddEndpoint(w.Ctx, w.SC, notify.EndpointInput{Kind: notify.Webhook, Name: "商城", URL: srv.URL + "/hooks", Secret: secret})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(ep.Shown, secret) {
			t.Fatal("the secret is shown")
		}
		approve(t, w)
		if n, err := w.A.Notify.Dispatch(w.Ctx); err != nil || n != 1 {
			t.Fatalf("dispatch: %d %v", n, err)
		}
		if n, _ := w.A.Notify.Dispatch(w.Ctx); n != 0 {
			t.Fatalf("dispatched twice: %d", n)
		}
		for i, wait := range []time.Duration{0, 30 * time.Second, 60 * time.Second} {
			w.Advance(wait)
			if n, err := w.A.Notify.Send(w.Ctx); err != nil || (i == 2) != (n == 1) {
				t.Fatalf("send %d: %d %v", i, n, err)
			}
			if n, _ := w.A.Notify.Send(w.Ctx); n != 0 {
				t.Fatalf("sent again before the back-off: %d", n)
			}
		}
		if len(ids) != 3 || ids[0] != ids[1] || ids[1] != ids[2] || verified != 3 || wrong != 0 {
			t.Fatalf("ids %v, verified %d, wrong secret verified %d", ids, verified, wrong)
		}
		ds, _, err := w.A.Notify.Deliveries(w.Ctx, w.SC, "", 0, 10)
		if err != nil || len(ds) != 1 || ds[0].Status != "sent" || ds[0].Attempts != 3 || ds[0].Event != ids[0] {
			t.Fatalf("the log: %+v %v", ds, err)
		}
		// Replay: the same event once more, on the same channel.
		if _, err := w.A.Notify.Replay(w.Ctx, w.SC, ds[0].PublicID); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.A.Notify.Send(w.Ctx); n != 1 || len(ids) != 4 || ids[3] != ids[0] {
			t.Fatalf("replay: %d %v", n, ids)
		}
	})
}

// A fake WeCom bot on 127.0.0.1 gets a markdown message within 4,096
// bytes; its 45009 answer is tried again later; at most 20 a minute go.
func TestWeComBot(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		var mu sync.Mutex
		var got []map[string]any
		throttle := true
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			var m map[string]any
			_ = json.NewDecoder(r.Body).Decode(&m)
			mu.Lock()
			defer mu.Unlock()
			if r.URL.Query().Get("key") != "bot-key" {
				t.Errorf("the bot's key is lost: %s", r.URL)
			}
			if throttle {
				throttle = false
				_, _ = rw.Write([]byte(`{"errcode":45009,"errmsg":"api freq out of limit"}`))
				return
			}
			got = append(got, m)
			_, _ = rw.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		}))
		defer srv.Close()
		if _, err := w.A.Notify.AddEndpoint(w.Ctx, w.SC, notify.EndpointInput{Kind: notify.WeCom, Name: "运营群", URL: srv.URL + "/cgi-bin/webhook/send?key=bot-key"}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 22; i++ {
			approve(t, w)
		}
		if _, err := w.A.Notify.Dispatch(w.Ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.A.Notify.Send(w.Ctx); n != 20 || len(got) != 20 {
			t.Fatalf("first minute: %d sent, %d received (one 45009, then at most 20)", n, len(got))
		}
		md := got[0]["markdown"].(map[string]any)["content"].(string)
		if got[0]["msgtype"] != "markdown" || !strings.Contains(md, "分享 OTA") || !strings.Contains(md, "evt_") {
			t.Fatalf("message %v", got[0])
		}
		w.Advance(61 * time.Second)
		if n, _ := w.A.Notify.Send(w.Ctx); n != 2 || len(got) != 22 {
			t.Fatalf("the next minute: %d, %d", n, len(got))
		}
		if long := notify.Markdown(strings.Repeat("很长的内容", 2000), "evt_x"); len(long) > 4096 || !strings.HasSuffix(long, "evt_x</font>") {
			t.Fatalf("a long message is %d bytes", len(long))
		}
	})
}

// Members see their own notifications with an unread count; operators see
// the program's; reading clears the count.
func TestInAppNotifications(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		m := w.Member()
		tk, _ := w.A.Tasks.Create(w.Ctx, w.SC, task.Input{Title: "春季试驾", Kind: task.Content, Mode: task.Open, Capacity: 5})
		tk, _ = w.A.Tasks.Publish(w.Ctx, w.SC, tk.PublicID)
		c, err := w.A.Tasks.Take(w.Ctx, w.SC, tk.PublicID, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		sub, _ := w.A.Tasks.Submit(w.Ctx, w.As(m), c.PublicID, task.SubmissionInput{Text: "作品"})
		if _, err := w.A.Tasks.Review(w.Ctx, w.SC, sub.PublicID, "changes_requested", 0, "加上话题"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Notify.Dispatch(w.Ctx); err != nil {
			t.Fatal(err)
		}
		in, _, err := w.A.Notify.Inbox(w.Ctx, w.As(m), "zh-CN", 0, 10)
		if err != nil || in.Unread != 1 || len(in.Items) != 1 || in.Items[0].Kind != notify.ChangesRequested || !strings.Contains(in.Items[0].Text, "春季试驾") {
			t.Fatalf("inbox: %+v %v", in, err)
		}
		other := w.Member()
		if in, _, _ := w.A.Notify.Inbox(w.Ctx, w.As(other), "zh-CN", 0, 10); len(in.Items) != 0 {
			t.Fatalf("another member sees it: %+v", in)
		}
		if n, err := w.A.Notify.MarkRead(w.Ctx, w.As(m)); err != nil || n != 1 {
			t.Fatalf("mark read: %d %v", n, err)
		}
		if n, _ := w.A.Notify.Unread(w.Ctx, w.As(m)); n != 0 {
			t.Fatalf("unread after reading: %d", n)
		}
	})
}
