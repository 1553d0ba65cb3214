package web_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/task"
)

// pngBytes is a small PNG picture.
func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// handIn posts the hand-in form with files, as a phone's browser would.
func (s *site) handIn(path string, fields map[string]string, files map[string][]byte) page {
	s.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for name, data := range files {
		part, _ := w.CreateFormFile("images", name)
		_, _ = part.Write(data)
	}
	_ = w.Close()
	req, _ := http.NewRequest("POST", s.srv.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return s.send(req)
}

var imagePath = regexp.MustCompile(`src="(/m/images/img_[A-Za-z0-9]+)"`)

// A member hands in photos with their work: kept in the database, shown to
// them and to the reviewer, to no other member; a file that is not an
// image is refused on the form and nothing is written.
func TestPortalImages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		s := w.s
		tk := w.task(t, task.Input{Title: "晒图", Kind: task.LightInteraction, Mode: task.Open, Capacity: 5})
		w.signIn(t, w.me)
		take := s.do("POST", "/m/tasks/"+tk.PublicID+"/take", nil)
		claim := take.header.Get("Location")
		bad := s.handIn(claim+"/submit", map[string]string{"text": "看图"}, map[string][]byte{"a.png": pngBytes(), "notes.txt": []byte("not a picture at all")})
		checkPage(t, bad)
		if bad.status != 422 || !strings.Contains(bad.body, "JPEG") {
			t.Fatalf("a text file as a photo: %d %s", bad.status, bad.body)
		}
		var n int
		if err := d.R.QueryRow(`SELECT (SELECT count(*) FROM submissions) + (SELECT count(*) FROM images)`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("submissions and images after a refused hand-in: %d %v", n, err)
		}
		ok := s.handIn(claim+"/submit", map[string]string{"text": "露营晒图"}, map[string][]byte{"a.png": pngBytes(), "b.png": pngBytes()})
		if ok.status != 303 {
			t.Fatalf("hand in photos: %d %s", ok.status, ok.body)
		}
		page := s.do("GET", claim, nil)
		checkPage(t, page)
		srcs := imagePath.FindAllStringSubmatch(page.body, -1)
		if len(srcs) != 2 {
			t.Fatalf("my photos on my task: %d", len(srcs))
		}
		pic := s.do("GET", srcs[0][1], nil)
		if pic.status != 200 || pic.header.Get("Content-Type") != "image/png" || !bytes.Equal([]byte(pic.body), pngBytes()) {
			t.Fatalf("my photo: %d %s", pic.status, pic.header.Get("Content-Type"))
		}
		// Another member cannot see it.
		other := s.another()
		ow := &portalWorld{s: other, ctx: w.ctx, sc: w.sc}
		ow.signIn(t, w.you)
		if p := other.do("GET", srcs[0][1], nil); p.status != 404 {
			t.Fatalf("another member's photo: %d", p.status)
		}
		// The reviewer sees them in the queue.
		rev := s.another()
		rev.signIn("owner@web.kox")
		q := rev.do("GET", "/p/qicheng/review", nil)
		ref := strings.TrimPrefix(srcs[0][1], "/m/images/")
		if !strings.Contains(q.body, `src="/p/qicheng/images/`+ref+`"`) {
			t.Fatalf("the review queue lacks the photo: %s", q.body)
		}
		if p := rev.do("GET", "/p/qicheng/images/"+ref, nil); p.status != 200 || p.header.Get("Content-Type") != "image/png" {
			t.Fatalf("reviewer's photo: %d", p.status)
		}
	})
}
