package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
)

// another is a second browser on the same kox: its own cookies.
func (s *site) another() *site {
	jar := &cookieJar{cookies: map[string]*http.Cookie{}}
	return &site{t: s.t, a: s.a, srv: s.srv, client: &http.Client{Jar: jar, CheckRedirect: s.client.CheckRedirect}}
}

// teammate adds an operator with the role to the program and signs them in
// in a browser of their own.
func (s *site) teammate(slug string, role program.Role) *site {
	s.t.Helper()
	ctx := program.WithActor(context.Background(), program.System("test"))
	sc, err := s.a.Programs.Scope(ctx, slug)
	if err != nil {
		s.t.Fatal(err)
	}
	email := string(role) + "." + slug + "@web.kox"
	if _, err := s.a.Programs.AddToTeam(ctx, sc, program.NewOperator{Email: email, Name: "同事" + string(role), Password: password}, role); err != nil {
		s.t.Fatal(err)
	}
	b := s.another()
	b.signIn(email)
	return b
}

var taskPath = regexp.MustCompile(`^/p/qicheng/tasks/(tsk_[A-Za-z0-9]+)$`)

// An operator writes a task with its whole brief in the form, a bad field
// comes back named, publishes it; a member hands in; a reviewer asks for
// changes and then approves, from the queue.
func TestConsoleTaskAndReview(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ctx := program.WithActor(context.Background(), program.System("test"))
		sc, _ := s.a.Programs.Scope(ctx, "qicheng")
		plan, err := s.a.Budget.CreatePlan(ctx, sc, budget.PlanInput{Code: "fy2026", Name: "2026 年度", Period: "2026",
			Lines: []budget.LineInput{{Layer: budget.Incentive, Code: "fees", Name: "内容稿费", Amount: 10_000_000}}})
		if err == nil {
			plan, err = s.a.Budget.ApprovePlan(ctx, sc, plan.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		s.signIn("owner@web.kox")
		blank := s.do("GET", "/p/qicheng/tasks/new", nil)
		checkPage(t, blank)
		if blank.status != 200 || !strings.Contains(blank.body, `name="brief.key_messages"`) {
			t.Fatalf("new task form: %d", blank.status)
		}
		form := url.Values{"title": {"春季试驾分享"}, "kind": {"content"}, "mode": {"open"}, "capacity": {"abc"}, "reward.points": {"150"},
			"reward.money": {"1,200.50"}, "brief.description": {"分享你的试驾感受"}, "brief.key_messages": {"续航扎实\n座舱安静"},
			"brief.hashtags": {"#启程春季试驾, #新能源"}, "brief.platforms": {"xiaohongshu", "douyin"}, "brief.disclosure_required": {"1"},
			"eligibility.roles": {"koc"}, "budget_line": {plan.Lines[0].PublicID}}
		if !strings.Contains(blank.body, plan.Lines[0].PublicID) {
			t.Fatal("the task form does not offer the approved plan's line")
		}
		bad := s.do("POST", "/p/qicheng/tasks", form)
		checkPage(t, bad)
		if bad.status != 422 || !strings.Contains(bad.body, `data-field="capacity"`) || !strings.Contains(bad.body, "必须是整数") ||
			!strings.Contains(bad.body, "续航扎实\n座舱安静") {
			t.Fatalf("a bad capacity: %d %s", bad.status, bad.body)
		}
		form.Set("capacity", "20")
		made := s.do("POST", "/p/qicheng/tasks", form)
		m := taskPath.FindStringSubmatch(made.header.Get("Location"))
		if made.status != 303 || m == nil {
			t.Fatalf("create: %d %s %s", made.status, made.header.Get("Location"), made.body)
		}
		ref := m[1]
		tk, err := s.a.Tasks.Get(ctx, sc, ref)
		if err != nil || tk.Status != task.Draft || tk.Reward.Money != 120050 || len(tk.Brief.KeyMessages) != 2 ||
			len(tk.Brief.Hashtags) != 2 || !tk.Brief.DisclosureRequired || len(tk.Brief.Platforms) != 2 || tk.Eligibility.Roles[0] != "koc" {
			t.Fatalf("the task as saved: %+v %v", tk, err)
		}
		page := s.do("GET", "/p/qicheng/tasks/"+ref, nil)
		checkPage(t, page)
		if !strings.Contains(page.body, "¥1,200.50") || !strings.Contains(page.body, `data-test="publish"`) {
			t.Fatalf("task page: %s", page.body)
		}
		if p := s.do("POST", "/p/qicheng/tasks/"+ref+"/publish", nil); p.status != 303 {
			t.Fatalf("publish: %d %s", p.status, p.body)
		}
		if l, err := s.a.Budget.Line(ctx, sc, plan.Lines[0].PublicID); err != nil || l.Committed != 20*120050 {
			t.Fatalf("the line after publishing: %+v %v", l, err)
		}
		if p := s.do("GET", "/p/qicheng/tasks/"+ref+"?done=published", nil); !strings.Contains(p.body, `data-test="flash"`) || strings.Contains(p.body, `data-test="publish"`) {
			t.Fatalf("after publishing: %s", p.body)
		}
		list := s.do("GET", "/p/qicheng/tasks?status=published", nil)
		checkPage(t, list)
		if !strings.Contains(list.body, "春季试驾分享") {
			t.Fatal("the task list lacks the task")
		}

		mem, err := s.a.Members.Create(ctx, sc, member.NewMember{Fields: member.Fields{Name: "林小满", Role: member.KOC, Status: member.Active, Source: member.Seeded}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.a.Tasks.Take(ctx, sc, ref, mem.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := s.a.Tasks.Submit(ctx, sc, c.PublicID, task.SubmissionInput{Text: "#启程春季试驾 续航扎实",
			Posts: []task.Post{{Platform: "xiaohongshu", URL: "https://www.xiaohongshu.com/explore/65f1a2b3c4d5e6f7a8b9c0d1"}}})
		if err != nil {
			t.Fatal(err)
		}
		reviewer := s.teammate("qicheng", program.RoleReviewer)
		q := reviewer.do("GET", "/p/qicheng/review", nil)
		checkPage(t, q)
		for _, want := range []string{"林小满", "xiaohongshu.com/explore", `data-test="findings"`, `data-test="disclosure"`, "/static/kox/review.js"} {
			if !strings.Contains(q.body, want) {
				t.Fatalf("review queue lacks %s: %s", want, q.body)
			}
		}
		// Changes without feedback are refused on the form.
		noFeedback := reviewer.do("POST", "/p/qicheng/review/"+sub.PublicID, url.Values{"decision": {"changes_requested"}, "score": {"4"}})
		checkPage(t, noFeedback)
		if noFeedback.status != 422 || !strings.Contains(noFeedback.body, `data-test="error"`) {
			t.Fatalf("changes without feedback: %d", noFeedback.status)
		}
		if p := reviewer.do("POST", "/p/qicheng/review/"+sub.PublicID, url.Values{"decision": {"changes_requested"}, "score": {"4"},
			"feedback": {"补充座舱的体验"}}); p.status != 303 {
			t.Fatalf("ask for changes: %d %s", p.status, p.body)
		}
		second, err := s.a.Tasks.Submit(ctx, sc, c.PublicID, task.SubmissionInput{Text: "#启程春季试驾 座舱安静"})
		if err != nil {
			t.Fatal(err)
		}
		q = reviewer.do("GET", "/p/qicheng/review", nil)
		if !strings.Contains(q.body, "补充座舱的体验") || !strings.Contains(q.body, "submission-"+sub.PublicID) {
			t.Fatalf("the earlier round and its feedback: %s", q.body)
		}
		if p := reviewer.do("POST", "/p/qicheng/review/"+second.PublicID, url.Values{"decision": {"approved"}, "score": {"5"}}); p.status != 303 {
			t.Fatalf("approve: %d", p.status)
		}
		if p := reviewer.do("GET", "/p/qicheng/review", nil); !strings.Contains(p.body, `data-test="queue-count">0<`) && strings.Contains(p.body, "submission-") {
			t.Fatalf("the queue after approving: %s", p.body)
		}
		st, _, err := s.a.Points.Statement(ctx, sc, mem.PublicID, 0, 10)
		if err != nil || st.Balance != 150 {
			t.Fatalf("points after approval: %d %v", st.Balance, err)
		}
		// A reviewer cannot write tasks: no button, and the form is refused.
		if p := reviewer.do("GET", "/p/qicheng/tasks", nil); p.status != 200 || strings.Contains(p.body, `data-test="new-task"`) {
			t.Fatalf("a reviewer's task list: %d", p.status)
		}
		if p := reviewer.do("POST", "/p/qicheng/tasks/"+ref+"/cancel", url.Values{"reason": {"x"}}); p.status != 404 {
			t.Fatalf("a reviewer cancels: %d", p.status)
		}
	})
}
