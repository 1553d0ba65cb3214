package web_test

import (
	"bytes"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
)

var cardNumber = regexp.MustCompile(`href="/v/([A-Z0-9]{5}-[A-Z0-9]{5})"`)

// My card: a PNG with a number whose public page says I am a member; a
// promotion issues a new card and the old one's page says it was
// replaced; once I leave, the page says so.
func TestIdentityCardAndItsVerification(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		s := w.s
		w.signIn(t, w.me)
		page := s.do("GET", "/m/card", nil)
		checkPage(t, page)
		m := cardNumber.FindStringSubmatch(page.body)
		if page.status != 200 || m == nil {
			t.Fatalf("card page: %d %s", page.status, page.body)
		}
		first := m[1]
		pic := s.do("GET", "/m/card.png?download=1", nil)
		img, err := png.Decode(bytes.NewReader([]byte(pic.body)))
		if pic.status != 200 || err != nil || img.Bounds().Dx() < 1000 || !strings.Contains(pic.header.Get("Content-Disposition"), first) {
			t.Fatalf("card PNG: %d %v %v", pic.status, err, pic.header)
		}
		// Anyone may verify, signed in or not, in either language.
		stranger := s.another()
		v := stranger.do("GET", "/v/"+first, nil)
		checkPage(t, v)
		if v.status != 200 || !strings.Contains(v.body, "真实有效的会员") || !strings.Contains(v.body, "林小满") || strings.Contains(v.body, "杭州") {
			t.Fatalf("verification: %d %s", v.status, v.body)
		}
		if en := stranger.do("GET", "/v/"+strings.ReplaceAll(strings.ToLower(first), "-", ""), nil, "Accept-Language", "en"); !strings.Contains(en.body, "Genuine and current member") {
			t.Fatalf("verification in English, number as typed: %s", en.body)
		}
		// Promoted: a new card; the old one is replaced.
		if _, err := s.a.Ladders.SetTier(w.ctx, w.sc, w.me.PublicID, "main", "experience", "试驾表现好"); err != nil {
			t.Fatal(err)
		}
		second := cardNumber.FindStringSubmatch(s.do("GET", "/m/card", nil).body)[1]
		if second == first {
			t.Fatal("a new title kept the old card")
		}
		if p := stranger.do("GET", "/v/"+first, nil); !strings.Contains(p.body, "此卡已被新卡取代") {
			t.Fatalf("the old card after promotion: %s", p.body)
		}
		if p := stranger.do("GET", "/v/"+second, nil); !strings.Contains(p.body, "真实有效的会员") {
			t.Fatalf("the new card: %s", p.body)
		}
		// Gone: the card says so.
		left := member.Left
		if _, err := s.a.Members.Update(w.ctx, w.sc, w.me.PublicID, member.Patch{Status: &left}); err != nil {
			t.Fatal(err)
		}
		if p := stranger.do("GET", "/v/"+second, nil); !strings.Contains(p.body, "已不是会员") {
			t.Fatalf("a card of a member who left: %s", p.body)
		}
		if p := stranger.do("GET", "/v/AAAAA-BBBBB", nil); p.status != 404 {
			t.Fatalf("no such card: %d", p.status)
		}
	})
}
