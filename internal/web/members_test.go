package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
)

// seedMembers adds n members to the program "qicheng": every third in 杭州,
// the rest in 上海.
func seedMembers(t *testing.T, d *db.DB, n int) {
	t.Helper()
	ctx := program.WithActor(context.Background(), program.System("test"))
	p, err := program.BySlug(ctx, d, "qicheng")
	if err != nil {
		t.Fatal(err)
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < n; i++ {
			city, source := "上海", member.Fan
			if i%3 == 0 {
				city, source = "杭州", member.Seeded
			}
			if _, err := member.CreateTx(ctx, tx, p.ID, member.NewMember{Fields: member.Fields{Name: fmt.Sprintf("车主%03d", i),
				Role: member.KOC, Source: source, City: city, Status: member.Active}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (s *site) signIn(email string) {
	s.t.Helper()
	if p := s.do("POST", "/signin", url.Values{"email": {email}, "password": {password}}); p.status != 303 {
		s.t.Fatalf("sign in %s: %d %s", email, p.status, p.body)
	}
}

// The member table filters and pages through the member service; another
// program's members answer as a page that does not exist.
func TestMemberTable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		seedMembers(t, d, 120)
		s.signIn("owner@web.kox")
		first := s.do("GET", "/p/qicheng/members", nil)
		checkPage(t, first)
		if !strings.Contains(first.body, `<option value="main/experience"`) {
			t.Error("the tier filter offers no tiers")
		}
		if first.status != 200 || strings.Count(first.body, "<tr>") != 51 || !strings.Contains(first.body, `data-test="next"`) {
			t.Fatalf("first page: %d, %d rows", first.status, strings.Count(first.body, "<tr>")-1)
		}
		hz := s.do("GET", "/p/qicheng/members?city=%E6%9D%AD%E5%B7%9E&source=seeded", nil)
		checkPage(t, hz)
		if rows := strings.Count(hz.body, "<tr>") - 1; rows != 40 || !strings.Contains(hz.body, "投放") || strings.Contains(hz.body, "上海") {
			t.Fatalf("杭州 and seeded: %d rows", rows)
		}
		// The next page keeps the filters.
		next := first.body[strings.Index(first.body, `href="/p/qicheng/members?`)+6:]
		next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
		second := s.do("GET", next, nil)
		if rows := strings.Count(second.body, "<tr>") - 1; second.status != 200 || rows != 50 {
			t.Fatalf("second page %s: %d, %d rows", next, second.status, rows)
		}
		if p := s.do("GET", "/p/qicheng/members?cursor=garbage", nil); p.status != 422 || !strings.Contains(p.body, "分页游标") {
			t.Fatalf("a bad cursor: %d", p.status)
		}
		if p := s.do("GET", "/p/nowhere/members", nil); p.status != 404 {
			t.Fatalf("a program that does not exist: %d", p.status)
		}
	})
}

// An operator with no part in the program gets a page that does not exist,
// not its members; a viewer of the program reads them.
func TestMemberTableIsForThoseWhoMayRead(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	s := newSite(t, d)
	seedMembers(t, d, 3)
	newSiteOperator(t, d, "outsider@web.kox", "", "")
	s.signIn("outsider@web.kox")
	if p := s.do("GET", "/p/qicheng/members", nil); p.status != 404 || strings.Contains(p.body, "车主") {
		t.Fatalf("an operator of no program: %d", p.status)
	}
	newSiteOperator(t, d, "viewer@web.kox", "qicheng", program.RoleViewer)
	s.signIn("viewer@web.kox")
	if p := s.do("GET", "/p/qicheng/members", nil); p.status != 200 || !strings.Contains(p.body, "车主000") {
		t.Fatalf("a viewer: %d", p.status)
	}
}

// newSiteOperator adds an operator; with a program and role, to it.
func newSiteOperator(t *testing.T, d *db.DB, email, slug string, role program.Role) program.Operator {
	t.Helper()
	ctx := program.WithActor(context.Background(), program.System("test"))
	svc := &program.Service{DB: d}
	o, err := svc.CreateOperator(ctx, program.NewOperator{Email: email, Name: "Other", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if slug != "" {
		p, err := program.BySlug(ctx, d, slug)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return program.SetRoleTx(ctx, tx, p.ID, o, role) }); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func TestBrowserMemberTable(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	ctx := browser(t)
	s := newSite(t, d)
	seedMembers(t, d, 60)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.SendKeys("#email", "owner@web.kox"),
		chromedp.SendKeys("#password", password), chromedp.Submit("#password"), chromedp.WaitVisible(`[data-test="programs"]`),
		chromedp.Navigate(s.srv.URL+"/p/qicheng/members"), chromedp.WaitVisible(`[data-test="table"]`)); err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "console-members")
	// Typing a filter refreshes the results in place (htmx), and the
	// address with it: the page is not loaded again.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.koxMark = 7`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys("#f-q", "车主05")); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for range 50 {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-test="table"] tbody tr').length`))
		if err != nil {
			t.Fatal(err)
		}
		if rows = n; rows == 10 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mark, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.koxMark || 0`))
	where, _ := chromedp.Run(ctx, chromedp.Location())
	if rows != 10 || err != nil || mark != 7 || !strings.Contains(where, "q=") {
		t.Fatalf("filtering in place: %d rows (want 10), mark %d, at %s, %v", rows, mark, where, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`[data-test="table"] tbody tr:first-child a`), chromedp.WaitVisible(`[data-test="member-name"]`)); err != nil {
		t.Fatal(err)
	}
	name, err := chromedp.Run(ctx, chromedp.Text(`[data-test="member-name"]`))
	if err != nil || name != "车主059" { // the newest of 车主050–059
		t.Fatalf("member page from the table: %q, %v", name, err)
	}
	shoot(t, ctx, "console-member")
}

// A member's page shows the record, social accounts, tier, points and
// tasks; a role that may not read the ledger sees no points; another
// program's member answers as a page that does not exist.
func TestMemberPage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ctx := program.WithActor(context.Background(), program.System("test"))
		sc, err := s.a.Programs.Scope(ctx, "qicheng")
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.a.Members.Create(ctx, sc, member.NewMember{Fields: member.Fields{Name: "李娜", Role: member.KOC, Source: member.Seeded,
			City: "杭州", Status: member.Active, Tags: []string{"露营"}}, Social: []member.SocialInput{{Platform: "xiaohongshu", Handle: "露营奶爸", Followers: 12000}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Ladders.SetTier(ctx, sc, m.PublicID, "main", "experience", "试驾表现好"); err != nil {
			t.Fatal(err)
		}
		tk, err := s.a.Tasks.Create(ctx, sc, task.Input{Title: "分享 OTA 初体验", Kind: task.Content, Mode: task.Open, Capacity: 5,
			Reward: task.Reward{Points: 100}})
		if err == nil {
			tk, err = s.a.Tasks.Publish(ctx, sc, tk.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.a.Tasks.Take(ctx, sc, tk.PublicID, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := s.a.Tasks.Submit(ctx, sc, c.PublicID, task.SubmissionInput{Text: "城市领航很稳 #广告"})
		if err == nil {
			_, err = s.a.Tasks.Review(ctx, sc, sub.PublicID, task.Approve, 5, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Members.AddNote(ctx, sc, m.PublicID, "回复很快，适合带新人"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Members.RecordConsent(ctx, sc, m.PublicID, member.Consent{Kind: "content_reuse", Granted: true, Source: "wecom"}); err != nil {
			t.Fatal(err)
		}
		s.signIn("owner@web.kox")
		p := s.do("GET", "/p/qicheng/members/"+m.PublicID, nil)
		checkPage(t, p)
		for _, want := range []string{"李娜", "投放", "杭州", "露营", "小红书", "露营奶爸", "12000", "须标注", "+100", "任务通过", "分享 OTA 初体验", "已通过", "积分 · 100", "授权阶梯", "体验授权",
			"试驾表现好", "回复很快，适合带新人", "content_reuse", "提交记录", "操作记录", "member.tier"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("member page lacks %q", want)
			}
		}
		if p.status != 200 {
			t.Fatalf("member page: %d", p.status)
		}
		newSiteOperator(t, d, "reviewer@web.kox", "qicheng", program.RoleReviewer)
		s.signIn("reviewer@web.kox")
		r := s.do("GET", "/p/qicheng/members/"+m.PublicID, nil)
		if r.status != 200 || strings.Contains(r.body, "+100") || !strings.Contains(r.body, "李娜") || strings.Contains(r.body, "操作记录") {
			t.Fatalf("a reviewer (no ledger.read) sees points: %d", r.status)
		}
		s.signIn("owner@web.kox")
		if _, err := s.a.Programs.Create(ctx, program.Program{Slug: "other", Name: "Other"}); err != nil {
			t.Fatal(err)
		}
		if p := s.do("GET", "/p/other/members/"+m.PublicID, nil); p.status != 404 || strings.Contains(p.body, "李娜") {
			t.Fatalf("the member through another program: %d", p.status)
		}
	})
}

// The table sorts by name and pages on in that order; oldest first too.
func TestMemberTableSorts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		seedMembers(t, d, 120)
		s.signIn("owner@web.kox")
		firstName := func(body string) string {
			i := strings.Index(body, "<tbody>")
			j := strings.Index(body[i:], "车主")
			return body[i+j : i+j+len("车主000")]
		}
		byName := s.do("GET", "/p/qicheng/members?sort=name", nil)
		checkPage(t, byName)
		if got := firstName(byName.body); got != "车主000" {
			t.Fatalf("by name, first: %s", got)
		}
		next := byName.body[strings.Index(byName.body, `href="/p/qicheng/members?`)+6:]
		next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
		if got := firstName(s.do("GET", next, nil).body); got != "车主050" {
			t.Fatalf("by name, second page starts at %s", got)
		}
		if got := firstName(s.do("GET", "/p/qicheng/members", nil).body); got != "车主119" {
			t.Fatalf("newest first: %s", got)
		}
		if p := s.do("GET", "/p/qicheng/members?sort=age", nil); p.status != 422 {
			t.Fatalf("an unknown order: %d", p.status)
		}
	})
}
