package kit_test

import (
	"os"
	"sync"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/budget"
	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/kit"
	"kox/internal/member"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

var start = time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)

func line(t *testing.T, w *apptest.World, amount int64) string {
	t.Helper()
	p, err := w.A.Budget.CreatePlan(w.Ctx, w.SC, budget.PlanInput{Code: "y2026", Name: "2026", Period: "2026",
		Lines: []budget.LineInput{{Layer: budget.Broad, Code: "kits", Name: "礼包", Amount: amount}}})
	if err == nil {
		_, err = w.A.Budget.ApprovePlan(w.Ctx, w.SC, p.PublicID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p.Lines[0].PublicID
}

func item(t *testing.T, w *apptest.World, in catalog.ItemInput) catalog.Item {
	t.Helper()
	it, err := w.A.Catalog.Create(w.Ctx, w.SC, in)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func issues(t *testing.T, w *apptest.World, f kit.IssuesFilter) map[string]kit.Issue {
	t.Helper()
	f.Limit = 200
	is, _, err := w.A.Kits.Issues(w.Ctx, w.SC, f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]kit.Issue{}
	for _, x := range is {
		out[x.Member] = x
	}
	return out
}

// A welcome kit goes once to each active member who joined from its start,
// through the redemption chain: its stock and its cost on the budget line.
// When the stock runs out the member's kit waits and says why, and the run
// after a restock gives it. A kit is given before any address is known; it
// cannot ship until the member (or an operator) gives one.
func TestWelcomeKitOnceWithStockBudgetAndAddress(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start.Add(-24*time.Hour))
		before := w.Member() // joined before the kit: none for them
		w.Set(start)
		ln := line(t, w, 30_000)
		it := item(t, w, catalog.ItemInput{Kind: catalog.Merchandise, Title: "入会礼包", Points: 800, UnitCost: 10_000, BudgetLine: ln,
			Variants: []catalog.VariantInput{{Label: "标准", Stock: 2}}})
		k, err := w.A.Kits.Add(w.Ctx, w.SC, kit.KitInput{Occasion: kit.Welcome, Item: it.PublicID})
		if err != nil || !k.Active || !k.StartsAt.Equal(start) {
			t.Fatalf("add: %+v %v", k, err)
		}
		w.Advance(time.Minute)
		a, b, c := w.Member(), w.Member(), w.Member()
		cand, err := w.A.Members.Create(w.Ctx, w.SC, member.NewMember{Fields: member.Fields{Name: "候选", Role: member.KOC}})
		if err != nil {
			t.Fatal(err)
		}

		r, err := w.A.Kits.IssueAll(w.Ctx)
		if err != nil || r.Given != 2 || r.Waiting != 1 {
			t.Fatalf("first run: %+v %v", r, err)
		}
		got := issues(t, w, kit.IssuesFilter{Kit: k.PublicID})
		if len(got) != 3 || got[a.PublicID].Status != "given" || got[b.PublicID].Status != "given" {
			t.Fatalf("issues: %+v", got)
		}
		if x := got[c.PublicID]; x.Status != "waiting" || x.ReasonCode != "catalog.out_of_stock" || x.Why == nil {
			t.Fatalf("c's kit should wait for stock: %+v", x)
		}
		if _, ok := got[before.PublicID]; ok {
			t.Fatal("a member who joined before the kit got it")
		}
		if _, ok := got[cand.PublicID]; ok {
			t.Fatal("a candidate (not yet active) got it")
		}
		lnNow, _ := w.A.Budget.Line(w.Ctx, w.SC, ln)
		if lnNow.Spent != 20_000 {
			t.Fatalf("budget spent %d, want 20000", lnNow.Spent)
		}

		// Running again gives nothing twice.
		if r, err := w.A.Kits.IssueAll(w.Ctx); err != nil || r.Given != 0 || r.Waiting != 1 {
			t.Fatalf("second run: %+v %v", r, err)
		}
		rs, _, err := w.A.Catalog.Redemptions(w.Ctx, w.SC, catalog.RedemptionFilter{Item: it.PublicID, Limit: 50})
		if err != nil || len(rs) != 2 {
			t.Fatalf("redemptions: %d %v", len(rs), err)
		}

		// No address yet: it cannot ship; the member gives theirs.
		ra := got[a.PublicID]
		if !ra.NeedsAddr {
			t.Fatalf("a's kit should need an address: %+v", ra)
		}
		red, _ := w.A.Catalog.Redemption(w.Ctx, w.SC, ra.Redemption)
		if red.Points != 0 || !red.NeedsAddress() {
			t.Fatalf("the kit's redemption: %+v", red)
		}
		ship := catalog.Shipment{Status: catalog.Shipped, Carrier: "顺丰", Tracking: "SF1"}
		if _, err := w.A.Catalog.Advance(w.Ctx, w.SC, ra.Redemption, ship); apptest.Code(err) != "catalog.address_missing" {
			t.Fatalf("shipping without an address: %v", err)
		}
		addr := catalog.Address{Name: "林", Phone: "13800000000", Address: "杭州市西湖区文三路 1 号"}
		if _, err := w.A.Catalog.SetAddress(w.Ctx, w.As(b), ra.Redemption, addr); apptest.Code(err) != "catalog.redemption_not_found" {
			t.Fatalf("another member set a's address: %v", err)
		}
		if _, err := w.A.Catalog.SetAddress(w.Ctx, w.As(a), ra.Redemption, catalog.Address{Name: "林", Address: "杭州"}); apptest.Code(err) != "phone:catalog.phone" {
			t.Fatalf("a bad address: %v", err)
		}
		if red, err = w.A.Catalog.SetAddress(w.Ctx, w.As(a), ra.Redemption, addr); err != nil || red.NeedsAddress() || red.Address.Address != addr.Address {
			t.Fatalf("a's address: %+v %v", red, err)
		}
		if red, err = w.A.Catalog.Advance(w.Ctx, w.SC, ra.Redemption, ship); err != nil || red.Status != catalog.Shipped {
			t.Fatalf("ship: %+v %v", red, err)
		}
		if _, err := w.A.Catalog.SetAddress(w.Ctx, w.As(a), ra.Redemption, addr); apptest.Code(err) != "catalog.address_fixed" {
			t.Fatalf("an address after shipping: %v", err)
		}
		if mine := issues(t, w, kit.IssuesFilter{}); len(mine) != 3 {
			t.Fatalf("operator's list: %d", len(mine))
		}
		own, _, err := w.A.Kits.Issues(w.Ctx, w.As(a), kit.IssuesFilter{Limit: 10})
		if err != nil || len(own) != 1 || own[0].Member != a.PublicID || own[0].Shipment != "shipped" {
			t.Fatalf("a's own kits: %+v %v", own, err)
		}

		// Restocked, the waiting kit is given and no longer waits.
		if _, err := w.A.Catalog.Restock(w.Ctx, w.SC, it.PublicID, it.Variants[0].PublicID, 5, "补货"); err != nil {
			t.Fatal(err)
		}
		if r, err := w.A.Kits.IssueAll(w.Ctx); err != nil || r.Given != 1 || r.Waiting != 0 {
			t.Fatalf("after restock: %+v %v", r, err)
		}
		if x := issues(t, w, kit.IssuesFilter{Member: c.PublicID})[c.PublicID]; x.Status != "given" || x.ReasonCode != "" {
			t.Fatalf("c's kit: %+v", x)
		}

		// Stopped, a kit goes to no one new.
		if k, err = w.A.Kits.SetActive(w.Ctx, w.SC, k.PublicID, false); err != nil || k.Active || k.Given != 3 {
			t.Fatalf("stop: %+v %v", k, err)
		}
		w.Member()
		if r, err := w.A.Kits.IssueAll(w.Ctx); err != nil || r.Given != 0 {
			t.Fatalf("a stopped kit was given: %+v %v", r, err)
		}
		if _, err := w.A.Kits.SetActive(w.Ctx, w.SC, "kit_nope", true); apptest.Code(err) != "kit.not_found" {
			t.Fatalf("unknown kit: %v", err)
		}
	})
}

// A promotion kit goes to members who reach its tier from below from its
// start, not to those placed above it or moved down into it; the member is
// told.
func TestPromotionKitOnReachingTheTier(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		up, skip, down := w.Member(), w.Member(), w.Member()
		for _, m := range []member.Member{up, skip} {
			if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, m.PublicID, "main", "information", "起步"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, down.PublicID, "main", "product", "起步"); err != nil {
			t.Fatal(err)
		}
		it := item(t, w, catalog.ItemInput{Kind: catalog.Virtual, Title: "体验官认证徽章", Variants: []catalog.VariantInput{{Stock: 100}}})
		k, err := w.A.Kits.Add(w.Ctx, w.SC, kit.KitInput{Occasion: kit.Promotion, Ladder: "main", Tier: "experience", Item: it.PublicID})
		if err != nil || k.Tier != "experience" || k.TierZh == "" {
			t.Fatalf("add: %+v %v", k, err)
		}
		w.Advance(time.Hour)
		for m, tier := range map[string]string{up.PublicID: "experience", skip.PublicID: "product", down.PublicID: "experience"} {
			if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, m, "main", tier, "测试"); err != nil {
				t.Fatal(err)
			}
		}
		if r, err := w.A.Kits.IssueAll(w.Ctx); err != nil || r.Given != 1 {
			t.Fatalf("run: %+v %v", r, err)
		}
		got := issues(t, w, kit.IssuesFilter{})
		if len(got) != 1 || got[up.PublicID].Status != "given" {
			t.Fatalf("issues: %+v", got)
		}
		if _, err := w.A.Notify.Dispatch(w.Ctx); err != nil {
			t.Fatal(err)
		}
		inbox, _, err := w.A.Notify.Inbox(w.Ctx, w.As(up), "en", 0, 10)
		if err != nil || inbox.Unread != 1 || inbox.Items[0].Kind != "kit_given" {
			t.Fatalf("up's inbox: %+v %v", inbox, err)
		}
	})
}

// A kit names an item the catalog offers, one variant of it, and a tier
// for a promotion; each mistake names its field.
func TestKitInputIsChecked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		tee := item(t, w, catalog.ItemInput{Kind: catalog.Merchandise, Title: "T 恤", Variants: []catalog.VariantInput{{Label: "M", Stock: 1}, {Label: "L", Stock: 1}}})
		for _, c := range []struct {
			in   kit.KitInput
			want string
		}{
			{kit.KitInput{Occasion: "birthday", Item: tee.PublicID}, "occasion:one_of"},
			{kit.KitInput{Occasion: kit.Welcome}, "item:required"},
			{kit.KitInput{Occasion: kit.Welcome, Item: "itm_nope"}, "item:kit.item_unknown"},
			{kit.KitInput{Occasion: kit.Welcome, Item: tee.PublicID}, "variant:catalog.variant_required"},
			{kit.KitInput{Occasion: kit.Welcome, Item: tee.PublicID, Variant: "var_nope"}, "variant:kit.variant_unknown"},
			{kit.KitInput{Occasion: kit.Promotion, Item: tee.PublicID, Variant: tee.Variants[0].PublicID}, "tier:kit.tier_required"},
			{kit.KitInput{Occasion: kit.Promotion, Tier: "astronaut", Item: tee.PublicID, Variant: tee.Variants[0].PublicID}, "tier:catalog.tier_unknown"},
		} {
			if _, err := w.A.Kits.Add(w.Ctx, w.SC, c.in); apptest.Code(err) != c.want {
				t.Errorf("%+v: %v, want %s", c.in, err, c.want)
			}
		}
		if ks, _ := w.A.Kits.List(w.Ctx, w.SC); len(ks) != 0 {
			t.Fatalf("refused kits were written: %+v", ks)
		}
		if _, err := w.A.Kits.Add(w.Ctx, w.As(w.Member()), kit.KitInput{Occasion: kit.Welcome, Item: tee.PublicID}); apptest.Code(err) != "auth.forbidden" {
			t.Fatalf("a member named a kit: %v", err)
		}
	})
}

// However many runs race (the job on two instances, an operator's "issue
// now"), each member gets the kit once: one redemption, one unit of stock.
func TestKitsRaceGivesOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		it := item(t, w, catalog.ItemInput{Kind: catalog.Virtual, Title: "电子证书", Variants: []catalog.VariantInput{{Stock: 1000}}})
		if _, err := w.A.Kits.Add(w.Ctx, w.SC, kit.KitInput{Occasion: kit.Welcome, Item: it.PublicID}); err != nil {
			t.Fatal(err)
		}
		w.Advance(time.Second)
		w.Members(40)
		var wg sync.WaitGroup
		total := make(chan int, 6)
		for range 6 {
			wg.Go(func() {
				r, err := w.A.Kits.IssueNow(w.Ctx, w.SC)
				if err != nil {
					t.Error(err)
				}
				total <- r.Given
			})
		}
		wg.Wait()
		close(total)
		sum := 0
		for n := range total {
			sum += n
		}
		rs, _, _ := w.A.Catalog.Redemptions(w.Ctx, w.SC, catalog.RedemptionFilter{Item: it.PublicID, Limit: 200})
		got, _ := w.A.Catalog.Get(w.Ctx, w.SC, it.PublicID)
		if sum != 40 || len(rs) != 40 || got.Stock() != 960 {
			t.Fatalf("given %d, %d redemptions, stock %d", sum, len(rs), got.Stock())
		}
	})
}
