package api_test

import (
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// Over HTTP: a bad period is named on its field; the honorary title is
// given with a citation and a prize in words; the public honour wall,
// read with no token, shows the winner's name and citation and nothing
// private; the member reads their own honours.
func TestAwardsOverHTTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		base := "/api/v1/programs/" + slug
		if r := e.call("POST", base+"/awards", e.owner, map[string]any{"kind": "quarterly_star", "period": "2026-13"}); r.status != 422 ||
			!strings.Contains(r.raw, `"award.period"`) || !strings.Contains(r.raw, `"body.period"`) {
			t.Fatalf("a bad period: %d %s", r.status, r.raw)
		}
		year := time.Now().Format("2006")
		a := e.call("POST", base+"/awards", e.owner, map[string]any{"kind": "honorary", "period": year, "title_zh": "年度荣誉顾问", "title_en": "Honorary advisor"})
		if a.status != 201 {
			t.Fatalf("create: %d %s", a.status, a.raw)
		}
		m := e.member(slug, map[string]any{"status": "active", "phone": "13912345678"})
		member := m["id"].(string)
		w := e.call("POST", base+"/awards/"+a.str("id")+"/winners", e.owner, map[string]any{"member": member, "citation": "三年陪伴新车主",
			"prize_kind": "other", "prize_text": "年度峰会席位"})
		if w.status != 201 || w.str("prize_text") != "年度峰会席位" {
			t.Fatalf("win: %d %s", w.status, w.raw)
		}
		if again := e.call("POST", base+"/awards/"+a.str("id")+"/winners", e.owner, map[string]any{"member": member, "citation": "再来", "prize_kind": "none"}); again.status != 409 ||
			again.str("code") != "award.already_won" {
			t.Fatalf("twice: %d %s", again.status, again.raw)
		}
		wall := e.call("GET", "/api/v1/honour-walls/"+slug, "", nil)
		if wall.status != 200 || len(wall.items()) != 1 || wall.items()[0]["citation"] != "三年陪伴新车主" {
			t.Fatalf("wall: %d %s", wall.status, wall.raw)
		}
		for _, private := range []string{"13912345678", "峰会", member} {
			if strings.Contains(wall.raw, private) {
				t.Errorf("the wall shows %q", private)
			}
		}
		tok := e.memberToken(slug, member)
		if mine := e.call("GET", base+"/members/"+member+"/honours", tok, nil); mine.status != 200 || len(mine.items()) != 1 {
			t.Fatalf("my honours: %d %s", mine.status, mine.raw)
		}
	})
}
