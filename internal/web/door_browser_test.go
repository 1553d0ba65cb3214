package web_test

import (
	"bytes"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kox/internal/card"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/event"
)

// In a real browser with a camera (chromium's fake one, filming the
// member's QR ticket): an operator on a phone opens the event's door,
// scans, and the member is checked in; the same ticket typed again is
// refused, saying when it was used.
func TestBrowserDoorScansTheTicket(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		s := w.s
		e, err := s.a.Events.Create(w.ctx, w.sc, event.EventInput{Kind: event.FactoryTour, Title: "宁波超级工厂探秘", StartsAt: time.Now().Add(48 * time.Hour),
			Capacity: 10, Allocation: event.FirstCome})
		if err == nil {
			e, err = s.a.Events.Publish(w.ctx, w.sc, e.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		seat, err := s.a.Events.RSVP(w.ctx, w.sc, e.PublicID, w.me.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		film := filepath.Join(t.TempDir(), "ticket.y4m")
		if err := os.WriteFile(film, y4m(t, seat.Ticket), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx := browser(t, chromedp.Flag("use-fake-ui-for-media-stream", true), chromedp.Flag("use-fake-device-for-media-stream", true),
			chromedp.Flag("use-file-for-fake-video-capture", film))
		shot := func(name string) string { return "door-" + name + "-" + string(d.Engine) }
		run, text := driver(t, ctx)
		run("operator opens the door", phone, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.SendKeys("#email", "owner@web.kox"),
			chromedp.SendKeys("#password", password), chromedp.Submit("#password"), chromedp.WaitVisible(`[data-test="programs"]`),
			chromedp.Navigate(s.srv.URL+"/p/qicheng/events/"+e.PublicID), chromedp.Click(`[data-test="door-link"]`), chromedp.WaitVisible(`[data-test="scan"]`))
		if c := text(`[data-test="checked-in"]`); !strings.Contains(c, "0 / 1") {
			t.Fatalf("before: %q", c)
		}
		shoot(t, ctx, shot("ready"))
		run("scans the ticket", chromedp.Click(`[data-test="scan"]`), chromedp.WaitVisible(`[data-test="admitted"]`))
		if a := text(`[data-test="admitted"]`); !strings.Contains(a, w.me.Name) {
			t.Fatalf("admitted: %q", a)
		}
		if c := text(`[data-test="checked-in"]`); !strings.Contains(c, "1 / 1") {
			t.Fatalf("after: %q", c)
		}
		shoot(t, ctx, shot("admitted"))
		run("types it again", chromedp.SendKeys(`#f-ticket`, seat.Ticket), chromedp.Click(`[data-test="admit"]`), chromedp.WaitVisible(`[data-test="error"]`))
		if e := text(`[data-test="error"]`); !strings.Contains(e, "已") {
			t.Fatalf("a used ticket: %q", e)
		}
		shoot(t, ctx, shot("used"))
		got, err := s.a.Events.Seat(w.ctx, w.sc, seat.PublicID)
		if err != nil || got.CheckedInAt.IsZero() {
			t.Fatalf("the seat: %+v %v", got, err)
		}
	})
}

// y4m is a short film of the ticket's QR code for chromium's fake camera:
// a few identical grey frames (YUV 4:2:0, the colour planes neutral).
func y4m(t *testing.T, ticket string) []byte {
	t.Helper()
	pic, err := card.QR(ticket, 480)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pic))
	if err != nil {
		t.Fatal(err)
	}
	const size = 640
	b := img.Bounds()
	var out bytes.Buffer
	out.WriteString("YUV4MPEG2 W640 H640 F10:1 Ip A1:1 C420jpeg\n")
	frame := make([]byte, size*size+2*(size/2)*(size/2))
	for y := range size {
		for x := range size {
			v := byte(255) // a white margin around the code
			if ix, iy := x-(size-b.Dx())/2, y-(size-b.Dy())/2; ix >= 0 && iy >= 0 && ix < b.Dx() && iy < b.Dy() {
				v = color.GrayModel.Convert(img.At(b.Min.X+ix, b.Min.Y+iy)).(color.Gray).Y
			}
			frame[y*size+x] = v
		}
	}
	for i := size * size; i < len(frame); i++ {
		frame[i] = 128
	}
	for range 10 {
		out.WriteString("FRAME\n")
		out.Write(frame)
	}
	return out.Bytes()
}
