package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

var kitRedemption = regexp.MustCompile(`/m/redemptions/(rdm_[A-Za-z0-9]+)`)

// An operator names a welcome kit of merchandise on the kits page and
// issues it; the member's home asks for an address, the member gives one
// on the redemption's page, and the operator can then ship it. The member
// page's community form invites the member, who answers on their home.
func TestKitsAndCommunityConsoleAndPortal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		it, err := w.s.a.Catalog.Create(w.ctx, w.sc, catalog.ItemInput{Kind: catalog.Merchandise, Title: "车主入会礼包",
			Variants: []catalog.VariantInput{{Label: "标准", Stock: 10}}})
		if err != nil {
			t.Fatal(err)
		}
		op := w.s.teammate("qicheng", program.RoleOperator)
		page := op.do("GET", "/p/qicheng/kits", nil)
		checkPage(t, page)
		if page.status != 200 || !strings.Contains(page.body, `data-test="kit-form"`) {
			t.Fatalf("kits page: %d %s", page.status, page.body)
		}
		if bad := op.do("POST", "/p/qicheng/kits", url.Values{"occasion": {"promotion"}, "item": {it.PublicID}}); bad.status != 422 ||
			!strings.Contains(bad.body, `data-test="field-error"`) {
			t.Fatalf("a promotion kit without a tier: %d", bad.status)
		}
		if r := op.do("POST", "/p/qicheng/kits", url.Values{"occasion": {"welcome"}, "item": {it.PublicID}, "starts_at": {"2020-01-01T00:00"}}); r.status != 303 {
			t.Fatalf("add: %d %s", r.status, r.body)
		}
		if r := op.do("POST", "/p/qicheng/kits/issue", nil); r.status != 303 || !strings.Contains(r.header.Get("Location"), "done=kits_issued") {
			t.Fatalf("issue: %d %s", r.status, r.body)
		}
		after := op.do("GET", "/p/qicheng/kits", nil)
		if !strings.Contains(after.body, w.me.Name) || !strings.Contains(after.body, "待填写收货地址") {
			t.Fatalf("issued kits: %s", after.body)
		}
		if viewer := w.s.teammate("qicheng", program.RoleViewer).do("GET", "/p/qicheng/kits", nil); viewer.status != 200 || strings.Contains(viewer.body, `data-test="kit-form"`) {
			t.Fatalf("a viewer's kits page: %d", viewer.status)
		}

		// The community: invited from the member page.
		mp := op.do("GET", "/p/qicheng/members/"+w.me.PublicID, nil)
		checkPage(t, mp)
		if !strings.Contains(mp.body, `data-test="community-form"`) || !strings.Contains(mp.body, "车主入会礼包") {
			t.Fatalf("member page: %s", mp.body)
		}
		if r := op.do("POST", "/p/qicheng/members/"+w.me.PublicID+"/community", url.Values{"status": {"invited"}}); r.status != 422 {
			t.Fatalf("an invitation to no group: %d", r.status)
		}
		if r := op.do("POST", "/p/qicheng/members/"+w.me.PublicID+"/community", url.Values{"status": {"invited"}, "group": {"杭州车主核心群"}}); r.status != 303 {
			t.Fatalf("invite: %d %s", r.status, r.body)
		}

		w.signIn(t, w.me)
		home := w.s.do("GET", "/m", nil)
		checkPage(t, home)
		if !strings.Contains(home.body, `data-test="community-invitation"`) || !strings.Contains(home.body, "杭州车主核心群") ||
			!strings.Contains(home.body, `data-test="kit-needs-address"`) {
			t.Fatalf("home: %s", home.body)
		}
		m := kitRedemption.FindStringSubmatch(home.body)
		if m == nil {
			t.Fatal("no link to the kit")
		}
		red := w.s.do("GET", "/m/redemptions/"+m[1], nil)
		checkPage(t, red)
		if !strings.Contains(red.body, `data-test="address-form"`) {
			t.Fatalf("the kit's page: %s", red.body)
		}
		if r := w.s.do("POST", "/m/redemptions/"+m[1]+"/address", url.Values{"name": {"林小满"}, "phone": {"1"}, "address": {"杭州"}}); r.status != 422 ||
			!strings.Contains(r.body, `data-test="error"`) {
			t.Fatalf("a bad phone: %d", r.status)
		}
		if r := w.s.do("POST", "/m/redemptions/"+m[1]+"/address", url.Values{"name": {"林小满"}, "phone": {"13800000000"}, "address": {"杭州市西湖区文三路 1 号"}}); r.status != 303 {
			t.Fatalf("address: %d %s", r.status, r.body)
		}
		if r := w.s.do("POST", "/m/community", url.Values{"status": {"joined"}}); r.status != 303 || !strings.Contains(r.header.Get("Location"), "done=community_joined") {
			t.Fatalf("join: %d %s", r.status, r.body)
		}
		home = w.s.do("GET", "/m", nil)
		if strings.Contains(home.body, `data-test="community-invitation"`) || !strings.Contains(home.body, `data-test="community-joined"`) ||
			strings.Contains(home.body, `data-test="kit-needs-address"`) {
			t.Fatalf("home after: %s", home.body)
		}
		if r := w.s.do("POST", "/m/community", url.Values{"status": {"declined"}}); r.status != 409 {
			t.Fatalf("answering twice: %d", r.status)
		}

		// Now it ships.
		ship := op.do("POST", "/p/qicheng/redemptions/"+m[1]+"/shipment", url.Values{"status": {"shipped"}, "carrier": {"顺丰"}, "tracking": {"SF100"}})
		if ship.status != 303 {
			t.Fatalf("ship: %d %s", ship.status, ship.body)
		}
	})
}
