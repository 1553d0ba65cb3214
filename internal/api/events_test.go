package api_test

import (
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// Over HTTP: a bad event names its field; published, one member takes the
// only seat and the next stands first in line; the door admits the ticket
// once.
func TestEventsOverHTTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		base := "/api/v1/programs/" + slug
		body := eventBody()
		body["capacity"] = 0
		if r := e.call("POST", base+"/events", e.owner, body); r.status != 422 || !strings.Contains(r.raw, `"body.capacity"`) {
			t.Fatalf("no capacity: %d %s", r.status, r.raw)
		}
		body["capacity"], body["starts_at"] = 1, time.Now().Add(48*time.Hour).Format(time.RFC3339)
		ev := e.call("POST", base+"/events", e.owner, body)
		if ev.status != 201 || ev.str("status") != "draft" {
			t.Fatalf("create: %d %s", ev.status, ev.raw)
		}
		id := ev.str("id")
		if r := e.call("POST", base+"/events/"+id+"/publish", e.owner, nil); r.status != 200 || r.str("status") != "published" {
			t.Fatalf("publish: %d %s", r.status, r.raw)
		}
		a, b := e.activeMember(slug), e.activeMember(slug)
		ta, tb := e.memberToken(slug, a), e.memberToken(slug, b)
		first := e.call("POST", base+"/events/"+id+"/rsvp", ta, nil)
		if first.status != 201 || first.str("status") != "going" || first.str("ticket") == "" {
			t.Fatalf("a's answer: %d %s", first.status, first.raw)
		}
		second := e.call("POST", base+"/events/"+id+"/rsvp", tb, nil)
		if second.status != 201 || second.str("status") != "waitlisted" || second.body["position"].(float64) != 1 {
			t.Fatalf("b's answer: %d %s", second.status, second.raw)
		}
		if r := e.call("GET", base+"/seats/"+first.str("id"), tb, nil); r.status != 404 {
			t.Fatalf("b read a's seat: %d", r.status)
		}
		if mine := e.call("GET", base+"/members/"+a+"/seats", ta, nil); mine.status != 200 || len(mine.items()) != 1 {
			t.Fatalf("a's seats: %d %s", mine.status, mine.raw)
		}
		door := base + "/events/" + id + "/check-ins"
		if r := e.call("POST", door, e.owner, map[string]any{"ticket": strings.ToLower(first.str("ticket"))}); r.status != 200 || r.str("checked_in_at") == "" {
			t.Fatalf("check in: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", door, e.owner, map[string]any{"ticket": first.str("ticket")}); r.status != 409 || r.str("code") != "event.ticket_used" {
			t.Fatalf("a second scan: %d %s", r.status, r.raw)
		}
	})
}
