package api_test

import (
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// Over HTTP: an operator names a welcome kit of merchandise and issues it;
// the member reads their own kit, which waits for an address, gives it, and
// an operator ships it. A bad kit names its field.
func TestKitsOverHTTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		base := "/api/v1/programs/" + slug
		item := e.item(slug, "merchandise")
		if r := e.call("POST", base+"/kits", e.owner, map[string]any{"occasion": "promotion", "item": item}); r.status != 422 || !strings.Contains(r.raw, `"kit.tier_required"`) {
			t.Fatalf("a promotion kit without a tier: %d %s", r.status, r.raw)
		}
		k := e.call("POST", base+"/kits", e.owner, map[string]any{"occasion": "welcome", "item": item, "starts_at": time.Now().Add(-time.Hour).Format(time.RFC3339)})
		if k.status != 201 || k.str("occasion") != "welcome" {
			t.Fatalf("add: %d %s", k.status, k.raw)
		}
		member := e.activeMember(slug)
		run := e.call("POST", base+"/kits/issue", e.owner, nil)
		if run.status != 200 || run.body["given"].(float64) < 1 {
			t.Fatalf("issue: %d %s", run.status, run.raw)
		}
		tok := e.memberToken(slug, member)
		mine := e.call("GET", base+"/kit-issues", tok, nil)
		if mine.status != 200 || len(mine.items()) != 1 || mine.items()[0]["needs_address"] != true {
			t.Fatalf("my kits: %d %s", mine.status, mine.raw)
		}
		rdm := mine.items()[0]["redemption"].(string)
		if r := e.call("POST", base+"/redemptions/"+rdm+"/shipment", e.owner, map[string]any{"status": "shipped", "carrier": "顺丰", "tracking": "SF1"}); r.status != 409 ||
			r.str("code") != "catalog.address_missing" {
			t.Fatalf("shipping without an address: %d %s", r.status, r.raw)
		}
		if r := e.call("PUT", base+"/redemptions/"+rdm+"/address", tok, map[string]any{"name": "林", "phone": "1", "address": "杭州"}); r.status != 422 ||
			!strings.Contains(r.raw, `"body.phone"`) {
			t.Fatalf("a bad phone: %d %s", r.status, r.raw)
		}
		if r := e.call("PUT", base+"/redemptions/"+rdm+"/address", tok, map[string]any{"name": "林", "phone": "13800000000", "address": "杭州市西湖区"}); r.status != 200 {
			t.Fatalf("my address: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/redemptions/"+rdm+"/shipment", e.owner, map[string]any{"status": "shipped", "carrier": "顺丰", "tracking": "SF1"}); r.status != 200 {
			t.Fatalf("ship: %d %s", r.status, r.raw)
		}
		list := e.call("GET", base+"/kits", e.owner, nil)
		if list.status != 200 || len(list.items()) != 1 || list.items()[0]["given"].(float64) < 1 {
			t.Fatalf("kits: %d %s", list.status, list.raw)
		}
	})
}

// Over HTTP: an operator invites a member to the private community; the
// member reads it and answers; answering again is a conflict.
func TestCommunityOverHTTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		member := e.activeMember(slug)
		path := "/api/v1/programs/" + slug + "/members/" + member + "/community"
		if r := e.call("PUT", path, e.owner, map[string]any{"status": "invited"}); r.status != 422 || !strings.Contains(r.raw, `"community.group_required"`) {
			t.Fatalf("an invitation to no group: %d %s", r.status, r.raw)
		}
		if r := e.call("PUT", path, e.owner, map[string]any{"status": "invited", "group": "车主核心群"}); r.status != 200 || r.str("invited_at") == "" {
			t.Fatalf("invite: %d %s", r.status, r.raw)
		}
		tok := e.memberToken(slug, member)
		if r := e.call("GET", path, tok, nil); r.status != 200 || r.str("status") != "invited" || r.str("group") != "车主核心群" {
			t.Fatalf("read: %d %s", r.status, r.raw)
		}
		if r := e.call("PUT", path, tok, map[string]any{"status": "joined"}); r.status != 200 || r.str("answered_at") == "" {
			t.Fatalf("join: %d %s", r.status, r.raw)
		}
		if r := e.call("PUT", path, tok, map[string]any{"status": "declined"}); r.status != 409 || r.str("code") != "community.no_invitation" {
			t.Fatalf("again: %d %s", r.status, r.raw)
		}
	})
}
