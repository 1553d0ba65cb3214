package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
)

// The setup pages work end to end: ladders with member counts and the
// program file; a teammate added and given another role; an API key shown
// once and revoked; the audit log filtered; a member edited and moved up a
// tier with a reason.
func TestSetupPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ctx := program.WithActor(context.Background(), program.System("test"))
		sc, _ := s.a.Programs.Scope(ctx, "qicheng")
		m, err := s.a.Members.Create(ctx, sc, member.NewMember{Fields: member.Fields{Name: "林小满", Role: member.KOC, Status: member.Active}})
		if err != nil {
			t.Fatal(err)
		}
		s.signIn("owner@web.kox")

		lad := s.do("GET", "/p/qicheng/ladders", nil)
		checkPage(t, lad)
		if lad.status != 200 || !strings.Contains(lad.body, "体验授权") || !strings.Contains(lad.body, "权益置换") {
			t.Fatalf("ladders: %d %s", lad.status, lad.body)
		}
		yaml := s.do("GET", "/p/qicheng/program.yaml?download=1", nil)
		if yaml.status != 200 || !strings.Contains(yaml.body, "slug: qicheng") || !strings.Contains(yaml.header.Get("Content-Disposition"), "qicheng.yaml") {
			t.Fatalf("program file: %d %v", yaml.status, yaml.header)
		}

		// The member: edited, then moved up with a reason.
		bad := s.do("POST", "/p/qicheng/members/"+m.PublicID, url.Values{"name": {""}, "role": {"koc"}, "domain": {"public"}, "status": {"active"}})
		checkPage(t, bad)
		if bad.status != 422 || !strings.Contains(bad.body, `data-test="error"`) {
			t.Fatalf("an empty name: %d", bad.status)
		}
		if p := s.do("POST", "/p/qicheng/members/"+m.PublicID, url.Values{"name": {"林小满"}, "phone": {"13800000001"}, "role": {"koc"},
			"source": {"fan"}, "domain": {"private"}, "status": {"active"}, "city": {"杭州"}, "tags": {"露营 自驾"}}); p.status != 303 {
			t.Fatalf("edit: %d %s", p.status, p.body)
		}
		if p := s.do("POST", "/p/qicheng/members/"+m.PublicID+"/tier", url.Values{"reason": {"没选等级"}}); p.status != 422 {
			t.Fatalf("a move with no tier: %d", p.status)
		}
		if p := s.do("POST", "/p/qicheng/members/"+m.PublicID+"/tier", url.Values{"tier": {"main/experience"}, "reason": {"试驾分享很出色"}}); p.status != 303 {
			t.Fatalf("move tier: %d %s", p.status, p.body)
		}
		page := s.do("GET", "/p/qicheng/members/"+m.PublicID+"?done=saved", nil)
		checkPage(t, page)
		for _, want := range []string{"私域", "杭州", "露营", "体验授权", `data-test="flash"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("member page after edit and move lacks %s", want)
			}
		}

		// A teammate, then another role.
		if p := s.do("POST", "/p/qicheng/team", url.Values{"name": {"审核小王"}, "email": {"wang@web.kox"}, "password": {"password-123"}, "role": {"reviewer"}}); p.status != 303 {
			t.Fatalf("add teammate: %d %s", p.status, p.body)
		}
		team := s.do("GET", "/p/qicheng/team", nil)
		checkPage(t, team)
		id := regexp.MustCompile(`action="/p/qicheng/team/(op[a-z]*_[A-Za-z0-9]+)"`).FindAllStringSubmatch(team.body, -1)
		if len(id) != 1 || !strings.Contains(team.body, "wang@web.kox") {
			t.Fatalf("team: %s", team.body)
		}
		for _, x := range id {
			if p := s.do("POST", "/p/qicheng/team/"+x[1], url.Values{"role": {"viewer"}}); p.status != 303 && p.status != 409 && p.status != 422 {
				t.Fatalf("set role: %d", p.status)
			}
		}
		if r := s.teammate("qicheng", program.RoleViewer).do("GET", "/p/qicheng/team", nil); r.status != 404 && strings.Contains(r.body, `name="remove"`) {
			t.Fatal("a viewer sees the team's buttons")
		}

		// An API key: its secret once, then only its prefix.
		k := s.do("POST", "/p/qicheng/api-keys", url.Values{"name": {"BI 导出"}, "role": {"viewer"}})
		checkPage(t, k)
		secret := regexp.MustCompile(`data-test="secret-value">([^<]+)<`).FindStringSubmatch(k.body)
		if k.status != 201 || secret == nil || k.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("new key: %d %s", k.status, k.body)
		}
		list := s.do("GET", "/p/qicheng/api-keys", nil)
		if strings.Contains(list.body, secret[1]) || !strings.Contains(list.body, "BI 导出") {
			t.Fatal("the key's secret is shown again")
		}
		rev := regexp.MustCompile(`action="(/p/qicheng/api-keys/[^"]+/revoke)"`).FindStringSubmatch(list.body)
		if rev == nil {
			t.Fatal("no revoke button")
		}
		if p := s.do("POST", rev[1], nil); p.status != 303 {
			t.Fatalf("revoke: %d", p.status)
		}
		if p := s.do("GET", "/p/qicheng/api-keys", nil); !strings.Contains(p.body, "已吊销") {
			t.Fatal("the revoked key is not shown as revoked")
		}

		// The audit log, filtered to tier moves.
		audit := s.do("GET", "/p/qicheng/audit?action=member.tier", nil)
		checkPage(t, audit)
		if audit.status != 200 || !strings.Contains(audit.body, m.PublicID) || strings.Contains(audit.body, "api_key.create") {
			t.Fatalf("audit filtered: %s", audit.body)
		}
		if p := s.do("GET", "/p/qicheng/audit?since=yesterday", nil); p.status != 422 {
			t.Fatalf("a bad date: %d", p.status)
		}
		// The program switcher lists the reader's other programs.
		if _, err := s.a.Programs.Create(ctx, program.Program{Slug: "fengchi", Name: "风驰户外"}); err != nil {
			t.Fatal(err)
		}
		if p := s.do("GET", "/p/qicheng/members", nil); !strings.Contains(p.body, `data-test="program-switch"`) || !strings.Contains(p.body, `href="/p/fengchi"`) {
			t.Fatal("the owner's switcher lacks the other program")
		}
		if p := s.teammate("qicheng", program.RoleReviewer).do("GET", "/p/qicheng/members", nil); strings.Contains(p.body, "fengchi") {
			t.Fatal("a reviewer of one program is offered another")
		}
		mat := s.do("GET", "/p/qicheng/matrix?platform=xiaohongshu", nil)
		checkPage(t, mat)
		if mat.status != 200 || !strings.Contains(mat.body, "官方号") {
			t.Fatalf("matrix: %d", mat.status)
		}
	})
}

// The program file's editor: a preview lists the changes and writes
// nothing; applying writes them; a file naming another program, or a bad
// file, is refused; an operator may change ladders, not the program's own
// fields.
func TestProgramFileEditor(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		s.signIn("owner@web.kox")
		ed := s.do("GET", "/p/qicheng/program-file", nil)
		checkPage(t, ed)
		m := regexp.MustCompile(`(?s)<textarea[^>]*name="file"[^>]*>(.*?)</textarea>`).FindStringSubmatch(ed.body)
		if ed.status != 200 || m == nil || !strings.Contains(m[1], "slug: qicheng") {
			t.Fatalf("editor: %d", ed.status)
		}
		text := strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(m[1])
		changed := strings.Replace(text, "体验官", "体验大使", 1)
		if changed == text {
			t.Fatalf("the file has no 体验官 title to change:\n%s", text)
		}
		pre := s.do("POST", "/p/qicheng/program-file", url.Values{"file": {changed}, "action": {"preview"}})
		checkPage(t, pre)
		if pre.status != 200 || !strings.Contains(pre.body, `data-test="preview"`) || !strings.Contains(pre.body, "~ ") || !strings.Contains(pre.body, `data-test="apply-file"`) {
			t.Fatalf("preview: %d %s", pre.status, pre.body)
		}
		if l := s.do("GET", "/p/qicheng/ladders", nil); strings.Contains(l.body, "体验大使") {
			t.Fatal("a preview changed the ladders")
		}
		if p := s.do("POST", "/p/qicheng/program-file", url.Values{"file": {changed}, "action": {"apply"}}); p.status != 303 {
			t.Fatalf("apply: %d %s", p.status, p.body)
		}
		if l := s.do("GET", "/p/qicheng/ladders", nil); !strings.Contains(l.body, "体验大使") {
			t.Fatal("applying did not change the ladders")
		}
		other := strings.Replace(changed, "slug: qicheng", "slug: other", 1)
		if p := s.do("POST", "/p/qicheng/program-file", url.Values{"file": {other}, "action": {"apply"}}); p.status != 422 {
			t.Fatalf("a file naming another program: %d", p.status)
		}
		if p := s.do("POST", "/p/qicheng/program-file", url.Values{"file": {"ladders: [nonsense"}, "action": {"preview"}}); p.status != 422 && p.status != 400 {
			t.Fatalf("a broken file: %d", p.status)
		}
		op := s.teammate("qicheng", program.RoleOperator)
		renamed := strings.Replace(changed, "name: 启程汽车 车主计划", "name: 改名", 1)
		if p := op.do("POST", "/p/qicheng/program-file", url.Values{"file": {renamed}, "action": {"apply"}}); p.status != 403 {
			t.Fatalf("an operator renames the program: %d", p.status)
		}
	})
}
