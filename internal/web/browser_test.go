package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// browser starts Debian's chromium headless for the test (never a
// downloaded build), or skips saying why when none is installed; the test
// script installs it, and with KOX_REQUIRE_BROWSER set a missing browser
// fails the test instead. flags are more of chromium's switches (a fake
// camera, say).
func browser(t *testing.T, flags ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("KOX_REQUIRE_BROWSER") != "" {
			t.Fatal("no chromium installed, and KOX_REQUIRE_BROWSER is set")
		}
		t.Skip("browser: skipped, no chromium installed (./scripts/test installs it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"), chromedp.UserDataDir(t.TempDir()))
	opts = append(opts, flags...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// screenshots is where the pages' pictures go: KOX_SCREENSHOTS (the test
// script sets it to screenshots/ in the checkout), else a temporary folder.
func screenshots(t *testing.T) string {
	dir := os.Getenv("KOX_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "kox-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

var shownKey = regexp.MustCompile(`\[[a-z_]+(\.[a-z_]+)+\]`)

// shoot takes the page at a phone's and a desk's width: each picture must
// not be blank, the phone's must not scroll sideways, and the page must
// show no missing translation key.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, width := range []int64{375, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
			t.Fatal(err)
		}
		pic, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(screenshots(t), fmt.Sprintf("%s-%d.png", name, width))
		if err := os.WriteFile(file, pic, 0o644); err != nil {
			t.Fatal(err)
		}
		if blank(pic) {
			t.Errorf("%s at %d px is blank", name, width)
		}
		if width == 375 {
			over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if over {
				t.Errorf("%s scrolls sideways at 375 px", name)
			}
		}
	}
	text, err := chromedp.Run(ctx, chromedp.Text("body"))
	if err != nil {
		t.Fatal(err)
	}
	if m := shownKey.FindString(text); m != "" {
		t.Errorf("%s shows a missing translation: %s", name, m)
	}
}

// blank: a picture (PNG) whose pixels are nearly all one colour.
func blank(pic []byte) bool {
	img, err := png.Decode(bytes.NewReader(pic))
	if err != nil {
		return true
	}
	b := img.Bounds()
	colors := map[uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colors[(r>>12)<<8|(g>>12)<<4|bl>>12] = true
		}
	}
	return len(colors) < 3
}

// An operator signs in in a real browser, in Chinese, sees their programs,
// switches to English, and signs out; every page is pictured at a phone's
// and a desk's width.
func TestBrowserSignIn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := browser(t)
		s := newSite(t, d)
		if err := chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
		shoot(t, ctx, "signin-"+string(d.Engine))
		title, err := chromedp.Run(ctx, chromedp.Text("h1"))
		if err != nil || title != "登录 kox" {
			t.Fatalf("sign-in page: %q, %v", title, err)
		}
		if err := chromedp.Do(ctx,
			chromedp.SendKeys("#email", "owner@web.kox"),
			chromedp.SendKeys("#password", password),
			chromedp.Submit("#password"),
			chromedp.WaitVisible(`[data-test="programs"]`),
		); err != nil {
			t.Fatal(err)
		}
		shoot(t, ctx, "console-home-"+string(d.Engine))
		programs, err := chromedp.Run(ctx, chromedp.Text(`[data-test="programs"]`))
		if err != nil || !strings.Contains(programs, "启程汽车 车主计划") {
			t.Fatalf("programs: %q, %v", programs, err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(`[data-test="lang-switch"]`), chromedp.WaitVisible(`[data-test="programs"]`)); err != nil {
			t.Fatal(err)
		}
		heading, err := chromedp.Run(ctx, chromedp.Text("h1"))
		if err != nil || heading != "Your programs" {
			t.Fatalf("after switching to English: %q, %v", heading, err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(`form[action="/signout"] button`), chromedp.WaitVisible("#email")); err != nil {
			t.Fatal(err)
		}
		where, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || !strings.HasSuffix(where, "/signin") {
			t.Fatalf("after signing out: %q, %v", where, err)
		}
	})
}

// Viewports: an operator's desk and a member's phone.
var (
	desk  = chromedp.EmulateViewport(1280, 900)
	phone = chromedp.EmulateViewport(375, 800)
)

// driver is a browser test's two verbs: run steps (failing with where the
// page was and what it said), and read an element's text.
func driver(t *testing.T, ctx context.Context) (run func(what string, steps ...chromedp.Action[chromedp.Void]), text func(sel string) string) {
	run = func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			where, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text("body"))
			t.Fatalf("%s (at %s): %v\n%s", what, where, err, body)
		}
	}
	text = func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	return run, text
}
