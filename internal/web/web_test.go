package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"kox/internal/app"
	"kox/internal/apptest"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
	"kox/internal/web"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

const password = "operator-pass-1"

// site is kox over real HTTP with an owner and a program, and a client that
// keeps cookies but does not follow redirects.
type site struct {
	t      testing.TB
	a      *app.App
	srv    *httptest.Server
	client *http.Client
}

func newSite(t testing.TB, d *db.DB) *site {
	t.Helper()
	a := app.Assemble(app.Config{Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DataKey: apptest.Key}, d)
	t.Cleanup(a.Ledger.Close)
	ctx := program.WithActor(context.Background(), program.System("test"))
	if _, err := a.Programs.CreateOperator(ctx, program.NewOperator{Email: "owner@web.kox", Name: "王经理", Password: password, Owner: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Programs.Create(ctx, program.Program{Slug: "qicheng", Name: "启程汽车 车主计划"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	jar := &cookieJar{cookies: map[string]*http.Cookie{}}
	return &site{t: t, a: a, srv: srv, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type cookieJar struct{ cookies map[string]*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	for _, c := range cs {
		if c.MaxAge < 0 {
			delete(j.cookies, c.Name)
		} else {
			j.cookies[c.Name] = c
		}
	}
}

func (j *cookieJar) Cookies(*url.URL) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range j.cookies {
		out = append(out, c)
	}
	return out
}

type page struct {
	status int
	header http.Header
	body   string
}

func (s *site) do(method, path string, form url.Values, headers ...string) page {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, s.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return s.send(req)
}

// send makes the request with the site's cookies and reads the page.
func (s *site) send(req *http.Request) page {
	s.t.Helper()
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(raw)}
}

var missingKey = regexp.MustCompile(`\[[a-z_]+(\.[a-z_]+)+\]`)

// checkPage: a page kox renders names no other host, says no missing
// translation key, and carries the strict policy.
func checkPage(t *testing.T, p page) {
	t.Helper()
	if csp := p.header.Get("Content-Security-Policy"); csp != web.CSP {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if m := missingKey.FindString(p.body); m != "" {
		t.Errorf("missing translation %s", m)
	}
	// Links out (a member's posts) are fine; nothing the page loads or
	// posts to may be elsewhere.
	for _, host := range regexp.MustCompile(`(?:src|action)="(https?:)?//[^"]+"|<link[^>]+href="(https?:)?//[^"]+"`).FindAllString(p.body, -1) {
		t.Errorf("the page names another host: %s", host)
	}
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") || strings.Contains(p.body, "onclick=") {
		t.Error("inline script or style in the page")
	}
}

func TestSignInInBothLanguages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		if p := s.do("GET", "/", nil); p.status != 303 || p.header.Get("Location") != "/signin" {
			t.Fatalf("console before signing in: %d → %s", p.status, p.header.Get("Location"))
		}
		zh := s.do("GET", "/signin", nil)
		checkPage(t, zh)
		if zh.status != 200 || !strings.Contains(zh.body, "登录 kox") || !strings.Contains(zh.body, `lang="zh-CN"`) {
			t.Fatalf("sign-in page in Chinese: %d %s", zh.status, zh.body)
		}
		en := s.do("GET", "/signin", nil, "Accept-Language", "en-US,en;q=0.9")
		checkPage(t, en)
		if !strings.Contains(en.body, "Sign in to kox") || !strings.Contains(en.body, `lang="en"`) {
			t.Fatalf("sign-in page in English: %s", en.body)
		}
		wrong := s.do("POST", "/signin", url.Values{"email": {"owner@web.kox"}, "password": {"not-the-password"}})
		checkPage(t, wrong)
		if wrong.status != 401 || !strings.Contains(wrong.body, "邮箱或密码错误") || !strings.Contains(wrong.body, `value="owner@web.kox"`) {
			t.Fatalf("wrong password: %d %s", wrong.status, wrong.body)
		}
		ok := s.do("POST", "/signin", url.Values{"email": {"owner@web.kox"}, "password": {password}})
		if ok.status != 303 || ok.header.Get("Location") != "/" || !strings.Contains(ok.header.Get("Set-Cookie"), "HttpOnly") {
			t.Fatalf("sign in: %d %v", ok.status, ok.header)
		}
		home := s.do("GET", "/", nil)
		checkPage(t, home)
		if home.status != 200 || !strings.Contains(home.body, "启程汽车 车主计划") || !strings.Contains(home.body, "王经理") {
			t.Fatalf("console home: %d %s", home.status, home.body)
		}
		// The language switch is kept, and goes back only within kox.
		sw := s.do("GET", "/lang?to=en&back=/", nil)
		if sw.status != 303 || sw.header.Get("Location") != "/" {
			t.Fatalf("switch: %d %v", sw.status, sw.header)
		}
		if p := s.do("GET", "/", nil); !strings.Contains(p.body, "Your programs") {
			t.Fatalf("after switching to English: %s", p.body)
		}
		if p := s.do("GET", "/lang?to=zh-CN&back=//evil.example/x", nil); p.header.Get("Location") != "/" {
			t.Fatalf("switch back to another host: %v", p.header.Get("Location"))
		}
		// Signing out ends the session and clears the cookie.
		out := s.do("POST", "/signout", nil)
		if out.status != 303 || out.header.Get("Location") != "/signin" || !strings.Contains(out.header.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("sign out: %d %v", out.status, out.header)
		}
		if p := s.do("GET", "/", nil); p.status != 303 {
			t.Fatalf("console after signing out: %d", p.status)
		}
	})
}

// A form posted from another site is refused (CSRF), whatever it carries.
func TestFormsRefuseOtherSites(t *testing.T) {
	s := newSite(t, dbtest.Open(t, db.SQLite))
	p := s.do("POST", "/signin", url.Values{"email": {"owner@web.kox"}, "password": {password}}, "Sec-Fetch-Site", "cross-site")
	if p.status != 403 {
		t.Fatalf("cross-site sign-in: %d", p.status)
	}
}

// kox serves its own front-end files, and a page it does not know as a
// page, not as JSON.
func TestStaticFilesAndNotFound(t *testing.T) {
	s := newSite(t, dbtest.Open(t, db.SQLite))
	for _, path := range []string{"/static/vendor/htmx/htmx.min.js", "/static/vendor/tabler/tabler.min.css",
		"/static/vendor/alpine/alpine-csp.min.js", "/static/vendor/echarts/echarts.min.js", "/static/kox/kox.css"} {
		p := s.do("GET", path, nil)
		if p.status != 200 || len(p.body) < 100 || p.header.Get("Cache-Control") == "" {
			t.Errorf("%s: %d, %d bytes", path, p.status, len(p.body))
		}
	}
	nf := s.do("GET", "/no/such/page", nil)
	checkPage(t, nf)
	if nf.status != 404 || !strings.Contains(nf.header.Get("Content-Type"), "text/html") || !strings.Contains(nf.body, "没有这个页面") {
		t.Fatalf("unknown page: %d %s", nf.status, nf.body)
	}
	if api := s.do("GET", "/api/v1/nothing", nil); api.status != 404 || !strings.Contains(api.header.Get("Content-Type"), "problem+json") {
		t.Fatalf("unknown API path: %d %s", api.status, api.header.Get("Content-Type"))
	}
}

// An operator's own language setting picks the pages' language (over the
// browser's), until they switch.
func TestOperatorsLanguageSetting(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	s := newSite(t, d)
	ctx := program.WithActor(context.Background(), program.System("test"))
	if _, err := s.a.Programs.CreateOperator(ctx, program.NewOperator{Email: "amy@web.kox", Name: "Amy", Password: password, Locale: "en", Owner: true}); err != nil {
		t.Fatal(err)
	}
	s.signIn("amy@web.kox")
	if p := s.do("GET", "/", nil, "Accept-Language", "zh-CN"); !strings.Contains(p.body, "Your programs") {
		t.Fatalf("an operator whose setting is English: %s", p.body)
	}
	s.do("GET", "/lang?to=zh-CN&back=/", nil)
	if p := s.do("GET", "/", nil); !strings.Contains(p.body, "我的项目") {
		t.Fatal("the switch does not win over the setting")
	}
}
