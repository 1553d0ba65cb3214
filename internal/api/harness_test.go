package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"kox/internal/app"
	"kox/internal/apptest"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// env is a kox server over real HTTP on one engine, with an owner signed in.
type env struct {
	t       *testing.T
	d       *db.DB
	a       *app.App
	srv     *httptest.Server
	owner   string // the owner's session token
	ownerOp program.Operator
}

const ownerPassword = "owner-password-1"

var seq atomic.Int64

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	a := app.Assemble(app.Config{Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SignInsPerMinute: 1 << 20, DataKey: apptest.Key}, d)
	t.Cleanup(a.Ledger.Close)
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	e := &env{t: t, d: d, a: a, srv: srv}
	ctx := program.WithActor(context.Background(), program.System("test"))
	o, err := a.Programs.CreateOperator(ctx, program.NewOperator{Email: fmt.Sprintf("owner%d@test.kox", seq.Add(1)), Name: "Owner",
		Password: ownerPassword, Owner: true})
	if err != nil {
		t.Fatal(err)
	}
	e.ownerOp = o
	e.owner = e.login(o.Email, ownerPassword)
	return e
}

func (e *env) login(email, password string) string {
	e.t.Helper()
	r := e.call("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": password})
	if r.status != 200 {
		e.t.Fatalf("login %s: %d %s", email, r.status, r.raw)
	}
	return r.str("token")
}

// resp is a response with its JSON body.
type resp struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func (r resp) str(key string) string {
	v, _ := r.body[key].(string)
	return v
}

// items returns the "items" array of a list response.
func (r resp) items() []map[string]any {
	arr, _ := r.body["items"].([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, x := range arr {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// problemFields returns the locations a 4xx problem names.
func (r resp) problemFields() []string {
	var out []string
	errs, _ := r.body["errors"].([]any)
	for _, x := range errs {
		if m, ok := x.(map[string]any); ok {
			loc, _ := m["location"].(string)
			out = append(out, loc)
		}
	}
	return out
}

type header struct{ k, v string }

func (e *env) call(method, path, token string, body any, headers ...header) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		req.Header.Set(h.k, h.v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// program creates a program as the owner and returns its slug.
func (e *env) program() string {
	e.t.Helper()
	slug := fmt.Sprintf("p%d", seq.Add(1))
	r := e.call("POST", "/api/v1/programs", e.owner, map[string]any{"slug": slug, "name": "Program " + slug})
	if r.status != 201 {
		e.t.Fatalf("create program: %d %s", r.status, r.raw)
	}
	return slug
}

// operator adds an operator with the role to the program and signs them in.
func (e *env) operator(slug string, role program.Role) (token, id string) {
	e.t.Helper()
	email := fmt.Sprintf("op%d@test.kox", seq.Add(1))
	r := e.call("POST", "/api/v1/programs/"+slug+"/operators", e.owner,
		map[string]any{"email": email, "name": string(role) + " person", "password": "password-123", "role": string(role)})
	if r.status != 201 {
		e.t.Fatalf("add operator: %d %s", r.status, r.raw)
	}
	op, _ := r.body["operator"].(map[string]any)
	return e.login(email, "password-123"), op["id"].(string)
}

// apiKey creates a key with the role and returns its secret and id.
func (e *env) apiKey(slug string, role program.Role) (secret, id string) {
	e.t.Helper()
	r := e.call("POST", "/api/v1/programs/"+slug+"/api-keys", e.owner, map[string]any{"name": "key " + string(role), "role": string(role)})
	if r.status != 201 {
		e.t.Fatalf("create key: %d %s", r.status, r.raw)
	}
	return r.str("secret"), r.str("id")
}

func (e *env) auditCount(slug string) int {
	e.t.Helper()
	var n int
	if err := e.d.R.QueryRow(`SELECT count(*) FROM audit_log a JOIN programs p ON p.id = a.program_id WHERE p.slug = $1`, slug).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// member adds a KOC member (with extra fields) as the owner and returns it.
func (e *env) member(slug string, extra map[string]any) map[string]any {
	e.t.Helper()
	body := map[string]any{"name": fmt.Sprintf("会员%d", seq.Add(1)), "role": "koc"}
	for k, v := range extra {
		body[k] = v
	}
	r := e.call("POST", "/api/v1/programs/"+slug+"/members", e.owner, body)
	if r.status != 201 {
		e.t.Fatalf("add member: %d %s", r.status, r.raw)
	}
	return r.body
}

// matrixEntry registers an official account and returns its id.
func (e *env) matrixEntry(slug string) string {
	e.t.Helper()
	r := e.call("POST", "/api/v1/programs/"+slug+"/account-matrix", e.owner,
		map[string]any{"platform": "weibo", "layer": "official", "name": "官微", "handle": fmt.Sprintf("gw%d", seq.Add(1))})
	if r.status != 201 {
		e.t.Fatalf("add matrix account: %d %s", r.status, r.raw)
	}
	return r.str("id")
}

// memberToken activates a member and signs them in with a one-time code.
func (e *env) memberToken(slug, memberID string) string {
	e.t.Helper()
	if r := e.call("PATCH", "/api/v1/programs/"+slug+"/members/"+memberID, e.owner, map[string]any{"status": "active"}); r.status != 200 {
		e.t.Fatalf("activate: %d %s", r.status, r.raw)
	}
	code := e.call("POST", "/api/v1/programs/"+slug+"/members/"+memberID+"/login-code", e.owner, nil)
	if code.status != 201 {
		e.t.Fatalf("login code: %d %s", code.status, code.raw)
	}
	r := e.call("POST", "/api/v1/auth/member-login", "", map[string]any{"code": code.str("code")})
	if r.status != 200 {
		e.t.Fatalf("member login: %d %s", r.status, r.raw)
	}
	return r.str("token")
}

// task creates and publishes a task with the body's fields over defaults.
func (e *env) task(slug string, fields map[string]any) map[string]any {
	e.t.Helper()
	body := map[string]any{"title": "分享 OTA 初体验", "kind": "content", "mode": "open", "capacity": 5, "reward": map[string]any{"points": 100}}
	for k, v := range fields {
		body[k] = v
	}
	r := e.call("POST", "/api/v1/programs/"+slug+"/tasks", e.owner, body)
	if r.status != 201 || r.str("status") != "draft" {
		e.t.Fatalf("create task: %d %s", r.status, r.raw)
	}
	p := e.call("POST", "/api/v1/programs/"+slug+"/tasks/"+r.str("id")+"/publish", e.owner, nil)
	if p.status != 200 || p.str("status") != "published" {
		e.t.Fatalf("publish: %d %s", p.status, p.raw)
	}
	return p.body
}

// draftTask creates a draft task and returns its id.
func (e *env) draftTask(slug string, fields map[string]any) string {
	e.t.Helper()
	body := map[string]any{"title": "草稿任务", "kind": "light_interaction", "mode": "open", "capacity": 3}
	for k, v := range fields {
		body[k] = v
	}
	r := e.call("POST", "/api/v1/programs/"+slug+"/tasks", e.owner, body)
	if r.status != 201 {
		e.t.Fatalf("draft: %d %s", r.status, r.raw)
	}
	return r.str("id")
}

// activeMember adds an active member and returns their id.
func (e *env) activeMember(slug string) string {
	return e.member(slug, map[string]any{"status": "active"})["id"].(string)
}

// claimFor makes a fresh published task and a fresh member's claim on it.
func (e *env) claimFor(slug string, mode string) string {
	e.t.Helper()
	tk := e.task(slug, map[string]any{"mode": mode})
	r := e.call("POST", "/api/v1/programs/"+slug+"/tasks/"+tk["id"].(string)+"/claims", e.owner, map[string]any{"member_id": e.activeMember(slug)})
	if r.status != 201 {
		e.t.Fatalf("claim: %d %s", r.status, r.raw)
	}
	return r.str("id")
}

// submissionFor makes a fresh pending submission.
func (e *env) submissionFor(slug string) string {
	e.t.Helper()
	r := e.call("POST", "/api/v1/programs/"+slug+"/claims/"+e.claimFor(slug, "open")+"/submissions", e.owner, map[string]any{"text": "作品"})
	if r.status != 201 {
		e.t.Fatalf("submit: %d %s", r.status, r.raw)
	}
	return r.str("id")
}
