package api_test

import (
	"fmt"
	"slices"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
)

func TestMembers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		base := "/api/v1/programs/" + slug + "/members"
		zhang := e.member(slug, map[string]any{"name": "张伟", "phone": "+86 138 0000 0001", "source": "fan", "region": "华东", "city": "上海",
			"status": "active", "tags": []string{"车主", "摄影", "车主"},
			"social_accounts": []any{map[string]any{"platform": "xiaohongshu", "handle": "zhangwei_drives", "followers": 12000}}})
		if zhang["disclosure_required"] != false || len(zhang["tags"].([]any)) != 2 || zhang["domain"] != "public" {
			t.Fatalf("created: %v", zhang)
		}
		li := e.member(slug, map[string]any{"name": "李娜", "source": "seeded", "region": "华南", "city": "深圳", "domain": "private",
			"tags": []string{"宝妈"}})
		if li["disclosure_required"] != true {
			t.Fatalf("a seeded KOC must be flagged for disclosure: %v", li)
		}
		scripted := e.member(slug, map[string]any{"name": "品牌剧本号", "source": "scripted"})
		if scripted["disclosure_required"] != true {
			t.Fatalf("a scripted KOC must be flagged: %v", scripted)
		}
		kos := e.call("POST", base, e.owner, map[string]any{"name": "王导购", "role": "kos", "city": "上海", "status": "active"})
		if kos.status != 201 || kos.body["disclosure_required"] != false {
			t.Fatalf("kos: %d %s", kos.status, kos.raw)
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"role=kos", []string{"王导购"}},
			{"source=seeded", []string{"李娜"}},
			{"domain=private", []string{"李娜"}},
			{"status=active", []string{"王导购", "张伟"}},
			{"city=%E4%B8%8A%E6%B5%B7", []string{"王导购", "张伟"}},
			{"region=%E5%8D%8E%E5%8D%97", []string{"李娜"}},
			{"tag=%E6%91%84%E5%BD%B1", []string{"张伟"}},
			{"q=ZHANGWEI", []string{"张伟"}},
			{"q=138", []string{"张伟"}},
			{"q=%E5%89%A7%E6%9C%AC", []string{"品牌剧本号"}},
			{"q=100%25", nil},
		} {
			r := e.call("GET", base+"?"+c.query, e.owner, nil)
			var names []string
			for _, it := range r.items() {
				names = append(names, it["name"].(string))
			}
			if r.status != 200 || !slices.Equal(names, c.want) {
				t.Errorf("?%s: %d %v, want %v", c.query, r.status, names, c.want)
			}
		}
		// Paging walks every member once.
		seen := map[string]bool{}
		cursor := ""
		for pages := 0; pages < 10; pages++ {
			r := e.call("GET", base+"?limit=1&cursor="+cursor, e.owner, nil)
			for _, it := range r.items() {
				seen[it["id"].(string)] = true
			}
			if cursor = r.str("next_cursor"); cursor == "" {
				break
			}
		}
		if len(seen) != 4 {
			t.Fatalf("paging saw %d members, want 4", len(seen))
		}

		id := zhang["id"].(string)
		r := e.call("PATCH", base+"/"+id, e.owner, map[string]any{"status": "paused", "tags": []string{"车主"}})
		if r.status != 200 || r.str("status") != "paused" || len(r.body["tags"].([]any)) != 1 || len(r.body["social_accounts"].([]any)) != 1 {
			t.Fatalf("patch: %d %s", r.status, r.raw)
		}
		audit := e.call("GET", "/api/v1/programs/"+slug+"/audit?object_id="+id+"&action=member.update", e.owner, nil).items()
		if len(audit) != 1 || audit[0]["before"].(map[string]any)["status"] != "active" || audit[0]["after"].(map[string]any)["status"] != "paused" {
			t.Fatalf("member.update audit: %v", audit)
		}
		if r := e.call("PATCH", base+"/"+li["id"].(string), e.owner, map[string]any{"role": "kos"}); r.status != 422 || !slices.Contains(r.problemFields(), "body.source") {
			t.Fatalf("a KOS with a KOC source: %d %s", r.status, r.raw)
		}

		// Social accounts: a handle belongs to one member.
		if r := e.call("POST", base+"/"+li["id"].(string)+"/social-accounts", e.owner,
			map[string]any{"platform": "xiaohongshu", "handle": "zhangwei_drives"}); r.status != 422 || !slices.Contains(r.problemFields(), "body.handle") {
			t.Fatalf("someone else's handle: %d %s", r.status, r.raw)
		}
		sa := e.call("POST", base+"/"+li["id"].(string)+"/social-accounts", e.owner,
			map[string]any{"platform": "douyin", "handle": "lina_mom", "url": "https://www.douyin.com/user/lina", "followers": 800})
		if sa.status != 201 {
			t.Fatalf("add social: %d %s", sa.status, sa.raw)
		}
		if r := e.call("DELETE", base+"/"+id+"/social-accounts/"+sa.str("id"), e.owner, nil); r.status != 404 {
			t.Fatalf("removing another member's account: %d", r.status)
		}
		if r := e.call("DELETE", base+"/"+li["id"].(string)+"/social-accounts/"+sa.str("id"), e.owner, nil); r.status != 204 {
			t.Fatalf("remove social: %d %s", r.status, r.raw)
		}

		// Consent is a history: a withdrawal is a new record.
		for _, granted := range []bool{true, false} {
			if r := e.call("POST", base+"/"+id+"/consents", e.owner, map[string]any{"kind": "content_reuse", "granted": granted, "source": "wecom_form"}); r.status != 201 {
				t.Fatalf("consent: %d %s", r.status, r.raw)
			}
		}
		cs := e.call("GET", base+"/"+id+"/consents", e.owner, nil).items()
		if len(cs) != 2 || cs[0]["granted"] != true || cs[1]["granted"] != false {
			t.Fatalf("consents: %v", cs)
		}
		if r := e.call("POST", base+"/"+id+"/notes", e.owner, map[string]any{"body": "适合长测"}); r.status != 201 || r.str("author") != "Owner" {
			t.Fatalf("note: %d %s", r.status, r.raw)
		}
		if ns := e.call("GET", base+"/"+id+"/notes", e.owner, nil).items(); len(ns) != 1 {
			t.Fatalf("notes: %v", ns)
		}

		// Another program cannot see these members.
		other := e.program()
		otherTok, _ := e.operator(other, "admin")
		if r := e.call("GET", base+"/"+id, otherTok, nil); r.status != 404 {
			t.Fatalf("another program's admin reads a member: %d", r.status)
		}
		if r := e.call("GET", "/api/v1/programs/"+other+"/members/"+id, otherTok, nil); r.status != 404 {
			t.Fatalf("a member id under another program: %d", r.status)
		}
	})
}

func TestMemberBadInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		base := "/api/v1/programs/" + slug + "/members"
		before := e.auditCount(slug)
		tags := make([]string, 21)
		for i := range tags {
			tags[i] = fmt.Sprint("t", i)
		}
		for _, c := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no name", map[string]any{"role": "koc"}, "body.name"},
			{"bad role", map[string]any{"name": "x", "role": "vip"}, "body.role"},
			{"bad source", map[string]any{"name": "x", "role": "koc", "source": "bought"}, "body.source"},
			{"bad phone", map[string]any{"name": "x", "role": "koc", "phone": "call me"}, "body.phone"},
			{"bad email", map[string]any{"name": "x", "role": "koc", "email": "x@"}, "body.email"},
			{"too many tags", map[string]any{"name": "x", "role": "koc", "tags": tags}, "body.tags"},
			{"bad platform", map[string]any{"name": "x", "role": "koc", "social_accounts": []any{map[string]any{"platform": "myspace", "handle": "h"}}}, "body.social_accounts[0].platform"},
			{"negative followers", map[string]any{"name": "x", "role": "koc", "social_accounts": []any{map[string]any{"platform": "weibo", "handle": "h", "followers": -1}}}, "body.social_accounts[0].followers"},
			{"bad url", map[string]any{"name": "x", "role": "koc", "social_accounts": []any{map[string]any{"platform": "weibo", "handle": "h", "url": "javascript:alert(1)"}}}, "body.social_accounts[0].url"},
			{"kos with a source", map[string]any{"name": "x", "role": "kos", "source": "fan"}, "body.source"},
		} {
			r := e.call("POST", base, e.owner, c.body)
			if r.status != 422 || !slices.Contains(r.problemFields(), c.field) {
				t.Errorf("%s: %d %v (want %s): %s", c.name, r.status, r.problemFields(), c.field, r.raw)
			}
		}
		m := e.member(slug, map[string]any{"role": "koc"})
		if r := e.call("POST", "/api/v1/programs/"+slug+"/account-matrix", e.owner, map[string]any{"platform": "douyin", "layer": "kos",
			"name": "x", "handle": "x1", "member_id": m["id"]}); r.status != 422 || !slices.Contains(r.problemFields(), "body.member_id") {
			t.Errorf("a KOC in the KOS layer: %d %s", r.status, r.raw)
		}
		if n := e.auditCount(slug); n != before+1 {
			t.Fatalf("bad input wrote %d audit entries", n-before-1)
		}
	})
}

func TestAccountMatrix(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		koc := e.member(slug, map[string]any{"role": "koc"})
		url := "/api/v1/programs/" + slug + "/account-matrix"
		for _, b := range []map[string]any{
			{"platform": "douyin", "layer": "koc", "name": "车主小王", "handle": "k1", "followers": 900, "member_id": koc["id"]},
			{"platform": "douyin", "layer": "official", "name": "启程汽车", "handle": "qicheng", "followers": 500000},
			{"platform": "douyin", "layer": "brand_ip", "name": "启程设计师", "handle": "designer", "followers": 80000},
			{"platform": "weibo", "layer": "official", "name": "启程汽车官微", "handle": "qicheng_wb"},
		} {
			if r := e.call("POST", url, e.owner, b); r.status != 201 {
				t.Fatalf("add %v: %d %s", b, r.status, r.raw)
			}
		}
		items := e.call("GET", url+"?platform=douyin", e.owner, nil).items()
		var layers []string
		for _, it := range items {
			layers = append(layers, it["layer"].(string))
		}
		if !slices.Equal(layers, []string{"official", "brand_ip", "koc"}) || items[2]["member_id"] != koc["id"] {
			t.Fatalf("douyin matrix: %v", items)
		}
		if r := e.call("POST", url, e.owner, map[string]any{"platform": "douyin", "layer": "official", "name": "dup", "handle": "qicheng"}); r.status != 422 {
			t.Fatalf("duplicate handle: %d", r.status)
		}
		if all := e.call("GET", url, e.owner, nil).items(); len(all) != 4 {
			t.Fatalf("whole matrix: %d entries", len(all))
		}
	})
}
