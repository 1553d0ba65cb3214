package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kox/internal/catalog"
	"kox/internal/community"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/kit"
	"kox/internal/program"
)

// In a real browser: an operator at a desk issues the due welcome kits on
// the kits page and sees the member's kit waiting for an address; the
// member on a phone answers the community's invitation and gives where to
// send the kit; the operator's page then ships it.
func TestBrowserKitsAndCommunity(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := browser(t)
		w := newPortalWorld(t, d)
		s := w.s
		it, err := s.a.Catalog.Create(w.ctx, w.sc, catalog.ItemInput{Kind: catalog.Merchandise, Title: "车主入会礼盒", Variants: []catalog.VariantInput{{Label: "标准", Stock: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Kits.Add(w.ctx, w.sc, kit.KitInput{Occasion: kit.Welcome, Item: it.PublicID, StartsAt: w.me.CreatedAt}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Community.Set(w.ctx, w.sc, w.me.PublicID, community.CommunityInput{Status: community.Invited, Group: "杭州车主核心群"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Programs.AddToTeam(w.ctx, w.sc, program.NewOperator{Email: "ops@web.kox", Name: "运营 周", Password: password}, program.RoleOperator); err != nil {
			t.Fatal(err)
		}
		shot := func(name string) string { return "kits-" + name + "-" + string(d.Engine) }
		run, text := driver(t, ctx)

		run("operator issues the kits", desk, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.SendKeys("#email", "ops@web.kox"),
			chromedp.SendKeys("#password", password), chromedp.Submit("#password"), chromedp.WaitVisible(`[data-test="programs"]`),
			chromedp.Navigate(s.srv.URL+"/p/qicheng/kits"), chromedp.Click(`[data-test="kits-issue"]`), chromedp.WaitVisible(`[data-test="flash"]`))
		if body := text("body"); !strings.Contains(body, w.me.Name) || !strings.Contains(body, "待填写收货地址") {
			t.Fatalf("the kits page after issuing: %s", body)
		}
		shoot(t, ctx, shot("console"))

		code, _, err := s.a.Members.IssueLoginCode(w.ctx, w.sc, w.me.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		run("member signs in", phone, chromedp.Navigate(s.srv.URL+"/m/signin?code="+url.QueryEscape(code)), chromedp.Click(`[data-test="signin"]`),
			chromedp.WaitVisible(`[data-test="community-invitation"]`), chromedp.WaitVisible(`[data-test="kit-needs-address"]`))
		shoot(t, ctx, shot("member-home"))
		run("joins", chromedp.Click(`[data-test="community-join"]`), chromedp.WaitVisible(`[data-test="community-joined"]`))
		if j := text(`[data-test="community-joined"]`); !strings.Contains(j, "杭州车主核心群") {
			t.Fatalf("joined line: %q", j)
		}
		run("gives the address", chromedp.Click(`[data-test="kit-needs-address"]`), chromedp.WaitVisible(`[data-test="address-form"]`),
			chromedp.SendKeys(`[data-test="address-form"] [name="name"]`, "林小满"), chromedp.SendKeys(`[data-test="address-form"] [name="phone"]`, "13800000000"),
			chromedp.SendKeys(`[data-test="address-form"] [name="address"]`, "杭州市西湖区文三路 1 号"), chromedp.Submit(`[data-test="address-form"] [name="phone"]`),
			chromedp.WaitVisible(`[data-test="flash"]`))
		if body := text("body"); !strings.Contains(body, "文三路") {
			t.Fatalf("the kit's page after the address: %s", body)
		}
		shoot(t, ctx, shot("member-address"))

		is, _, err := s.a.Kits.Issues(w.ctx, w.sc, kit.IssuesFilter{Member: w.me.PublicID, Limit: 5})
		if err != nil || len(is) != 1 || is[0].NeedsAddr {
			t.Fatalf("the member's kit: %+v %v", is, err)
		}
		run("operator ships it", desk, chromedp.Navigate(s.srv.URL+"/p/qicheng/redemptions/"+is[0].Redemption), chromedp.WaitVisible(`[data-test="ship-form"]`),
			chromedp.SendKeys(`[data-test="ship-form"] [name="carrier"]`, "顺丰"), chromedp.SendKeys(`[data-test="ship-form"] [name="tracking"]`, "SF100"),
			chromedp.Submit(`[data-test="ship-form"] [name="tracking"]`), chromedp.WaitVisible(`[data-test="flash"]`))
		shoot(t, ctx, shot("shipped"))
		if r, _ := s.a.Catalog.Redemption(w.ctx, w.sc, is[0].Redemption); r.Status != catalog.Shipped {
			t.Fatalf("the kit is %s", r.Status)
		}
	})
}
