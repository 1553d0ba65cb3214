package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
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
		if p := s.do("GET", "/p/qicheng", nil); p.status != 303 || p.header.Get("Location") != "/p/qicheng/members" {
			t.Fatalf("program page: %d %s", p.status, p.header.Get("Location"))
		}
		first := s.do("GET", "/p/qicheng/members", nil)
		checkPage(t, first)
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
}
