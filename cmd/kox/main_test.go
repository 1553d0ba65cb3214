package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"kox/internal/app"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	kprogram "kox/internal/program"
	"kox/internal/task"
)

// The test binary doubles as kox: with KOX_TEST_MAIN set it runs main, so the
// tests below start real kox processes and send them real signals.
func TestMain(m *testing.M) {
	if os.Getenv("KOX_TEST_MAIN") != "" {
		main()
		return
	}
	os.Exit(dbtest.Main(m))
}

type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	logs *lockedBuffer // what kox logged on stderr
	out  *lockedBuffer // what kox printed on stdout
	done chan error
}

// client answers or gives up: a test that waits forever on a stuck kox hides
// what went wrong behind the suite's timeout.
var client = &http.Client{Timeout: time.Minute}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs kox with args in dir and waits until it says it is listening.
func start(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KOX_TEST_MAIN=1", "KOX_LOG_FORMAT=json", "KOX_DB=", "KOX_ADDR=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, logs: &lockedBuffer{}, out: out, done: make(chan error, 1)}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 16*1024*1024) // a long log line must not stop the reading, or kox blocks on stderr
		for sc.Scan() {
			line := sc.Text()
			p.logs.Write([]byte(line + "\n"))
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "listening" {
				listening <- rec["addr"].(string)
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case p.addr = <-listening:
	case err := <-p.done:
		t.Fatalf("kox %v exited before listening: %v\n%s", args, err, p.logs)
	case <-time.After(3 * time.Minute):
		t.Fatalf("kox %v did not start listening\n%s", args, p.logs)
	}
	return p
}

func (p *proc) get(path string) (int, string) {
	p.t.Helper()
	resp, err := client.Get("http://" + p.addr + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// stop sends SIGTERM and expects a clean exit.
func (p *proc) stop() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Fatalf("kox exited with %v after SIGTERM\n%s", err, p.logs)
		}
	case <-time.After(30 * time.Second):
		p.t.Fatalf("kox did not stop after SIGTERM\n%s", p.logs)
	}
	if !strings.Contains(p.logs.String(), `"msg":"stopped"`) {
		p.t.Fatalf("no clean stop in the logs:\n%s", p.logs)
	}
}

func runKox(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KOX_TEST_MAIN=1", "KOX_DB=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// kox serve on each engine: healthy, ready, and a clean stop on SIGTERM.
func TestServe(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			dsn := dsnFor(t, e)
			p := start(t, t.TempDir(), "serve", "--addr", "127.0.0.1:0", "--db", dsn)
			if code, body := p.get("/healthz"); code != 200 {
				t.Fatalf("healthz = %d %s", code, body)
			}
			if code, body := p.get("/readyz"); code != 200 {
				t.Fatalf("readyz = %d %s", code, body)
			}
			p.stop()
		})
	}
}

// kox demo on a fresh folder creates its database and serves; a second run
// reuses it.
func TestDemo(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		for run := 0; run < 2; run++ {
			p := start(t, dir, "demo", "--addr", "127.0.0.1:0", "--size", "small")
			if code, _ := p.get("/healthz"); code != 200 {
				t.Fatalf("run %d: healthz = %d", run, code)
			}
			// It prints the console's address and a sign-in link per program,
			// and each link signs its member in.
			if run == 0 {
				links := demoLinks(t, p)
				if len(links) != 2 {
					t.Fatalf("demo printed %d member sign-in links:\n%s", len(links), p.out)
				}
				for _, link := range links {
					memberSignsIn(t, link)
				}
				// The delivery job sends the car program's events to the
				// demo's own receiver, which checks their signatures.
				sentWebhooks(t, filepath.Join(dir, "kox-data", "demo.db"))
			}
			// The first run loads the demo through the ledger; the second finds it loaded.
			if code, body := p.get("/metrics"); code != 200 || (run == 0 && !strings.Contains(body, `kox_ledger_transfers_total{result="ok"}`)) {
				t.Fatalf("run %d: metrics = %d, no ledger transfers counted", run, code)
			}
			p.stop()
		}
		if _, err := os.Stat(filepath.Join(dir, "kox-data", "demo.db")); err != nil {
			t.Fatalf("demo database: %v", err)
		}
	})
}

func TestMigrateCommand(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			target := dbtest.Target(t, e)
			dsn := target.URL
			if e == db.SQLite {
				dsn = target.Path
			}
			for i := 0; i < 2; i++ {
				code, out, errs := runKox(t, t.TempDir(), "migrate", "--db", dsn)
				if code != 0 || !strings.Contains(out, "schema at version") {
					t.Fatalf("migrate run %d: %d %s %s", i, code, out, errs)
				}
			}
			d, err := db.OpenTarget(context.Background(), target)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if ok, err := d.SchemaCurrent(context.Background()); !ok || err != nil {
				t.Fatalf("after kox migrate: current=%v %v", ok, err)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	dir := t.TempDir()
	if code, out, _ := runKox(t, dir, "version"); code != 0 || !strings.HasPrefix(out, "kox ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, out, _ := runKox(t, dir, "--help"); code != 0 || !strings.Contains(out, "serve") || !strings.Contains(out, "demo") {
		t.Fatalf("--help: %d %q", code, out)
	}
	for _, c := range []string{"serve", "demo", "migrate", "version"} {
		code, _, errs := runKox(t, dir, c, "--help")
		if code != 0 || !strings.Contains(errs, "Usage: kox "+c) {
			t.Errorf("%s --help: %d %q", c, code, errs)
		}
	}
	if code, _, errs := runKox(t, dir, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errs)
	}
	if code, _, _ := runKox(t, dir, "serve", "--no-such-flag"); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
	if code, _, errs := runKox(t, dir, "serve", "--db", "mysql://x"); code != 1 || !strings.Contains(errs, "postgres://") {
		t.Errorf("bad database: %d %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "kox-data")); err == nil {
		t.Error("a failed command created kox-data")
	}
}

// kox program export, then apply to another database, then apply a broken
// copy: the broken one is refused and changes nothing.
func TestProgramApplyAndExportCommands(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		p := start(t, dir, "demo", "--addr", "127.0.0.1:0", "--size", "small")
		p.stop()
		code, out, errs := runKox(t, dir, "program", "export", "demo-car", "--db", "kox-data/demo.db")
		if code != 0 || !strings.Contains(out, "slug: demo-car") || !strings.Contains(out, "key: relationship") {
			t.Fatalf("export: %d %s %s", code, out, errs)
		}
		file := filepath.Join(dir, "car.yaml")
		if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out, errs := runKox(t, dir, "program", "apply", file, "--db", "copy.db"); code != 0 || !strings.Contains(out, "+ tier main/product") {
			t.Fatalf("apply: %d %s %s", code, out, errs)
		}
		data, _ := os.ReadFile(file)
		bad := strings.Replace(string(data), "budget_layer: broad", "budget_layer: lavish", 1)
		bad = strings.Replace(bad, "name: 启程汽车 · 车主体验官计划", "name: 改名了", 1)
		badFile := filepath.Join(dir, "bad.yaml")
		os.WriteFile(badFile, []byte(bad), 0o644)
		code, _, errs = runKox(t, dir, "program", "apply", badFile, "--db", "copy.db")
		if code != 1 || !strings.Contains(errs, "budget_layer") || !strings.Contains(errs, "nothing changed") {
			t.Fatalf("bad apply: %d %s", code, errs)
		}
		code, again, _ := runKox(t, dir, "program", "export", "demo-car", "--db", "copy.db")
		if code != 0 || again != string(data) {
			t.Fatalf("after a refused apply the program differs from the file:\n%s", again)
		}
	})
}

// The README's flow script runs, as written, against a real server.
func TestReadmeFlow(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		readme, err := os.ReadFile("../../README.md")
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(readme), "<!-- flow -->\n```sh\n")
		script, _, ok2 := strings.Cut(rest, "```\n<!-- /flow -->")
		if !ok || !ok2 {
			t.Fatal("README has no flow script between <!-- flow --> markers")
		}
		dir := t.TempDir()
		if code, out, errs := runKox(t, dir, "operator", "add", "--db", "kox.db", "--owner", "--email", "first@kox.test",
			"--name", "First", "--password", "first-password"); code != 0 {
			t.Fatalf("operator add: %d %s %s", code, out, errs)
		}
		p := start(t, dir, "serve", "--addr", "127.0.0.1:0", "--db", "kox.db")
		defer p.stop()
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Env = append(os.Environ(), "KOX=http://"+p.addr, "EMAIL=first@kox.test", "PASSWORD=first-password")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("flow script: %v\n%s", err, out)
		}
		s := string(out)
		for _, want := range []string{`"balance":100`, "task.publish claim.claimed submission.create submission.changes_requested submission.create submission.approved"} {
			if !strings.Contains(s, want) {
				t.Errorf("flow output lacks %q:\n%s", want, s)
			}
		}
	})
}

// A kox killed in the middle of 1,000 claims sent with Idempotency-Keys, and
// started again: every key, sent again, answers with the member's one claim
// — none stays stuck in progress, and no claim is made twice. Before the fix
// a key whose request died kept answering 409 for a day.
func TestClaimsWithKeysSurviveAKill(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			dsn := dsnFor(t, e)
			const n = 1000
			taskID, tokens := seedClaims(t, dsn, n)
			t.Setenv("KOX_IDEMPOTENCY_LEASE", "2s")
			p := start(t, t.TempDir(), "serve", "--addr", "127.0.0.1:0", "--db", dsn)
			path := "/api/v1/programs/crash/tasks/" + taskID + "/claims"
			// A 503 ("try again") is sent again with the same key, as a
			// client would, on a new connection: under the whole suite's
			// load one keep-alive connection was seen to answer every
			// request with 503, its requests' context already cancelled.
			claim := func(addr string, i int) (int, string, error) {
				for attempt := 0; ; attempt++ {
					req, _ := http.NewRequest("POST", "http://"+addr+path, strings.NewReader("{}"))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+tokens[i])
					req.Header.Set("Idempotency-Key", fmt.Sprintf("claim-%d", i))
					req.Close = attempt > 0
					res, err := client.Do(req)
					if err != nil {
						return 0, "", err
					}
					var body struct {
						ID string `json:"id"`
					}
					_ = json.NewDecoder(res.Body).Decode(&body)
					res.Body.Close()
					if res.StatusCode == http.StatusServiceUnavailable && attempt < 20 {
						time.Sleep(10 * time.Millisecond)
						continue
					}
					return res.StatusCode, body.ID, nil
				}
			}
			// Send them all, 32 at a time, and kill kox part way.
			var answered atomic.Int64
			var killed atomic.Bool
			var codes sync.Map // status or error → how many
			var wg sync.WaitGroup
			next := make(chan int, n)
			for i := 0; i < n; i++ {
				next <- i
			}
			close(next)
			for w := 0; w < 32; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range next {
						code, _, err := claim(p.addr, i)
						what := fmt.Sprint(code)
						if err != nil {
							what = "error"
						}
						c, _ := codes.LoadOrStore(what, new(atomic.Int64))
						c.(*atomic.Int64).Add(1)
						if err == nil && code == 201 && answered.Add(1) == n/3 {
							killed.Store(true)
							_ = p.cmd.Process.Signal(syscall.SIGKILL)
						}
					}
				}()
			}
			wg.Wait()
			if !killed.Load() {
				tally := map[string]int64{}
				codes.Range(func(k, v any) bool { tally[k.(string)] = v.(*atomic.Int64).Load(); return true })
				t.Fatalf("only %d of %d claims answered 201, so kox was never killed; answers: %v\n%s", answered.Load(), n, tally, p.logs)
			}
			select {
			case <-p.done:
			case <-time.After(time.Minute):
				t.Fatal("kox did not exit after SIGKILL")
			}
			if a := answered.Load(); a < n/3 || a >= n {
				t.Fatalf("%d claims answered before the kill; the kill must fall in the middle", a)
			}
			// Started again, after the dead requests' leases ran out.
			q := start(t, t.TempDir(), "serve", "--addr", "127.0.0.1:0", "--db", dsn)
			time.Sleep(2500 * time.Millisecond)
			ids := map[string]bool{}
			for i := 0; i < n; i++ {
				code, id, err := claim(q.addr, i)
				if err != nil || code != 201 || id == "" {
					t.Fatalf("key %d after the restart: %d %q %v, want the claim", i, code, id, err)
				}
				ids[id] = true
			}
			if len(ids) != n {
				t.Fatalf("%d distinct claims answered for %d members", len(ids), n)
			}
			d, err := db.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var claims, slots int
			d.R.QueryRow(`SELECT count(*) FROM task_claims`).Scan(&claims)
			d.R.QueryRow(`SELECT credits_posted - debits_posted FROM ledger_accounts WHERE code = 'task_claimed'`).Scan(&slots)
			if claims != n || slots != n {
				t.Fatalf("%d claims and %d slots taken, want %d of each", claims, slots, n)
			}
			q.stop()
		})
	}
}

// seedClaims makes the program "crash" with a published task of n slots
// and n active members signed in, and returns the task and their tokens.
func seedClaims(t *testing.T, dsn string, n int) (string, []string) {
	t.Helper()
	ctx := kprogram.WithActor(context.Background(), kprogram.System("test"))
	a, err := app.New(ctx, app.Config{DB: dsn, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	p, err := a.Programs.Create(ctx, kprogram.Program{Slug: "crash", Name: "Crash"})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := a.Programs.Scope(ctx, p.Slug)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := a.Tasks.Create(ctx, sc, task.Input{Title: "分享", Kind: task.Content, Mode: task.Open, Capacity: n})
	if err == nil {
		tk, err = a.Tasks.Publish(ctx, sc, tk.PublicID)
	}
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	err = a.DB.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < n; i++ {
			m, err := member.CreateTx(ctx, tx, p.ID, member.NewMember{Fields: member.Fields{Name: fmt.Sprintf("会员%d", i), Role: member.KOC,
				Status: member.Active}})
			if err != nil {
				return err
			}
			tok, _, err := kprogram.StartSessionTx(ctx, tx, kprogram.ActorMember, m.ID, p.ID, kprogram.Actor{PublicID: m.PublicID, Name: m.Name})
			if err != nil {
				return err
			}
			tokens = append(tokens, tok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk.PublicID, tokens
}

// dsnFor is a fresh database on the engine, as kox's --db takes it.
func dsnFor(t *testing.T, e db.Engine) string {
	t.Helper()
	target := dbtest.Target(t, e)
	if e == db.SQLite {
		return "sqlite:" + target.Path
	}
	return target.URL
}

var demoLink = regexp.MustCompile(`http://localhost:\d+/m/signin\?code=([A-Z2-7]{5}-[A-Z2-7]{5})`)

// demoLinks waits for the demo's printed sign-in links.
func demoLinks(t *testing.T, p *proc) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out := p.out.String()
		if strings.Contains(out, "Console:  http://localhost:") && strings.Contains(out, "owner@kox.demo") && len(demoLink.FindAllString(out, -1)) >= 2 {
			return demoLink.FindAllString(out, -1)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the demo did not print its addresses:\n%s", p.out)
	return nil
}

// memberSignsIn opens a printed link and signs in with its code.
func memberSignsIn(t *testing.T, link string) {
	t.Helper()
	code := demoLink.FindStringSubmatch(link)[1]
	res, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), code) {
		t.Fatalf("%s: %d", link, res.StatusCode)
	}
	noRedirect := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := strings.NewReader(url.Values{"code": {code}}.Encode())
	post, err := noRedirect.Post(strings.Split(link, "?")[0], "application/x-www-form-urlencoded", form)
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != 303 || post.Header.Get("Location") != "/m" {
		t.Fatalf("signing in with %s: %d %s", code, post.StatusCode, post.Header.Get("Location"))
	}
}

// kox backup writes a copy of the SQLite database into a folder that keeps
// the newest --keep; kox restore brings one back (refusing to replace a
// database without --force) and the restored file holds what was there.
func TestBackupAndRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "kox.db")
	if code, out, errs := runKox(t, dir, "migrate", "--db", dbPath); code != 0 {
		t.Fatalf("migrate: %s %s", out, errs)
	}
	d, err := db.Open(context.Background(), "sqlite:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec(`INSERT INTO programs (public_id, slug, name, created_at) VALUES ('prg_bk', 'backed-up', '备份', 0)`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	backups := filepath.Join(dir, "backups")
	var last string
	for i := 0; i < 3; i++ {
		code, out, errs := runKox(t, dir, "backup", "--db", dbPath, "--dir", backups, "--keep", "2")
		if code != 0 || !strings.HasPrefix(out, "wrote "+backups) {
			t.Fatalf("backup %d: %d %s %s", i, code, out, errs)
		}
		last = strings.TrimSpace(strings.SplitN(strings.TrimPrefix(out, "wrote "), "\n", 2)[0])
	}
	if es, _ := os.ReadDir(backups); len(es) != 2 {
		t.Fatalf("%d copies kept, want 2", len(es))
	}
	if code, _, errs := runKox(t, dir, "restore", "--from", last, "--db", dbPath); code == 0 || !strings.Contains(errs, "--force") {
		t.Fatalf("restore over a database without --force: %d %s", code, errs)
	}
	to := filepath.Join(dir, "restored.db")
	if code, out, errs := runKox(t, dir, "restore", "--from", last, "--db", to); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: %d %s %s", code, out, errs)
	}
	r, err := db.Open(context.Background(), "sqlite:"+to)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var name string
	if err := r.R.QueryRow(`SELECT name FROM programs WHERE slug = 'backed-up'`).Scan(&name); err != nil || name != "备份" {
		t.Fatalf("the restored database: %q %v", name, err)
	}
}

// sentWebhooks waits for the running demo's delivery job to have sent
// webhook deliveries that its receiver accepted.
func sentWebhooks(t *testing.T, path string) {
	t.Helper()
	d, err := db.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var sent, refused int
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		d.R.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE status = 'sent' AND last_status = 204`).Scan(&sent)
		d.R.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE last_status = 401`).Scan(&refused)
		if sent > 0 {
			break
		}
	}
	if sent == 0 || refused != 0 {
		t.Fatalf("the demo's webhooks: %d accepted, %d refused", sent, refused)
	}
}
