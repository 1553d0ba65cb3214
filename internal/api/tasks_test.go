package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
)

// The whole story through the API: publish, claim, submit, changes
// requested, resubmit, approve — points on the member's ledger account and
// every step in the audit log.
func TestTaskFlow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		p := "/api/v1/programs/" + slug
		reviewer, _ := e.operator(slug, program.RoleReviewer)
		alice := e.member(slug, map[string]any{"name": "张伟", "source": "seeded"})
		bob := e.member(slug, map[string]any{"name": "李娜"})
		aliceTok := e.memberToken(slug, alice["id"].(string))
		bobTok := e.memberToken(slug, bob["id"].(string))
		tk := e.task(slug, map[string]any{"capacity": 2, "brief": map[string]any{"hashtags": []string{"启程OTA"}, "key_messages": []string{"续航提升"},
			"platforms": []string{"xiaohongshu"}}})
		taskID := tk["id"].(string)
		if tk["slots_free"] != float64(2) {
			t.Fatalf("slots: %v", tk)
		}
		if ts := e.call("GET", p+"/tasks", aliceTok, nil).items(); len(ts) != 1 {
			t.Fatalf("a member sees %d tasks", len(ts))
		}
		// A member claims only for themselves.
		if r := e.call("POST", p+"/tasks/"+taskID+"/claims", aliceTok, map[string]any{"member_id": bob["id"]}); r.status != 403 {
			t.Fatalf("claiming for another member: %d %s", r.status, r.raw)
		}
		cl := e.call("POST", p+"/tasks/"+taskID+"/claims", aliceTok, map[string]any{})
		if cl.status != 201 || cl.str("status") != "claimed" || cl.str("member_id") != alice["id"] {
			t.Fatalf("claim: %d %s", cl.status, cl.raw)
		}
		claimID := cl.str("id")
		if r := e.call("POST", p+"/tasks/"+taskID+"/claims", aliceTok, map[string]any{}); r.status != 409 {
			t.Fatalf("claiming twice: %d", r.status)
		}
		// Bob cannot see or act on Alice's claim.
		if r := e.call("GET", p+"/claims/"+claimID, bobTok, nil); r.status != 404 {
			t.Fatalf("another member's claim: %d", r.status)
		}
		if r := e.call("POST", p+"/claims/"+claimID+"/submissions", bobTok, map[string]any{"text": "x"}); r.status != 404 {
			t.Fatalf("submitting on another member's claim: %d", r.status)
		}
		if r := e.call("GET", p+"/members", aliceTok, nil); r.status != 403 {
			t.Fatalf("a member lists members: %d", r.status)
		}
		// First try misses the hashtag and the disclosure a seeded member owes.
		s1 := e.call("POST", p+"/claims/"+claimID+"/submissions", aliceTok, map[string]any{"text": "OTA 之后续航提升明显",
			"posts": []any{map[string]any{"platform": "xiaohongshu", "url": "https://www.xiaohongshu.com/explore/1"}}})
		if s1.status != 201 {
			t.Fatalf("submit: %d %s", s1.status, s1.raw)
		}
		if s1.body["disclosure_required"] != true {
			t.Fatalf("a seeded member's submission must carry the disclosure flag: %s", s1.raw)
		}
		check := s1.body["check"].(map[string]any)
		if check["passed"] != false || missing(check) != "disclosure,hashtag" {
			t.Fatalf("brief check: %v", check)
		}
		if r := e.call("POST", p+"/submissions/"+s1.str("id")+"/review", aliceTok, map[string]any{"decision": "approved", "score": 5}); r.status != 403 {
			t.Fatalf("a member reviews: %d", r.status)
		}
		if r := e.call("POST", p+"/submissions/"+s1.str("id")+"/review", reviewer, map[string]any{"decision": "changes_requested"}); r.status != 422 {
			t.Fatalf("changes without feedback: %d", r.status)
		}
		if r := e.call("POST", p+"/submissions/"+s1.str("id")+"/review", reviewer, map[string]any{"decision": "changes_requested",
			"feedback": "加上 #启程OTA 和 #广告"}); r.status != 200 || r.body["review"].(map[string]any)["decision"] != "changes_requested" {
			t.Fatalf("request changes: %d %s", r.status, r.raw)
		}
		if c := e.call("GET", p+"/claims/"+claimID, aliceTok, nil); c.str("status") != "changes_requested" {
			t.Fatalf("claim after changes requested: %s", c.raw)
		}
		s2 := e.call("POST", p+"/claims/"+claimID+"/submissions", aliceTok, map[string]any{"text": "#启程OTA #广告 OTA 之后续航提升明显",
			"posts": []any{map[string]any{"platform": "xiaohongshu", "url": "https://www.xiaohongshu.com/explore/2"}}})
		if s2.status != 201 || s2.body["version"] != float64(2) || s2.body["check"].(map[string]any)["passed"] != true {
			t.Fatalf("resubmit: %d %s", s2.status, s2.raw)
		}
		queue := e.call("GET", p+"/submissions?status=pending", reviewer, nil).items()
		if len(queue) != 1 || queue[0]["id"] != s2.str("id") {
			t.Fatalf("review queue: %v", queue)
		}
		if r := e.call("POST", p+"/submissions/"+s2.str("id")+"/review", reviewer, map[string]any{"decision": "approved", "score": 5, "feedback": "很棒"}); r.status != 200 {
			t.Fatalf("approve: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", p+"/submissions/"+s2.str("id")+"/review", reviewer, map[string]any{"decision": "approved", "score": 4}); r.status != 409 {
			t.Fatalf("approving twice: %d", r.status)
		}
		pts := e.call("GET", p+"/members/"+alice["id"].(string)+"/points", aliceTok, nil)
		if pts.status != 200 || pts.body["balance"] != float64(100) || len(pts.body["history"].([]any)) != 1 {
			t.Fatalf("points: %d %s", pts.status, pts.raw)
		}
		if r := e.call("GET", p+"/members/"+alice["id"].(string)+"/points", bobTok, nil); r.status != 404 {
			t.Fatalf("another member's points: %d", r.status)
		}
		if c := e.call("GET", p+"/claims/"+claimID, e.owner, nil); c.str("status") != "approved" || c.body["points_paid"] != float64(100) {
			t.Fatalf("claim after approval: %s", c.raw)
		}
		var story []string
		for _, it := range e.call("GET", p+"/audit?limit=100", e.owner, nil).items() {
			if a := it["action"].(string); a == "claim.claimed" || a[:min(len(a), 11)] == "submission." || a == "task.publish" {
				story = append([]string{a}, story...)
			}
		}
		want := []string{"task.publish", "claim.claimed", "submission.create", "submission.changes_requested", "submission.create", "submission.approved"}
		if !slices.Equal(story, want) {
			t.Fatalf("audit story %v, want %v", story, want)
		}
	})
}

func missing(check map[string]any) string {
	var out []string
	for _, f := range check["findings"].([]any) {
		fm := f.(map[string]any)
		if fm["found"] == false {
			out = append(out, fm["rule"].(string))
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// Withdrawal, cancellation and expiry give the slot back.
func TestCapacityComesBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		d.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		e := newEnv(t, d)
		slug := e.program()
		p := "/api/v1/programs/" + slug
		a := e.member(slug, nil)
		b := e.member(slug, nil)
		e.memberToken(slug, a["id"].(string))
		e.memberToken(slug, b["id"].(string))
		tk := e.task(slug, map[string]any{"capacity": 1, "submit_within_hours": 2})
		claim := func(m map[string]any) resp {
			return e.call("POST", p+"/tasks/"+tk["id"].(string)+"/claims", e.owner, map[string]any{"member_id": m["id"]})
		}
		ca := claim(a)
		if ca.status != 201 {
			t.Fatalf("claim: %s", ca.raw)
		}
		if r := claim(b); r.status != 409 {
			t.Fatalf("a full task: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", p+"/claims/"+ca.str("id")+"/withdraw", e.owner, nil); r.status != 200 || r.str("status") != "withdrawn" {
			t.Fatalf("withdraw: %d %s", r.status, r.raw)
		}
		cb := claim(b)
		if cb.status != 201 {
			t.Fatalf("claim after a withdrawal: %d %s", cb.status, cb.raw)
		}
		// B submits nothing: after the deadline the claim expires and the slot is free.
		mu.Lock()
		now = now.Add(3 * time.Hour)
		mu.Unlock()
		n, _, err := e.a.Tasks.Expire(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("expire: %d %v", n, err)
		}
		if r := e.call("GET", p+"/claims/"+cb.str("id"), e.owner, nil); r.str("status") != "expired" {
			t.Fatalf("claim after expiry: %s", r.raw)
		}
		if r := e.call("GET", p+"/tasks/"+tk["id"].(string), e.owner, nil); r.body["slots_free"] != float64(1) {
			t.Fatalf("slots after expiry: %s", r.raw)
		}
		// A claims again (attempt 2), then the task is cancelled: slot back, claim cancelled.
		ca2 := claim(a)
		if ca2.status != 201 || ca2.str("id") != ca.str("id") {
			t.Fatalf("claim again: %d %s", ca2.status, ca2.raw)
		}
		if r := e.call("POST", p+"/tasks/"+tk["id"].(string)+"/cancel", e.owner, map[string]any{"reason": "活动取消"}); r.status != 200 || r.str("status") != "cancelled" {
			t.Fatalf("cancel: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", p+"/claims/"+ca.str("id"), e.owner, nil); r.str("status") != "cancelled" {
			t.Fatalf("claim after cancel: %s", r.raw)
		}
		var source, capacity int64
		d.R.QueryRow(`SELECT credits_posted - debits_posted FROM ledger_accounts WHERE code = 'task_capacity' AND ref = $1`, "task:"+tk["id"].(string)).Scan(&capacity)
		d.R.QueryRow(`SELECT credits_posted - debits_posted FROM ledger_accounts a JOIN programs p ON p.id = a.program_id
			WHERE a.code = 'slots_source' AND p.slug = $1`, slug).Scan(&source)
		if capacity != 0 || source != 0 {
			t.Fatalf("after cancelling: capacity %d, source %d; every slot should be back", capacity, source)
		}
		if r := claim(b); r.status != 409 {
			t.Fatalf("claiming a cancelled task: %d", r.status)
		}
		if r := e.call("GET", p+"/tasks/"+tk["id"].(string), e.owner, nil); r.body["slots_free"] != float64(0) || r.body["slots_taken"] != float64(0) {
			t.Fatalf("a cancelled task's slots: %s", r.raw)
		}
	})
}

func TestApplyThenSelectAndEligibility(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		p := "/api/v1/programs/" + slug
		fan := e.member(slug, nil)
		e.memberToken(slug, fan["id"].(string))
		tk := e.task(slug, map[string]any{"mode": "apply", "capacity": 1, "eligibility": map[string]any{"ladder": "main", "min_tier": "experience"}})
		apply := func() resp {
			return e.call("POST", p+"/tasks/"+tk["id"].(string)+"/claims", e.owner, map[string]any{"member_id": fan["id"]})
		}
		if r := apply(); r.status != 403 {
			t.Fatalf("below the tier: %d %s", r.status, r.raw)
		}
		e.call("PUT", p+"/members/"+fan["id"].(string)+"/tiers/main", e.owner, map[string]any{"tier": "product", "reason": "长测"})
		ap := apply()
		if ap.status != 201 || ap.str("status") != "applied" {
			t.Fatalf("apply: %d %s", ap.status, ap.raw)
		}
		if r := e.call("GET", p+"/tasks/"+tk["id"].(string), e.owner, nil); r.body["slots_free"] != float64(1) {
			t.Fatalf("an application took a slot: %s", r.raw)
		}
		sel := e.call("POST", p+"/claims/"+ap.str("id")+"/select", e.owner, map[string]any{"accept": true})
		if sel.status != 200 || sel.str("status") != "selected" {
			t.Fatalf("select: %d %s", sel.status, sel.raw)
		}
		if r := e.call("GET", p+"/tasks/"+tk["id"].(string), e.owner, nil); r.body["slots_free"] != float64(0) {
			t.Fatalf("selection took no slot: %s", r.raw)
		}
	})
}

// A diary every week for 26 weeks: 26 tracked occurrences, each submitted or
// missed.
func TestRecurringDiary(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		d.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		e := newEnv(t, d)
		slug := e.program()
		p := "/api/v1/programs/" + slug
		m := e.member(slug, nil)
		tok := e.memberToken(slug, m["id"].(string))
		tk := e.task(slug, map[string]any{"kind": "diary", "mode": "assigned", "capacity": 1, "reward": map[string]any{"points": 20},
			"recurrence": map[string]any{"interval_days": 7, "count": 26}})
		if r := e.call("POST", p+"/tasks/"+tk["id"].(string)+"/claims", tok, map[string]any{}); r.status != 403 {
			t.Fatalf("a member assigns themselves: %d", r.status)
		}
		cl := e.call("POST", p+"/tasks/"+tk["id"].(string)+"/claims", e.owner, map[string]any{"member_id": m["id"]})
		if cl.status != 201 || cl.str("status") != "assigned" || len(cl.body["occurrences"].([]any)) != 26 {
			t.Fatalf("assign: %d %s", cl.status, cl.raw)
		}
		sub := e.call("POST", p+"/claims/"+cl.str("id")+"/submissions", tok, map[string]any{"text": "第一周：通勤"})
		if sub.status != 201 || sub.body["occurrence"] != float64(1) {
			t.Fatalf("week 1: %d %s", sub.status, sub.raw)
		}
		e.call("POST", p+"/submissions/"+sub.str("id")+"/review", e.owner, map[string]any{"decision": "approved", "score": 4})
		// Fifteen days on, in two steps with the member and owner active
		// between (sessions slide while used): week 2 fell due unsubmitted.
		for _, days := range []int{8, 7} {
			mu.Lock()
			now = now.Add(time.Duration(days) * 24 * time.Hour)
			mu.Unlock()
			e.call("GET", "/api/v1/me", tok, nil)
			e.call("GET", "/api/v1/me", e.owner, nil)
		}
		if _, missed, err := e.a.Tasks.Expire(context.Background()); err != nil || missed != 1 {
			t.Fatalf("missed = %d, %v; want week 2", missed, err)
		}
		got := e.call("GET", p+"/claims/"+cl.str("id"), tok, nil)
		occ, ok := got.body["occurrences"].([]any)
		if !ok {
			t.Fatalf("claim: %d %s", got.status, got.raw)
		}
		status := func(i int) string { return occ[i].(map[string]any)["status"].(string) }
		if status(0) != "approved" || status(1) != "missed" || status(2) != "open" {
			t.Fatalf("occurrences: %v %v %v", status(0), status(1), status(2))
		}
		next := e.call("POST", p+"/claims/"+cl.str("id")+"/submissions", tok, map[string]any{"text": "第三周：长途"})
		if next.body["occurrence"] != float64(3) {
			t.Fatalf("the next submission goes to week 3: %s", next.raw)
		}
		if pts := e.call("GET", p+"/members/"+m["id"].(string)+"/points", tok, nil); pts.body["balance"] != float64(20) {
			t.Fatalf("points: %s", pts.raw)
		}
		// A session left unused for longer than its lifetime ends.
		mu.Lock()
		now = now.Add(program.SessionTTL + time.Hour)
		mu.Unlock()
		if r := e.call("GET", "/api/v1/me", tok, nil); r.status != 401 {
			t.Fatalf("an idle session: %d", r.status)
		}
	})
}

// 500 members claim a task with 50 slots at the same moment: exactly 50
// claims, 50 slots used, the rest told the task is full.
func TestClaimRace(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		ctx := program.WithActor(context.Background(), program.System("test"))
		var pid int64
		d.R.QueryRow(`SELECT id FROM programs WHERE slug = $1`, slug).Scan(&pid)
		var ids []string
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			for i := 0; i < 500; i++ {
				m, err := member.CreateTx(ctx, tx, pid, member.NewMember{Fields: member.Fields{Name: fmt.Sprint("m", i), Role: member.KOC, Status: member.Active}})
				if err != nil {
					return err
				}
				ids = append(ids, m.PublicID)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		tk := e.task(slug, map[string]any{"capacity": 50})
		codes := make([]int, len(ids))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i] = e.call("POST", "/api/v1/programs/"+slug+"/tasks/"+tk["id"].(string)+"/claims", e.owner, map[string]any{"member_id": id}).status
			}()
		}
		close(start)
		wg.Wait()
		count := map[int]int{}
		for _, c := range codes {
			count[c]++
		}
		if count[201] != 50 || count[409] != 450 {
			t.Fatalf("statuses %v, want 50 × 201 and 450 × 409", count)
		}
		var claims int
		d.R.QueryRow(`SELECT count(*) FROM task_claims WHERE status = 'claimed'`).Scan(&claims)
		r := e.call("GET", "/api/v1/programs/"+slug+"/tasks/"+tk["id"].(string), e.owner, nil)
		if claims != 50 || r.body["slots_free"] != float64(0) || r.body["slots_taken"] != float64(50) {
			t.Fatalf("claims %d, task %s", claims, r.raw)
		}
	})
}

// Reviewers approving the same submission at once: one approval, points
// paid once.
func TestDoubleApprovalPaysOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		p := "/api/v1/programs/" + slug
		m := e.member(slug, nil)
		tok := e.memberToken(slug, m["id"].(string))
		var reviewers []string
		for i := 0; i < 4; i++ {
			r, _ := e.operator(slug, program.RoleReviewer)
			reviewers = append(reviewers, r)
		}
		tk := e.task(slug, map[string]any{"reward": map[string]any{"points": 300}})
		cl := e.call("POST", p+"/tasks/"+tk["id"].(string)+"/claims", tok, map[string]any{})
		sub := e.call("POST", p+"/claims/"+cl.str("id")+"/submissions", tok, map[string]any{"text": "done"})
		codes := make([]int, 12)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i] = e.call("POST", p+"/submissions/"+sub.str("id")+"/review", reviewers[i%4], map[string]any{"decision": "approved", "score": 5}).status
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, c := range codes {
			switch c {
			case 200:
				ok++
			case 409:
			default:
				t.Fatalf("status %d", c)
			}
		}
		pts := e.call("GET", p+"/members/"+m["id"].(string)+"/points", tok, nil)
		if ok != 1 || pts.body["balance"] != float64(300) {
			t.Fatalf("%d approvals, balance %v: want 1 and 300", ok, pts.body["balance"])
		}
	})
}
