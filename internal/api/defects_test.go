package api_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kox/internal/app"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/idempotency"
	"kox/internal/program"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// A client that gives up while its request waits must not leave its
// Idempotency-Key stuck: the retry runs. Before the fix the key was let go
// with the request's (cancelled) context, failed to, and answered 409 for a
// day.
func TestIdempotencyKeyFreedWhenTheClientGoesAway(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		tk := e.task(slug, nil)
		member := e.activeMember(slug)
		body := fmt.Sprintf(`{"member_id":%q}`, member)
		path := "/api/v1/programs/" + slug + "/tasks/" + tk["id"].(string) + "/claims"

		// Hold the database's write lock so that the claim waits, and let
		// the client give up meanwhile.
		ctx := context.Background()
		blocker, err := d.W.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d.Engine == db.Postgres {
			_, err = blocker.Exec(`SELECT 1 FROM tasks WHERE public_id = $1 FOR UPDATE`, tk["id"])
		} else {
			_, err = blocker.Exec(`UPDATE programs SET name = name WHERE slug = $1`, slug)
		}
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		req, _ := http.NewRequestWithContext(cctx, "POST", e.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.owner)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "gave-up")
		if _, err := http.DefaultClient.Do(req); err == nil {
			t.Fatal("the client should have given up")
		}
		cancel()
		time.Sleep(100 * time.Millisecond)
		if err := blocker.Rollback(); err != nil {
			t.Fatal(err)
		}
		// The server finishes (or abandons) the request; then the retry runs.
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := e.call("POST", path, e.owner, body, header{"Idempotency-Key", "gave-up"})
			if r.status == 201 {
				break
			}
			if r.status != 409 || time.Now().After(deadline) {
				t.Fatalf("retry after the client went away: %d %s", r.status, r.raw)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// A request whose holder died is taken over once its lease runs out; and a
// change whose response was saved in its own transaction answers a retry
// with that response even though the process died before answering.
func TestIdempotencyKeyAfterACrash(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		d.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		e := newEnv(t, d)
		slug := e.program()
		tk := e.task(slug, nil)
		path := "/api/v1/programs/" + slug + "/tasks/" + tk["id"].(string) + "/claims"
		req := func(member, key string) (string, idempotency.Request) {
			body := fmt.Sprintf(`{"member_id":%q}`, member)
			return body, idempotency.Request{Actor: sha(e.owner), Key: key, Method: "POST", Path: path,
				Fingerprint: sha("POST " + path + "\n" + body)}
		}
		ctx := context.Background()

		// Died before its change: the key is in progress until the lease
		// ends, then a retry runs it.
		m1 := e.activeMember(slug)
		body1, r1 := req(m1, "died-before")
		if h, _, err := e.a.Idempotency.Begin(ctx, r1); err != nil || h == nil {
			t.Fatalf("begin: %v", err)
		}
		if r := e.call("POST", path, e.owner, body1, header{"Idempotency-Key", "died-before"}); r.status != 409 {
			t.Fatalf("while the lease holds: %d %s", r.status, r.raw)
		}
		mu.Lock()
		now = now.Add(idempotency.Lease + time.Second)
		mu.Unlock()
		if r := e.call("POST", path, e.owner, body1, header{"Idempotency-Key", "died-before"}); r.status != 201 {
			t.Fatalf("after the lease: %d %s", r.status, r.raw)
		}

		// Died after its change committed, before answering: the response
		// was saved with the change.
		m2 := e.activeMember(slug)
		body2, r2 := req(m2, "died-after")
		h, _, err := e.a.Idempotency.Begin(ctx, r2)
		if err != nil || h == nil {
			t.Fatalf("begin: %v", err)
		}
		sc, err := e.a.Programs.Scope(program.WithActor(ctx, program.Actor{Kind: program.ActorOperator, ID: e.ownerOp.ID, Owner: true}), slug)
		if err != nil {
			t.Fatal(err)
		}
		octx := db.WithOutcome(program.WithActor(ctx, sc.Actor), h.SavesInTx(201, map[string]string{"Content-Type": "application/json"}))
		c, err := e.a.Tasks.Take(octx, sc, tk["id"].(string), m2)
		if err != nil {
			t.Fatal(err)
		}
		// (the process dies here: no Finish)
		r := e.call("POST", path, e.owner, body2, header{"Idempotency-Key", "died-after"})
		if r.status != 201 || r.str("id") != c.PublicID || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry after the change committed: %d %s, want the claim %s replayed", r.status, r.raw, c.PublicID)
		}
		var claims int
		d.R.QueryRow(`SELECT count(*) FROM task_claims c JOIN members m ON m.id = c.member_id WHERE m.public_id = $1`, m2).Scan(&claims)
		if claims != 1 {
			t.Fatalf("%d claims for the member, want exactly 1", claims)
		}
	})
}

// Guesses sent at once cannot pass the lock-out: attempts are counted
// before any password is hashed. Before the fix all twenty were hashed
// (each read an unlocked account) and the lock-out came after.
func TestParallelGuessesAreLockedOut(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		email := e.ownerOp.Email
		codes := make(chan string, 20)
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.call("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "a-wrong-guess"})
				codes <- r.str("code")
			}()
		}
		wg.Wait()
		close(codes)
		n := map[string]int{}
		for c := range codes {
			n[c]++
		}
		if n["auth.bad_login"] > program.MaxFailedLogins || n["auth.bad_login"]+n["auth.locked"] != 20 {
			t.Fatalf("answers %v: at most %d wrong-password answers, the rest locked", n, program.MaxFailedLogins)
		}
		if r := e.call("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": ownerPassword}); r.status != 401 || r.str("code") != "auth.locked" {
			t.Fatalf("the right password after the guesses: %d %s", r.status, r.raw)
		}
	})
}

func TestSignInIsThrottledPerAddress(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	a := app.Assemble(app.Config{Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SignInsPerMinute: 3}, d)
	t.Cleanup(a.Ledger.Close)
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	e := &env{t: t, d: d, a: a, srv: srv}
	var last resp
	for i := 0; i < 4; i++ {
		last = e.call("POST", "/api/v1/auth/login", "", map[string]any{"email": fmt.Sprintf("nobody%d@test.kox", i), "password": "whatever-123"})
	}
	if last.status != 429 || last.str("code") != "auth.throttled" {
		t.Fatalf("fourth attempt from one address: %d %s", last.status, last.raw)
	}
	if r := e.call("POST", "/api/v1/auth/member-login", "", map[string]any{"code": "AAAAA-BBBBB"}); r.status != 429 {
		t.Fatalf("member sign-in from the same address: %d %s", r.status, r.raw)
	}
}

// Every ledger result shows in /metrics from the start, at zero, and slot
// moves inside claims count. Before the fix a fresh server showed no ledger
// counter, and claims never counted.
func TestLedgerMetricsFromTheStart(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		metric := func(result string) string {
			t.Helper()
			res, err := http.Get(e.srv.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			for _, line := range strings.Split(string(raw), "\n") {
				if strings.HasPrefix(line, `kox_ledger_transfers_total{result="`+result+`"} `) {
					return strings.TrimSpace(strings.TrimPrefix(line, `kox_ledger_transfers_total{result="`+result+`"}`))
				}
			}
			return "absent"
		}
		if got := metric("exceeds_credits"); got != "0" {
			t.Fatalf("exceeds_credits before any transfer: %s, want 0", got)
		}
		okBefore := metric("ok")
		slug := e.program()
		tk := e.task(slug, map[string]any{"capacity": 1})
		path := "/api/v1/programs/" + slug + "/tasks/" + tk["id"].(string) + "/claims"
		if r := e.call("POST", path, e.owner, map[string]any{"member_id": e.activeMember(slug)}); r.status != 201 {
			t.Fatalf("claim: %d %s", r.status, r.raw)
		}
		if okAfter := metric("ok"); okAfter == okBefore {
			t.Fatalf("ok transfers %s before the claim and after: the slot move did not count", okAfter)
		}
	})
}

// A database outage while signing in answers 503 with nothing of the
// driver's words. Before the fix it answered 401 with the driver's error.
func TestSignInDuringAnOutage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		token := e.owner
		d.Close()
		for _, c := range []struct {
			path, token string
			body        any
		}{
			{"/api/v1/auth/login", "", map[string]any{"email": e.ownerOp.Email, "password": ownerPassword}},
			{"/api/v1/me", token, nil},
		} {
			method := "POST"
			if c.body == nil {
				method = "GET"
			}
			r := e.call(method, c.path, c.token, c.body)
			if r.status != 503 || strings.Contains(r.raw, "sql") || strings.Contains(r.raw, "closed") {
				t.Errorf("%s during an outage: %d %s, want 503 without internals", c.path, r.status, r.raw)
			}
		}
	})
}

// The session cookie is Secure over TLS, and behind a proxy that says so;
// signing out clears it; and a stale credential never keeps anyone from
// signing in. Before the fix the cookie lacked Secure, logout left it, and
// the stale cookie made sign-in answer 401.
func TestSessionCookie(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	a := app.Assemble(app.Config{Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustProxy: true}, d)
	t.Cleanup(a.Ledger.Close)
	ctx := program.WithActor(context.Background(), program.System("test"))
	if _, err := a.Programs.CreateOperator(ctx, program.NewOperator{Email: "tls@test.kox", Name: "TLS", Password: ownerPassword}); err != nil {
		t.Fatal(err)
	}
	login := func(client *http.Client, url string, headers map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", url+"/api/v1/auth/login", strings.NewReader(`{"email":"tls@test.kox","password":"`+ownerPassword+`"}`))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	secure := func(res *http.Response) bool {
		for _, c := range res.Cookies() {
			if c.Name == "kox_session" {
				return c.Secure && c.HttpOnly && c.SameSite == http.SameSiteLaxMode
			}
		}
		t.Fatalf("no session cookie: %v", res.Header)
		return false
	}
	tlsSrv := httptest.NewTLSServer(a.Handler)
	defer tlsSrv.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if res := login(client, tlsSrv.URL, nil); res.StatusCode != 200 || !secure(res) {
		t.Fatalf("over TLS: %d, want a Secure cookie", res.StatusCode)
	}
	plain := httptest.NewServer(a.Handler)
	defer plain.Close()
	if res := login(http.DefaultClient, plain.URL, map[string]string{"X-Forwarded-Proto": "https"}); !secure(res) {
		t.Fatal("behind a proxy that says https: want a Secure cookie")
	}
	if res := login(http.DefaultClient, plain.URL, map[string]string{"X-Kox-Secure": "true"}); secure(res) {
		t.Fatal("a client cannot claim a secure connection with kox's own header")
	}

	res := login(http.DefaultClient, plain.URL, nil)
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "kox_session" {
			session = c
		}
	}
	req, _ := http.NewRequest("POST", plain.URL+"/api/v1/auth/logout", nil)
	req.AddCookie(session)
	out, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	cleared := false
	for _, c := range out.Cookies() {
		cleared = cleared || (c.Name == "kox_session" && c.MaxAge < 0 && c.Value == "")
	}
	if out.StatusCode != 204 || !cleared {
		t.Fatalf("logout: %d, cookie cleared %v (%v)", out.StatusCode, cleared, out.Header.Values("Set-Cookie"))
	}
	// The browser still sends the old cookie, or a script an old token:
	// signing in works all the same.
	for _, h := range []map[string]string{{"Cookie": "kox_session=" + session.Value}, {"Authorization": "Bearer " + session.Value}} {
		if res := login(http.DefaultClient, plain.URL, h); res.StatusCode != 200 {
			t.Fatalf("sign-in with a stale credential %v: %d", h, res.StatusCode)
		}
	}
}

// Lists cost one query for their page, not one per item: listing 40 tasks
// reads the ledger's accounts once, listing 40 claims their occurrences
// once, and members on a tier are one subquery. PostgreSQL's statistics
// count the scans; before the fix tasks took 80 scans of the accounts and
// claims 40 of the occurrences.
func TestListsAreOneQueryPerPage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		if d.Engine != db.Postgres {
			t.Skip("PostgreSQL's statistics count the scans; SQLite keeps none")
		}
		e := newEnv(t, d)
		slug := e.program()
		for i := 0; i < 40; i++ {
			tk := e.task(slug, map[string]any{"capacity": 2})
			if r := e.call("POST", "/api/v1/programs/"+slug+"/tasks/"+tk["id"].(string)+"/claims", e.owner,
				map[string]any{"member_id": e.activeMember(slug)}); r.status != 201 {
				t.Fatalf("claim: %d %s", r.status, r.raw)
			}
		}
		scans := func(table string) int64 {
			t.Helper()
			var n int64
			if _, err := d.R.Exec(`SELECT pg_stat_force_next_flush()`); err != nil {
				t.Skipf("this PostgreSQL cannot flush its statistics: %v", err)
			}
			if err := d.R.QueryRow(`SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables
				WHERE relname = $1 AND schemaname = current_schema()`, table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, c := range []struct{ path, table string }{
			{"/api/v1/programs/" + slug + "/tasks?limit=40", "ledger_accounts"},
			{"/api/v1/programs/" + slug + "/claims?limit=40", "task_occurrences"},
		} {
			// Statistics are flushed when a backend ends its transaction;
			// wait for the counter to settle first.
			time.Sleep(50 * time.Millisecond)
			before := scans(c.table)
			r := e.call("GET", c.path, e.owner, nil)
			if r.status != 200 || len(r.items()) != 40 {
				t.Fatalf("%s: %d, %d items", c.path, r.status, len(r.items()))
			}
			time.Sleep(50 * time.Millisecond)
			if n := scans(c.table) - before; n > 4 {
				t.Errorf("%s scanned %s %d times, want a few (one query for the page)", c.path, c.table, n)
			}
		}
	})
}

// Every domain error reaches the client with its stable code and the
// parameters its message names.
func TestProblemsCarryCodes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		tk := e.task(slug, map[string]any{"capacity": 1})
		path := "/api/v1/programs/" + slug + "/tasks/" + tk["id"].(string) + "/claims"
		e.call("POST", path, e.owner, map[string]any{"member_id": e.activeMember(slug)})
		full := e.call("POST", path, e.owner, map[string]any{"member_id": e.activeMember(slug)})
		var p struct {
			Code   string         `json:"code"`
			Params map[string]any `json:"params"`
			Detail string         `json:"detail"`
		}
		_ = json.Unmarshal([]byte(full.raw), &p)
		if full.status != 409 || p.Code != "task.full" || p.Params["capacity"] != float64(1) || p.Detail != "the task is full: all 1 slots are taken" {
			t.Fatalf("full task: %d %s", full.status, full.raw)
		}
		bad := e.call("POST", "/api/v1/programs/"+slug+"/tasks", e.owner, map[string]any{"title": " ", "kind": "content", "mode": "open", "capacity": 1})
		if bad.status != 422 || bad.str("code") != "invalid" || !strings.Contains(bad.raw, `"code":"length"`) || !strings.Contains(bad.raw, `"location":"body.title"`) {
			t.Fatalf("invalid title: %d %s", bad.status, bad.raw)
		}
		if r := e.call("GET", "/api/v1/programs/nope", e.owner, nil); r.status != 404 || r.str("code") != "program.not_found" {
			t.Fatalf("unknown program: %d %s", r.status, r.raw)
		}
	})
}
