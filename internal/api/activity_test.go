package api_test

import (
	"net/url"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// A member reads what changed for them since a moment: the review of
// their work and the points it paid; nothing from before the moment.
func TestMemberActivity(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		mem := e.activeMember(slug)
		tok := e.memberToken(slug, mem)
		tk := e.task(slug, nil)
		c := e.call("POST", "/api/v1/programs/"+slug+"/tasks/"+tk["id"].(string)+"/claims", tok, map[string]any{})
		if c.status != 201 {
			t.Fatalf("claim: %d %s", c.status, c.raw)
		}
		sub := e.call("POST", "/api/v1/programs/"+slug+"/claims/"+c.str("id")+"/submissions", tok, map[string]any{"text": "作品"})
		before := time.Now().Add(-time.Second)
		if r := e.call("POST", "/api/v1/programs/"+slug+"/submissions/"+sub.str("id")+"/review", e.owner, map[string]any{"decision": "approved", "score": 5}); r.status != 200 {
			t.Fatalf("review: %d %s", r.status, r.raw)
		}
		path := "/api/v1/programs/" + slug + "/members/" + mem + "/activity?since=" + url.QueryEscape(before.UTC().Format(time.RFC3339))
		r := e.call("GET", path, tok, nil)
		items := r.items()
		if r.status != 200 || len(items) != 2 {
			t.Fatalf("activity: %d %s", r.status, r.raw)
		}
		kinds := map[string]bool{}
		for _, it := range items {
			kinds[it["kind"].(string)] = true
		}
		if !kinds["points"] || !kinds["review"] {
			t.Fatalf("activity kinds: %v", kinds)
		}
		later := "/api/v1/programs/" + slug + "/members/" + mem + "/activity?since=" + url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		if r := e.call("GET", later, tok, nil); r.status != 200 || len(r.items()) != 0 {
			t.Fatalf("nothing after a later moment: %s", r.raw)
		}
	})
}

// The review queue over the API, oldest first as reviewers work it.
func TestSubmissionsOldestFirst(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		first, second := e.submissionFor(slug), e.submissionFor(slug)
		r := e.call("GET", "/api/v1/programs/"+slug+"/submissions?status=pending&oldest=true&limit=1", e.owner, nil)
		if r.status != 200 || len(r.items()) != 1 || r.items()[0]["id"] != first {
			t.Fatalf("oldest first: %s", r.raw)
		}
		next := e.call("GET", "/api/v1/programs/"+slug+"/submissions?status=pending&oldest=true&limit=1&cursor="+r.str("next_cursor"), e.owner, nil)
		if next.status != 200 || len(next.items()) != 1 || next.items()[0]["id"] != second {
			t.Fatalf("the next page: %s", next.raw)
		}
	})
}
