package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"kox/internal/app"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ledger"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// server runs a over a real listener until the test ends; wait returns what
// Serve returned once it has.
func server(t *testing.T, a *app.App) (base string, stop context.CancelFunc, wait func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	wait = func() error {
		once.Do(func() { serveErr = <-done })
		return serveErr
	}
	t.Cleanup(func() {
		cancel()
		wait()
	})
	return "http://" + ln.Addr().String(), cancel, wait
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		a := app.Assemble(app.Config{Version: "test", Logger: quiet()}, d)
		base, _, _ := server(t, a)

		code, body, h := get(t, base+"/healthz")
		if code != 200 || !strings.Contains(body, `"ok"`) || h.Get("X-Request-Id") == "" {
			t.Fatalf("healthz = %d %s %v", code, body, h)
		}
		code, body, _ = get(t, base+"/readyz")
		if code != 200 || !strings.Contains(body, `"ready"`) {
			t.Fatalf("readyz = %d %s", code, body)
		}
		// A ledger transfer shows up in the metrics by result.
		p := program(t, d)
		src, _ := a.Ledger.OpenAccount(context.Background(), ledger.AccountSpec{ProgramID: p, Asset: "points", Code: "src"})
		dst, _ := a.Ledger.OpenAccount(context.Background(), ledger.AccountSpec{ProgramID: p, Asset: "points", Code: "dst", Limit: ledger.DebitsMustNotExceedCredits})
		if _, err := a.Ledger.Transfer(context.Background(), p, []ledger.Transfer{
			{ClientID: "m1", DebitAccountID: src.ID, CreditAccountID: dst.ID, Amount: 1},
			{ClientID: "m2", DebitAccountID: dst.ID, CreditAccountID: src.ID, Amount: 5},
		}); err != nil {
			t.Fatal(err)
		}
		get(t, base+"/nowhere")
		code, body, h = get(t, base+"/metrics")
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
			t.Fatalf("metrics = %d %s", code, h.Get("Content-Type"))
		}
		for _, want := range []string{
			`go_goroutines `,
			`process_resident_memory_bytes `,
			`kox_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
			`kox_http_requests_total{code="404",method="GET",route="/"} 1`,
			`kox_http_request_duration_seconds_count{method="GET",route="GET /readyz"} 1`,
			`kox_ledger_transfers_total{result="ok"} 1`,
			`kox_ledger_transfers_total{result="exceeds_credits"} 1`,
			`kox_build_info{version="test"} 1`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
	})
}

func program(t *testing.T, d *db.DB) int64 {
	var id int64
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRowContext(context.Background(), `INSERT INTO programs (public_id, slug, name, created_at)
			VALUES ('prg_t', 'test', 'Test', 0) RETURNING id`).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestNotReadyWhenSchemaIsBehind(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			d := dbtest.OpenEmpty(t, e)
			a := app.Assemble(app.Config{Logger: quiet()}, d)
			base, _, _ := server(t, a)
			code, body, _ := get(t, base+"/readyz")
			if code != http.StatusServiceUnavailable || !strings.Contains(body, "behind") {
				t.Fatalf("readyz on an unmigrated database = %d %s", code, body)
			}
			if err := d.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			if code, body, _ := get(t, base+"/readyz"); code != 200 {
				t.Fatalf("readyz after migrating = %d %s", code, body)
			}
		})
	}
}

// PostgreSQL behind a proxy that the test cuts: readiness goes false while the
// database is unreachable and true again when it is back; health stays true.
func TestNotReadyWhileDatabaseUnreachable(t *testing.T) {
	t.Run("postgres", notReadyWhileUnreachable)
}

func notReadyWhileUnreachable(t *testing.T) {
	target := dbtest.Target(t, db.Postgres)
	px := startProxy(t, "127.0.0.1:5432")
	url := strings.Replace(target.URL, "127.0.0.1:5432", px.addr, 1)
	url = strings.Replace(url, "localhost:5432", px.addr, 1)
	if !strings.Contains(url, px.addr) {
		t.Skipf("KOX_TEST_POSTGRES is not on 127.0.0.1:5432: %s", target.URL)
	}
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := app.Assemble(app.Config{Logger: quiet()}, d)
	base, _, _ := server(t, a)
	if code, body, _ := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz = %d %s", code, body)
	}
	px.cut()
	code, body, _ := get(t, base+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "unreachable") {
		t.Fatalf("readyz with the database cut off = %d %s", code, body)
	}
	if code, _, _ := get(t, base+"/healthz"); code != 200 {
		t.Fatalf("healthz with the database cut off = %d, want 200: the process is up", code)
	}
	px.restore()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body, _ := get(t, base+"/readyz")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz after the database came back = %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestNotReadyAfterDatabaseClosed(t *testing.T) {
	t.Run("sqlite", notReadyAfterClosed)
}

func notReadyAfterClosed(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	a := app.Assemble(app.Config{Logger: quiet()}, d)
	base, _, _ := server(t, a)
	d.R.Close()
	if code, body, _ := get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed = %d %s", code, body)
	}
}

// Shutdown lets a request that is in flight finish, then stops.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	a := app.Assemble(app.Config{Logger: quiet(), ShutdownTimeout: 10 * time.Second}, d)
	started, release := make(chan struct{}), make(chan struct{})
	inner := a.Handler
	a.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
			w.Write([]byte("finished"))
			return
		}
		inner.ServeHTTP(w, r)
	})
	base, cancel, wait := server(t, a)
	stopped := make(chan error, 1)

	type result struct {
		code int
		body string
		err  error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		slow <- result{code: resp.StatusCode, body: string(b)}
	}()
	<-started
	cancel() // what SIGTERM does in kox serve
	go func() { stopped <- wait() }()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("server stopped with a request in flight: %v", err)
	default:
	}
	// New connections are refused while draining.
	if _, err := (&http.Client{Timeout: time.Second}).Get(base + "/healthz"); err == nil {
		t.Fatal("a new request was served during shutdown")
	}
	close(release)
	r := <-slow
	if r.err != nil || r.code != 200 || r.body != "finished" {
		t.Fatalf("in-flight request = %+v", r)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Serve = %v", err)
	}
}

type proxy struct {
	t        *testing.T
	upstream string
	addr     string
	mu       sync.Mutex
	ln       net.Listener
	conns    []net.Conn
}

func startProxy(t *testing.T, upstream string) *proxy {
	p := &proxy{t: t, upstream: upstream}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection through it.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy restore: %v", err)
	}
	p.serve(ln)
}
