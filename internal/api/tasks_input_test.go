package api_test

import (
	"slices"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// Bad task input: a 4xx naming the field, nothing written.
func TestTaskBadInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		p := "/api/v1/programs/" + slug
		ok := map[string]any{"title": "t", "kind": "content", "mode": "open", "capacity": 3}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for kk, vv := range ok {
				m[kk] = vv
			}
			m[k] = v
			return m
		}
		tk := e.task(slug, nil)
		taskID := tk["id"].(string)
		claim := e.claimFor(slug, "open")
		sub := e.submissionFor(slug)
		draft := e.draftTask(slug, nil)
		before := e.auditCount(slug)
		var tasksBefore int
		d.R.QueryRow(`SELECT count(*) FROM tasks`).Scan(&tasksBefore)
		for _, c := range []struct {
			name, method, path string
			body               any
			status             int
			field              string
		}{
			{"no title", "POST", p + "/tasks", with("title", ""), 422, "body.title"},
			{"bad kind", "POST", p + "/tasks", with("kind", "essay"), 422, "body.kind"},
			{"bad mode", "POST", p + "/tasks", with("mode", "lottery"), 422, "body.mode"},
			{"zero capacity", "POST", p + "/tasks", with("capacity", 0), 422, "body.capacity"},
			{"huge capacity", "POST", p + "/tasks", with("capacity", 1000001), 422, "body.capacity"},
			{"capacity as text", "POST", p + "/tasks", with("capacity", "ten"), 422, "body.capacity"},
			{"negative points", "POST", p + "/tasks", with("reward", map[string]any{"points": -5}), 422, "body.reward.points"},
			{"bad platform", "POST", p + "/tasks", with("brief", map[string]any{"platforms": []string{"myspace"}}), 422, "body.brief.platforms[0]"},
			{"ladder without tier", "POST", p + "/tasks", with("eligibility", map[string]any{"ladder": "main"}), 422, "body.eligibility.min_tier"},
			{"unknown ladder", "POST", p + "/tasks", with("eligibility", map[string]any{"ladder": "vip", "min_tier": "gold"}), 422, "body.eligibility.ladder"},
			{"unknown tier", "POST", p + "/tasks", with("eligibility", map[string]any{"ladder": "main", "min_tier": "gold"}), 422, "body.eligibility.min_tier"},
			{"bad role", "POST", p + "/tasks", with("eligibility", map[string]any{"roles": []string{"vip"}}), 422, "body.eligibility.roles[0]"},
			{"zero interval", "POST", p + "/tasks", with("recurrence", map[string]any{"interval_days": 0, "count": 3}), 422, "body.recurrence.interval_days"},
			{"deadlines reversed", "POST", p + "/tasks", with("claim_deadline", "2027-01-10T00:00:00Z"), 0, ""},
			{"unknown field", "POST", p + "/tasks", with("priority", "high"), 422, "body.priority"},
			{"kind after publishing", "PUT", p + "/tasks/" + taskID, with("kind", "deep_review"), 422, "body.kind"},
			{"publish twice", "POST", p + "/tasks/" + taskID + "/publish", nil, 409, ""},
			{"claim a draft", "POST", p + "/tasks/" + draft + "/claims", map[string]any{"member_id": "mem_0000000000000000"}, 409, ""},
			{"claim an unknown member", "POST", p + "/tasks/" + taskID + "/claims", map[string]any{"member_id": "mem_0000000000000000"}, 404, ""},
			{"claim without a member", "POST", p + "/tasks/" + taskID + "/claims", map[string]any{}, 422, "body.member_id"},
			{"empty submission", "POST", p + "/claims/" + claim + "/submissions", map[string]any{}, 422, "body.posts"},
			{"bad post url", "POST", p + "/claims/" + claim + "/submissions", map[string]any{"posts": []any{map[string]any{"platform": "douyin", "url": "ftp://x"}}}, 422, "body.posts[0].url"},
			{"bad decision", "POST", p + "/submissions/" + sub + "/review", map[string]any{"decision": "maybe"}, 422, "body.decision"},
			{"score too high", "POST", p + "/submissions/" + sub + "/review", map[string]any{"decision": "approved", "score": 6}, 422, "body.score"},
			{"approve without score", "POST", p + "/submissions/" + sub + "/review", map[string]any{"decision": "approved"}, 422, "body.score"},
			{"unknown task", "GET", p + "/tasks/tsk_0000000000000000", nil, 404, ""},
			{"cancel without reason", "POST", p + "/tasks/" + taskID + "/cancel", map[string]any{"reason": ""}, 422, "body.reason"},
		} {
			if c.status == 0 {
				// Both deadlines given the wrong way round.
				c.body = with("claim_deadline", "2027-01-10T00:00:00Z")
				c.body.(map[string]any)["submit_deadline"] = "2027-01-01T00:00:00Z"
				c.status, c.field = 422, "body.submit_deadline"
			}
			r := e.call(c.method, c.path, e.owner, c.body)
			if r.status != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, r.status, c.status, r.raw)
				continue
			}
			if c.field != "" && !slices.Contains(r.problemFields(), c.field) {
				t.Errorf("%s: names %v, want %s", c.name, r.problemFields(), c.field)
			}
		}
		var tasksAfter int
		d.R.QueryRow(`SELECT count(*) FROM tasks`).Scan(&tasksAfter)
		if tasksAfter != tasksBefore || e.auditCount(slug) != before {
			t.Fatalf("bad input wrote: tasks %d → %d, audit %d → %d", tasksBefore, tasksAfter, before, e.auditCount(slug))
		}
	})
}
