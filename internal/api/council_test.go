package api_test

import (
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// Over HTTP: a member raises an item with their own token; an operator's
// decline without a note names the note; the adopted item's status and
// note reach its member and no other. A session's invitee answers and
// reads the minutes; a mentor writes in the thread and nominates, and an
// operator may do neither.
func TestCouncilOverHTTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		base := "/api/v1/programs/" + slug
		a, b := e.activeMember(slug), e.activeMember(slug)
		ta, tb := e.memberToken(slug, a), e.memberToken(slug, b)

		if r := e.call("POST", base+"/feedback", ta, map[string]any{"title": ""}); r.status != 422 || !strings.Contains(r.raw, `"title"`) {
			t.Fatalf("no title: %d %s", r.status, r.raw)
		}
		it := e.call("POST", base+"/feedback", ta, map[string]any{"title": "希望增加儿童座椅提醒", "body": "接送孩子时常忘记", "member": b})
		if it.status != 201 || it.str("status") != "new" || it.str("member") != a {
			t.Fatalf("raise (as themselves, whatever the body says): %d %s", it.status, it.raw)
		}
		id := it.str("id")
		if r := e.call("GET", base+"/feedback/"+id, tb, nil); r.status != 404 {
			t.Fatalf("b reads a's item: %d", r.status)
		}
		if r := e.call("POST", base+"/feedback/"+id+"/answer", ta, map[string]any{"status": "adopted"}); r.status != 403 {
			t.Fatalf("a answers their own: %d", r.status)
		}
		if r := e.call("POST", base+"/feedback/"+id+"/answer", e.owner, map[string]any{"status": "declined"}); r.status != 422 || !strings.Contains(r.raw, "council.decline_reason") {
			t.Fatalf("decline without a reason: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/feedback/"+id+"/answer", e.owner, map[string]any{"status": "adopted", "note": "将在 OTA 3.2 上线"}); r.status != 200 {
			t.Fatalf("adopt: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", base+"/feedback/"+id, ta, nil); r.status != 200 || r.str("status") != "adopted" || r.str("note") != "将在 OTA 3.2 上线" {
			t.Fatalf("a reads the answer: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", base+"/feedback", tb, nil); r.status != 200 || strings.Contains(r.raw, id) {
			t.Fatalf("b's list: %d %s", r.status, r.raw)
		}

		s := e.call("POST", base+"/council/sessions", e.owner, map[string]any{"title": "座舱闭门会", "agenda": "语音助手",
			"starts_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "invite": []string{a}})
		if s.status != 201 {
			t.Fatalf("session: %d %s", s.status, s.raw)
		}
		sid := s.str("id")
		if r := e.call("POST", base+"/council/sessions/"+sid+"/answer", tb, map[string]any{"answer": "yes"}); r.status != 404 {
			t.Fatalf("b answers a session they are not invited to: %d", r.status)
		}
		if r := e.call("POST", base+"/council/sessions/"+sid+"/answer", ta, map[string]any{"answer": "yes"}); r.status != 200 || r.str("answer") != "yes" {
			t.Fatalf("a answers: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/council/sessions/"+sid+"/minutes", e.owner, map[string]any{"minutes": "唤醒词可自定义"}); r.status != 200 || r.str("status") != "held" {
			t.Fatalf("held: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/council/sessions/"+sid+"/answer", ta, map[string]any{"answer": "no"}); r.status != 409 {
			t.Fatalf("answer after: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", base+"/council/sessions/"+sid, ta, nil); r.status != 200 || r.str("minutes") != "唤醒词可自定义" {
			t.Fatalf("a reads the minutes: %d %s", r.status, r.raw)
		}

		mentor := e.advisor(slug)
		tm := e.memberToken(slug, mentor)
		x := e.call("POST", base+"/mentorships", e.owner, map[string]any{"mentor": mentor, "mentee": a})
		if x.status != 201 {
			t.Fatalf("pair: %d %s", x.status, x.raw)
		}
		mid := x.str("id")
		if r := e.call("POST", base+"/mentorships/"+mid+"/notes", e.owner, map[string]any{"body": "运营代写"}); r.status != 403 || r.str("code") != "auth.members_only" {
			t.Fatalf("an operator writes in the thread: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/mentorships/"+mid+"/notes", tm, map[string]any{"body": "开头先讲续航焦虑的消失"}); r.status != 201 {
			t.Fatalf("note: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", base+"/mentorships/"+mid, tb, nil); r.status != 404 {
			t.Fatalf("b reads the thread: %d", r.status)
		}
		if r := e.call("POST", base+"/mentorships/"+mid+"/nominations", ta, map[string]any{"tier": "main/experience", "reason": "自荐"}); r.status != 403 {
			t.Fatalf("the newcomer nominates themselves: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/mentorships/"+mid+"/nominations", tm, map[string]any{"tier": "main/experience", "reason": "两篇作品都很真实"}); r.status != 204 {
			t.Fatalf("nominate: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", base+"/members/"+a+"/marks", e.owner, nil); r.status != 200 || !strings.Contains(r.raw, "两篇作品都很真实") {
			t.Fatalf("the nomination on a's record: %d %s", r.status, r.raw)
		}
	})
}
