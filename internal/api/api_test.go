package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"kox/internal/app"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

func TestProgramTeamAndAudit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		r := e.call("GET", "/api/v1/programs/"+slug, e.owner, nil)
		if r.status != 200 || r.str("currency") != "CNY" || r.str("time_zone") != "Asia/Shanghai" || r.str("locale") != "zh-CN" {
			t.Fatalf("get program: %d %s", r.status, r.raw)
		}
		id := r.str("id")
		if r := e.call("GET", "/api/v1/programs/"+id, e.owner, nil); r.status != 200 || r.str("slug") != slug {
			t.Fatalf("get by id: %d %s", r.status, r.raw)
		}
		r = e.call("PATCH", "/api/v1/programs/"+slug, e.owner, map[string]any{"name": "启程汽车", "locale": "en"})
		if r.status != 200 || r.str("name") != "启程汽车" || r.str("locale") != "en" {
			t.Fatalf("patch: %d %s", r.status, r.raw)
		}
		tok, opID := e.operator(slug, program.RoleReviewer)
		if r := e.call("GET", "/api/v1/me", tok, nil); r.status != 200 || len(r.body["programs"].([]any)) != 1 {
			t.Fatalf("me: %d %s", r.status, r.raw)
		}
		if r := e.call("PUT", "/api/v1/programs/"+slug+"/operators/"+opID, e.owner, map[string]any{"role": "finance"}); r.status != 204 {
			t.Fatalf("set role: %d %s", r.status, r.raw)
		}
		team := e.call("GET", "/api/v1/programs/"+slug+"/operators", e.owner, nil).items()
		if len(team) != 2 || team[1]["role"] != "finance" {
			t.Fatalf("team: %v", team)
		}
		// The last admin cannot leave.
		if r := e.call("DELETE", "/api/v1/programs/"+slug+"/operators/"+e.ownerOp.PublicID, e.owner, nil); r.status != 409 {
			t.Fatalf("removing the last admin: %d %s", r.status, r.raw)
		}
		if r := e.call("DELETE", "/api/v1/programs/"+slug+"/operators/"+opID, e.owner, nil); r.status != 204 {
			t.Fatalf("remove: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", "/api/v1/programs/"+slug, tok, nil); r.status != 404 {
			t.Fatalf("a removed operator still sees the program: %d", r.status)
		}
		// The whole story is in the audit log, newest first, with actors and before/after.
		all := e.call("GET", "/api/v1/programs/"+slug+"/audit?limit=50", e.owner, nil).items()
		var actions []string
		for _, it := range all {
			actions = append(actions, it["action"].(string))
		}
		want := []string{"operator.remove", "operator.role", "operator.role", "operator.create", "program.update", "operator.role", "ladders.apply", "program.create"}
		if !slices.Equal(actions, want) {
			t.Fatalf("audit actions %v, want %v", actions, want)
		}
		upd := all[4]
		before, _ := upd["before"].(map[string]any)
		after, _ := upd["after"].(map[string]any)
		if upd["actor_id"] != e.ownerOp.PublicID || upd["actor_kind"] != "operator" || before["locale"] != "zh-CN" || after["locale"] != "en" {
			t.Fatalf("program.update entry: %v", upd)
		}
		if _, leaked := after["ID"]; leaked {
			t.Fatalf("audit shows internal fields: %v", after)
		}
		// Filters and cursor paging.
		f := e.call("GET", "/api/v1/programs/"+slug+"/audit?action=operator.role&limit=2", e.owner, nil)
		if len(f.items()) != 2 || f.str("next_cursor") == "" {
			t.Fatalf("filtered page: %s", f.raw)
		}
		f2 := e.call("GET", "/api/v1/programs/"+slug+"/audit?action=operator.role&limit=2&cursor="+f.str("next_cursor"), e.owner, nil)
		if len(f2.items()) != 1 || f2.str("next_cursor") != "" {
			t.Fatalf("second page: %s", f2.raw)
		}
		if r := e.call("GET", "/api/v1/programs/"+slug+"/audit?cursor=garbage", e.owner, nil); r.status != 422 || !slices.Contains(r.problemFields(), "query.cursor") {
			t.Fatalf("bad cursor: %d %s", r.status, r.raw)
		}
	})
}

// Bad input: a 4xx naming the field, never a 500, nothing written.
func TestBadInputIsNamedAndWritesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		other := e.program()
		otherTok, _ := e.operator(other, program.RoleAdmin)
		before := e.auditCount(slug)
		long := strings.Repeat("长", 130)
		cases := []struct {
			name, method, path string
			token              string
			body               any
			status             int
			field              string
		}{
			{"missing field", "POST", "/api/v1/programs", e.owner, map[string]any{"slug": "x1"}, 422, "body.name"},
			{"unknown field", "POST", "/api/v1/programs", e.owner, map[string]any{"slug": "x2", "name": "n", "colour": "red"}, 422, "body.colour"},
			{"wrong type", "POST", "/api/v1/programs", e.owner, map[string]any{"slug": "x3", "name": 7}, 422, "body.name"},
			{"too long", "PATCH", "/api/v1/programs/" + slug, e.owner, map[string]any{"name": long}, 422, "body.name"},
			{"bad enum", "PATCH", "/api/v1/programs/" + slug, e.owner, map[string]any{"locale": "fr"}, 422, "body.locale"},
			{"bad pattern", "PATCH", "/api/v1/programs/" + slug, e.owner, map[string]any{"currency": "rmb"}, 422, "body.currency"},
			{"bad time zone", "PATCH", "/api/v1/programs/" + slug, e.owner, map[string]any{"time_zone": "Mars/Olympus"}, 422, "body.time_zone"},
			{"taken slug", "POST", "/api/v1/programs", e.owner, map[string]any{"slug": slug, "name": "again"}, 422, "body.slug"},
			{"not json", "POST", "/api/v1/programs", e.owner, "{not json", 400, ""},
			{"bad email", "POST", "/api/v1/programs/" + slug + "/operators", e.owner, map[string]any{"email": "nope", "role": "viewer", "name": "n", "password": "password-123"}, 422, "body.email"},
			{"short password", "POST", "/api/v1/programs/" + slug + "/operators", e.owner, map[string]any{"email": "a@b.co", "role": "viewer", "name": "n", "password": "short"}, 422, "body.password"},
			{"bad role", "POST", "/api/v1/programs/" + slug + "/api-keys", e.owner, map[string]any{"name": "k", "role": "god"}, 422, "body.role"},
			{"another program's id", "GET", "/api/v1/programs/" + slug, otherTok, nil, 404, ""},
			{"another program's operator", "PUT", "/api/v1/programs/" + slug + "/operators/op_0000000000000000", e.owner, map[string]any{"role": "viewer"}, 404, ""},
			{"limit out of range", "GET", "/api/v1/programs/" + slug + "/audit?limit=9999", e.owner, nil, 422, "query.limit"},
		}
		for _, c := range cases {
			r := e.call(c.method, c.path, c.token, c.body)
			if r.status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.status, c.status, r.raw)
				continue
			}
			if c.field != "" && !slices.Contains(r.problemFields(), c.field) {
				t.Errorf("%s: problem names %v, want %s: %s", c.name, r.problemFields(), c.field, r.raw)
			}
			if !strings.Contains(r.header.Get("Content-Type"), "problem+json") {
				t.Errorf("%s: content type %q, want a problem", c.name, r.header.Get("Content-Type"))
			}
		}
		if n := e.auditCount(slug); n != before {
			t.Fatalf("bad input wrote %d audit entries", n-before)
		}
		var programs int
		d.R.QueryRow(`SELECT count(*) FROM programs WHERE slug LIKE 'x%'`).Scan(&programs)
		if programs != 0 {
			t.Fatalf("bad input created %d programs", programs)
		}
	})
}

func TestLockOutAfterWrongPasswords(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		d.SetClock(func() time.Time { return now })
		e := newEnv(t, d)
		email := e.ownerOp.Email
		for i := 0; i < program.MaxFailedLogins; i++ {
			if r := e.call("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "wrong-password"}); r.status != 401 {
				t.Fatalf("wrong password %d: %d", i, r.status)
			}
		}
		r := e.call("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": ownerPassword})
		if r.status != 401 || !strings.Contains(r.raw, "try again after") {
			t.Fatalf("right password while locked: %d %s", r.status, r.raw)
		}
		now = now.Add(program.LockoutPeriod + time.Second)
		if r := e.call("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": ownerPassword}); r.status != 200 {
			t.Fatalf("after the lock-out: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", "/api/v1/auth/login", "", map[string]any{"email": "nobody@test.kox", "password": "whatever-123"}); r.status != 401 {
			t.Fatalf("unknown email: %d", r.status)
		}
	})
}

// A session works on another instance over the same database (and so after a
// restart), until it is signed out.
func TestSessionsSurviveRestartAndLogout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		other := app.Assemble(app.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, d)
		defer other.Ledger.Close()
		srv2 := httptest.NewServer(other.Handler)
		defer srv2.Close()
		e2 := &env{t: t, d: d, a: other, srv: srv2}
		if r := e2.call("GET", "/api/v1/me", e.owner, nil); r.status != 200 {
			t.Fatalf("session on a second instance: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", "/api/v1/auth/logout", e.owner, nil); r.status != 204 {
			t.Fatalf("logout: %d %s", r.status, r.raw)
		}
		if r := e2.call("GET", "/api/v1/me", e.owner, nil); r.status != 401 {
			t.Fatalf("after logout: %d", r.status)
		}
		if r := e.call("GET", "/api/v1/me", "", nil); r.status != 401 {
			t.Fatalf("no token: %d", r.status)
		}
		if r := e.call("GET", "/api/v1/me", "kxs_forged", nil); r.status != 401 {
			t.Fatalf("forged token: %d", r.status)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		other := e.program()
		secret, id := e.apiKey(slug, program.RoleViewer)
		if !strings.HasPrefix(secret, program.APIKeyPrefix) {
			t.Fatalf("secret %q", secret)
		}
		keys := e.call("GET", "/api/v1/programs/"+slug+"/api-keys", e.owner, nil)
		if len(keys.items()) != 1 || strings.Contains(keys.raw, secret) || keys.items()[0]["prefix"] == "" {
			t.Fatalf("list shows the secret or no prefix: %s", keys.raw)
		}
		if r := e.call("GET", "/api/v1/programs/"+slug, secret, nil); r.status != 200 {
			t.Fatalf("key reads its program: %d", r.status)
		}
		if r := e.call("PATCH", "/api/v1/programs/"+slug, secret, map[string]any{"name": "x"}); r.status != 403 {
			t.Fatalf("viewer key writes: %d", r.status)
		}
		if r := e.call("GET", "/api/v1/programs/"+other, secret, nil); r.status != 404 {
			t.Fatalf("key reads another program: %d", r.status)
		}
		if r := e.call("DELETE", "/api/v1/programs/"+slug+"/api-keys/"+id, e.owner, nil); r.status != 200 || r.body["revoked_at"] == nil {
			t.Fatalf("revoke: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", "/api/v1/programs/"+slug, secret, nil); r.status != 401 {
			t.Fatalf("revoked key: %d", r.status)
		}
		// Short lists page like the others, and filter.
		e.apiKey(slug, program.RoleAdmin)
		e.apiKey(slug, program.RoleFinance)
		page := e.call("GET", "/api/v1/programs/"+slug+"/api-keys?limit=2", e.owner, nil)
		rest := e.call("GET", "/api/v1/programs/"+slug+"/api-keys?limit=2&cursor="+page.str("next_cursor"), e.owner, nil)
		if len(page.items()) != 2 || len(rest.items()) != 1 || rest.str("next_cursor") != "" {
			t.Fatalf("paging keys: %s / %s", page.raw, rest.raw)
		}
		if live := e.call("GET", "/api/v1/programs/"+slug+"/api-keys?revoked=false", e.owner, nil).items(); len(live) != 2 {
			t.Fatalf("working keys: %d", len(live))
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		body := map[string]any{"slug": "idem", "name": "Idempotent"}
		first := e.call("POST", "/api/v1/programs", e.owner, body, header{"Idempotency-Key", "abc"})
		again := e.call("POST", "/api/v1/programs", e.owner, body, header{"Idempotency-Key", "abc"})
		if first.status != 201 || again.status != 201 || again.raw != first.raw || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s / %d %s %v", first.status, first.raw, again.status, again.raw, again.header)
		}
		other := e.call("POST", "/api/v1/programs", e.owner, map[string]any{"slug": "idem2", "name": "Other"}, header{"Idempotency-Key", "abc"})
		if other.status != 422 {
			t.Fatalf("same key, other body: %d %s", other.status, other.raw)
		}
		// Keys belong to the caller: another owner's same key is theirs,
		// and makes their own program.
		ctx := program.WithActor(context.Background(), program.System("test"))
		o2, err := e.a.Programs.CreateOperator(ctx, program.NewOperator{Email: "owner-two@test.kox", Name: "Two", Password: ownerPassword, Owner: true})
		if err != nil {
			t.Fatal(err)
		}
		theirs := e.call("POST", "/api/v1/programs", e.login(o2.Email, ownerPassword), map[string]any{"slug": "idem3", "name": "Theirs"},
			header{"Idempotency-Key", "abc"})
		if theirs.status != 201 || theirs.header.Get("Idempotent-Replayed") != "" || theirs.str("slug") != "idem3" {
			t.Fatalf("another caller's same key: %d %s", theirs.status, theirs.raw)
		}
		var n int
		d.R.QueryRow(`SELECT count(*) FROM programs WHERE slug LIKE 'idem%'`).Scan(&n)
		if n != 2 {
			t.Fatalf("%d programs made, want 2 (one each)", n)
		}
		// A failed request is kept too (it is a response), so its retry fails the same way.
		bad := e.call("POST", "/api/v1/programs", e.owner, map[string]any{"slug": "idem"}, header{"Idempotency-Key", "bad"})
		badAgain := e.call("POST", "/api/v1/programs", e.owner, map[string]any{"slug": "idem"}, header{"Idempotency-Key", "bad"})
		if bad.status != 422 || badAgain.raw != bad.raw {
			t.Fatalf("replayed failure: %d %s / %s", bad.status, bad.raw, badAgain.raw)
		}
	})
}

// The OpenAPI document is valid OpenAPI 3.1, and every route is in it.
func TestOpenAPIDocument(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	e := newEnv(t, d)
	r := e.call("GET", "/api/openapi.json", "", nil)
	if r.status != 200 {
		t.Fatalf("openapi.json: %d", r.status)
	}
	doc, err := libopenapi.NewDocument([]byte(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.GetVersion(), "3.1") {
		t.Fatalf("OpenAPI version %s, want 3.1", doc.GetVersion())
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, ve := range verrs {
			t.Errorf("invalid: %s: %s", ve.Message, ve.Reason)
		}
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.raw), &spec); err != nil {
		t.Fatal(err)
	}
	routes := e.a.API.Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, rt := range routes {
		if _, ok := spec.Paths[rt.Path][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("route %s %s is not in the OpenAPI document", rt.Method, rt.Path)
		}
	}
	if r := e.call("GET", "/api/docs", "", nil); r.status != 200 || !strings.Contains(r.raw, "/api/openapi.json") {
		t.Fatalf("docs page: %d", r.status)
	}
	if r := e.call("GET", "/api/static/redoc/redoc.standalone.js", "", nil); r.status != 200 || len(r.raw) < 100000 {
		t.Fatalf("docs script: %d, %d bytes", r.status, len(r.raw))
	}
	_ = context.Background()
}

// A cross-site browser request that would change state is refused (CSRF
// against the session cookie); the same request from a script passes.
func TestCrossSiteRequestsRefused(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	e := newEnv(t, d)
	body := map[string]any{"slug": "csrf", "name": "x"}
	if r := e.call("POST", "/api/v1/programs", e.owner, body, header{"Sec-Fetch-Site", "cross-site"}); r.status != 403 {
		t.Fatalf("cross-site POST: %d %s", r.status, r.raw)
	}
	if r := e.call("POST", "/api/v1/programs", e.owner, body, header{"Origin", "https://evil.example"}); r.status != 403 {
		t.Fatalf("foreign origin POST: %d %s", r.status, r.raw)
	}
	if r := e.call("GET", "/api/v1/programs", e.owner, nil, header{"Sec-Fetch-Site", "cross-site"}); r.status != 200 {
		t.Fatalf("cross-site GET: %d", r.status)
	}
	if r := e.call("POST", "/api/v1/programs", e.owner, body); r.status != 201 {
		t.Fatalf("script POST: %d %s", r.status, r.raw)
	}
}

// A program always keeps an admin: the last one can be neither removed nor
// demoted, and two admins leaving at the same moment cannot both go.
func TestProgramKeepsAnAdmin(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		url := "/api/v1/programs/" + slug + "/operators/"
		if r := e.call("PUT", url+e.ownerOp.PublicID, e.owner, map[string]any{"role": "viewer"}); r.status != 409 {
			t.Fatalf("demoting the only admin: %d %s", r.status, r.raw)
		}
		for round := 0; round < 5; round++ {
			_, a := e.operator(slug, program.RoleAdmin)
			// Now two admins (the owner and a); each leaves at the same moment.
			var wg sync.WaitGroup
			codes := make([]int, 2)
			for i, id := range []string{e.ownerOp.PublicID, a} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if i == 0 {
						codes[i] = e.call("PUT", url+id, e.owner, map[string]any{"role": "viewer"}).status
					} else {
						codes[i] = e.call("DELETE", url+id, e.owner, nil).status
					}
				}()
			}
			wg.Wait()
			var admins int
			d.R.QueryRow(`SELECT count(*) FROM program_operators o JOIN programs p ON p.id = o.program_id
				WHERE p.slug = $1 AND o.role = 'admin'`, slug).Scan(&admins)
			if admins != 1 {
				t.Fatalf("round %d: %d admins left (statuses %v)", round, admins, codes)
			}
			// Make the owner admin again for the next round.
			e.call("PUT", url+e.ownerOp.PublicID, e.owner, map[string]any{"role": "admin"})
			var ownerAdmin int
			d.R.QueryRow(`SELECT count(*) FROM program_operators o JOIN programs p ON p.id = o.program_id JOIN operators op ON op.id = o.operator_id
				WHERE p.slug = $1 AND o.role = 'admin' AND op.public_id = $2`, slug, e.ownerOp.PublicID).Scan(&ownerAdmin)
			if ownerAdmin != 1 {
				t.Fatalf("round %d: the owner is not admin again", round)
			}
			// Remove a if they are still admin, so the next round starts with one admin.
			e.call("DELETE", url+a, e.owner, nil)
		}
	})
}
