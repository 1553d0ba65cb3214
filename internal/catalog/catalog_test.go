package catalog_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/budget"
	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/event"
	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/sheet"
)

var start = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

func line(t *testing.T, w *apptest.World, amount int64) string {
	t.Helper()
	p, err := w.A.Budget.CreatePlan(w.Ctx, w.SC, budget.PlanInput{Code: "y2026", Name: "2026", Period: "2026",
		Lines: []budget.LineInput{{Layer: budget.Broad, Code: "gifts", Name: "礼品", Amount: amount}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.A.Budget.ApprovePlan(w.Ctx, w.SC, p.PublicID); err != nil {
		t.Fatal(err)
	}
	return p.Lines[0].PublicID
}

func coupon(t *testing.T, w *apptest.World, n int, in catalog.ItemInput) catalog.Item {
	t.Helper()
	in.Kind = catalog.Coupon
	if in.Title == "" {
		in.Title = "天猫旗舰店 50 元券"
	}
	it, err := w.A.Catalog.Create(w.Ctx, w.SC, in)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("code\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "TM-%s-%04d\n", it.PublicID[4:10], i)
	}
	imp, err := w.A.Catalog.ImportCodes(w.Ctx, w.SC, it.PublicID, sheet.CSV, []byte(b.String()))
	if err != nil || imp.Added != n || len(imp.Errors) != 0 {
		t.Fatalf("import: %+v %v", imp, err)
	}
	return imp.Item
}

func balance(t *testing.T, w *apptest.World, m member.Member) int64 {
	t.Helper()
	st, _, err := w.A.Points.Statement(w.Ctx, w.SC, m.PublicID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	return st.Balance
}

// 1,000 members redeem an item with 100 in stock at once: exactly 100
// redemptions, 100 distinct codes, the unit cost spent 100 times, and every
// member refused keeps their points.
func TestThousandMembersRaceForAHundredCoupons(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		ln := line(t, w, 120*500)
		it := coupon(t, w, 100, catalog.ItemInput{Points: 60, UnitCost: 500, BudgetLine: ln})
		ms := w.Members(1000)
		w.Give(100, ms...)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]string{}
		won := map[string]bool{}
		gate := make(chan struct{})
		for _, m := range ms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				r, err := w.A.Catalog.Redeem(w.Ctx, w.As(m), catalog.RedeemInput{Item: it.PublicID})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if fe, _ := fault.As(err); fe == nil || fe.Code != "catalog.out_of_stock" {
						t.Errorf("refused with %v, want out of stock", err)
					}
					return
				}
				if r.Code == "" || r.Status != catalog.Fulfilled {
					t.Errorf("redemption %+v", r)
				}
				if other, dup := codes[r.Code]; dup {
					t.Errorf("code %s given to %s and %s", r.Code, other, m.PublicID)
				}
				codes[r.Code] = m.PublicID
				won[m.PublicID] = true
			}()
		}
		close(gate)
		wg.Wait()
		if len(codes) != 100 {
			t.Fatalf("%d codes given out, want 100", len(codes))
		}
		for _, m := range ms {
			want := int64(100)
			if won[m.PublicID] {
				want = 40
			}
			if got := balance(t, w, m); got != want {
				t.Fatalf("member %s has %d points, want %d", m.PublicID, got, want)
			}
		}
		got, _ := w.A.Catalog.Get(w.Ctx, w.SC, it.PublicID)
		if got.Stock() != 0 || got.CodesFree != 0 || got.Variants[0].Redeemed != 100 {
			t.Fatalf("item after: stock %d, codes %d, redeemed %d", got.Stock(), got.CodesFree, got.Variants[0].Redeemed)
		}
		l, _ := w.A.Budget.Line(w.Ctx, w.SC, ln)
		if l.Spent != 100*500 || l.Available != 20*500 {
			t.Fatalf("budget %+v", l.Figures)
		}
	})
}

// A member's limit holds when they redeem many times at once.
func TestPerMemberLimitHoldsUnderRacing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		it, err := w.A.Catalog.Create(w.Ctx, w.SC, catalog.ItemInput{Kind: catalog.Virtual, Title: "限定壁纸", Points: 1, PerMemberLimit: 2,
			Variants: []catalog.VariantInput{{Stock: 50}}})
		if err != nil {
			t.Fatal(err)
		}
		m := w.Member()
		w.Give(100, m)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.A.Catalog.Redeem(w.Ctx, w.As(m), catalog.RedeemInput{Item: it.PublicID})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else if fe, _ := fault.As(err); fe == nil || fe.Code != "catalog.member_limit" {
					t.Errorf("refused with %v", err)
				}
			}()
		}
		wg.Wait()
		if ok != 2 || balance(t, w, m) != 98 {
			t.Fatalf("%d redeemed, balance %d; want 2 and 98", ok, balance(t, w, m))
		}
	})
}

// Merchandise: a variant, an address, shipment; a cancellation before
// shipping gives back the points, the unit of stock and the budget; a
// return after delivery is recorded. Tier windows open the item early to
// higher tiers; eligibility keeps lower tiers out.
func TestMerchandiseWindowsShipmentAndCancellation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		ln := line(t, w, 100_000)
		opens := start.Add(48 * time.Hour)
		it, err := w.A.Catalog.Create(w.Ctx, w.SC, catalog.ItemInput{Kind: catalog.Merchandise, Title: "联名冲锋衣", Points: 500, UnitCost: 30_000,
			BudgetLine: ln, OpensAt: opens, Windows: []catalog.Window{{Ladder: "main", Tier: "product", OpensAt: start.Add(-time.Hour)}},
			Variants: []catalog.VariantInput{{Label: "M 黑", Stock: 2}, {Label: "L 黑", Stock: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		vip, fan := w.Member(), w.Member()
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, vip.PublicID, "main", "product", "测试"); err != nil {
			t.Fatal(err)
		}
		w.Give(2000, vip, fan)
		addr := &catalog.Address{Name: "王芳", Phone: "13800000000", Address: "上海市徐汇区"}
		// Before the item opens to everyone, the fan waits; the shelf says until when.
		if _, err := w.A.Catalog.Redeem(w.Ctx, w.As(fan), catalog.RedeemInput{Item: it.PublicID, Variant: it.Variants[0].PublicID, Address: addr}); code(err) != "catalog.not_open" {
			t.Fatalf("fan before the window: %v", err)
		}
		shelf, err := w.A.Catalog.Shelf(w.Ctx, w.As(fan), "", "")
		if err != nil || len(shelf.Offers) != 1 || shelf.Offers[0].CanRedeem || !shelf.Offers[0].OpensAt.Equal(opens) || shelf.Balance != 2000 {
			t.Fatalf("fan's shelf: %+v %v", shelf, err)
		}
		if _, err := w.A.Catalog.Redeem(w.Ctx, w.As(vip), catalog.RedeemInput{Item: it.PublicID, Address: addr}); !field(err, "variant") {
			t.Fatalf("no variant chosen: %v", err)
		}
		if _, err := w.A.Catalog.Redeem(w.Ctx, w.As(vip), catalog.RedeemInput{Item: it.PublicID, Variant: it.Variants[1].PublicID}); !field(err, "address") {
			t.Fatalf("no address: %v", err)
		}
		r, err := w.A.Catalog.Redeem(w.Ctx, w.As(vip), catalog.RedeemInput{Item: it.PublicID, Variant: it.Variants[1].PublicID, Address: addr})
		if err != nil || r.Status != catalog.Ordered || r.VariantLabel != "L 黑" {
			t.Fatalf("vip redeems: %+v %v", r, err)
		}
		// The L is gone.
		if _, err := w.A.Catalog.Redeem(w.Ctx, w.As(vip), catalog.RedeemInput{Item: it.PublicID, Variant: it.Variants[1].PublicID, Address: addr}); code(err) != "catalog.out_of_stock" {
			t.Fatalf("second L: %v", err)
		}
		// Another member cannot see or cancel it.
		if _, err := w.A.Catalog.Cancel(w.Ctx, w.As(fan), r.PublicID, ""); fault.KindOf(err) != fault.NotFound {
			t.Fatalf("fan cancels vip's: %v", err)
		}
		if _, err := w.A.Catalog.Cancel(w.Ctx, w.As(vip), r.PublicID, "尺码不对"); err != nil {
			t.Fatal(err)
		}
		if balance(t, w, vip) != 2000 {
			t.Fatalf("points after cancel: %d", balance(t, w, vip))
		}
		got, _ := w.A.Catalog.Get(w.Ctx, w.SC, it.PublicID)
		l, _ := w.A.Budget.Line(w.Ctx, w.SC, ln)
		if got.Variants[1].Stock != 1 || l.Spent != 0 || l.Available != 100_000 {
			t.Fatalf("after cancel: stock %d, budget %+v", got.Variants[1].Stock, l.Figures)
		}
		if _, err := w.A.Catalog.Cancel(w.Ctx, w.As(vip), r.PublicID, ""); code(err) != "catalog.not_cancellable" {
			t.Fatalf("cancelled twice: %v", err)
		}
		// Open to everyone now; the fan orders, it ships, arrives, comes back.
		w.Set(opens)
		r, err = w.A.Catalog.Redeem(w.Ctx, w.As(fan), catalog.RedeemInput{Item: it.PublicID, Variant: it.Variants[0].PublicID, Address: addr})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Catalog.Advance(w.Ctx, w.SC, r.PublicID, catalog.Shipment{Status: catalog.Delivered}); code(err) != "catalog.status_step" {
			t.Fatalf("delivered before shipped: %v", err)
		}
		if _, err := w.A.Catalog.Advance(w.Ctx, w.SC, r.PublicID, catalog.Shipment{Status: catalog.Shipped}); !field(err, "tracking") {
			t.Fatalf("shipped without tracking: %v", err)
		}
		for _, s := range []catalog.Shipment{{Status: catalog.Shipped, Carrier: "顺丰", Tracking: "SF1234567890"}, {Status: catalog.Delivered},
			{Status: catalog.Returned, Note: "质量问题退回"}} {
			if r, err = w.A.Catalog.Advance(w.Ctx, w.SC, r.PublicID, s); err != nil || r.Status != s.Status {
				t.Fatalf("%s: %+v %v", s.Status, r, err)
			}
		}
		if r.Carrier != "顺丰" || r.Tracking != "SF1234567890" || r.Address == nil || r.Address.Name != "王芳" {
			t.Fatalf("shipment record %+v", r)
		}
		if _, err := w.A.Catalog.Cancel(w.Ctx, w.SC, r.PublicID, ""); code(err) != "catalog.not_cancellable" {
			t.Fatalf("cancel after return: %v", err)
		}
		// An operator without the right cannot ship.
		if _, err := w.A.Catalog.Advance(w.Ctx, w.Role(program.RoleViewer), r.PublicID, catalog.Shipment{Status: catalog.Delivered}); fault.KindOf(err) != fault.Forbidden {
			t.Fatalf("viewer ships: %v", err)
		}
		// Points short.
		poor := w.Member()
		if _, err := w.A.Catalog.Redeem(w.Ctx, w.As(poor), catalog.RedeemInput{Item: it.PublicID, Variant: it.Variants[0].PublicID, Address: addr}); code(err) != "catalog.points_short" {
			t.Fatalf("no points: %v", err)
		}
	})
}

// A file of codes goes in whole or not at all, naming each wrong row.
func TestCodeImportIsAllOrNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		it := coupon(t, w, 3, catalog.ItemInput{Points: 10})
		imp, err := w.A.Catalog.ImportCodes(w.Ctx, w.SC, it.PublicID, sheet.CSV, []byte("券码\nNEW-1\n"+it.PublicID[:0]+"TM-"+it.PublicID[4:10]+"-0001\nNEW-1\n"))
		if err != nil {
			t.Fatal(err)
		}
		if imp.Added != 0 || len(imp.Errors) != 2 {
			t.Fatalf("%+v", imp)
		}
		rows := map[int]string{}
		for _, e := range imp.Errors {
			rows[e.Row] = e.Code
		}
		if rows[3] != "catalog.code_taken" || rows[4] != "catalog.code_twice" {
			t.Fatalf("row errors %+v", imp.Errors)
		}
		got, _ := w.A.Catalog.Get(w.Ctx, w.SC, it.PublicID)
		if got.Stock() != 3 || got.CodesFree != 3 {
			t.Fatalf("a refused file changed the pool: %d %d", got.Stock(), got.CodesFree)
		}
		if _, err := w.A.Catalog.Restock(w.Ctx, w.SC, it.PublicID, "", 5, ""); !field(err, "stock") {
			t.Fatalf("coupon restocked by hand: %v", err)
		}
	})
}

func code(err error) string {
	if fe, ok := fault.As(err); ok {
		return fe.Code
	}
	return fmt.Sprint(err)
}

func field(err error, name string) bool {
	fe, ok := fault.As(err)
	if !ok {
		return false
	}
	for _, f := range fe.Fields {
		if f.Field == name {
			return true
		}
	}
	return false
}

// A VIP seat from the catalog: forty members redeem an event_seat item
// (stock 40) for an event of 5 seats given by reward, at once: exactly 5
// redemptions, each with the ticket of a seat at the event, and the 35
// refused (the event full) keep their points and leave the stock; an item
// may name only such an event, and only an event_seat item one. A seat
// given up, or the event called off, refunds its redemption.
func TestVIPSeatRedemptionsNeverPassTheEvent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		ev, err := w.A.Events.Create(w.Ctx, w.SC, event.EventInput{Kind: event.Summit, Title: "年度共创峰会", StartsAt: start.Add(30 * 24 * time.Hour),
			Capacity: 5, Allocation: event.Reward})
		if err == nil {
			ev, err = w.A.Events.Publish(w.Ctx, w.SC, ev.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		open, err := w.A.Events.Create(w.Ctx, w.SC, event.EventInput{Kind: event.TrackDay, Title: "赛道日", StartsAt: start.Add(30 * 24 * time.Hour),
			Capacity: 5, Allocation: event.FirstCome})
		if err != nil {
			t.Fatal(err)
		}
		vip := catalog.ItemInput{Kind: catalog.EventSeat, Title: "峰会 VIP 席位", Points: 300, Variants: []catalog.VariantInput{{Stock: 40}}}
		for ref, code := range map[string]string{"evt_nothing": "event:catalog.event_unknown", open.PublicID: "event:catalog.event_not_reward"} {
			in := vip
			in.Event = ref
			if _, err := w.A.Catalog.Create(w.Ctx, w.SC, in); apptest.Code(err) != code {
				t.Fatalf("event %s: %v", ref, err)
			}
		}
		wrong := catalog.ItemInput{Kind: catalog.Virtual, Title: "壁纸", Points: 10, Event: ev.PublicID, Variants: []catalog.VariantInput{{Stock: 1}}}
		if _, err := w.A.Catalog.Create(w.Ctx, w.SC, wrong); apptest.Code(err) != "event:catalog.event_kind" {
			t.Fatalf("a virtual item naming an event: %v", err)
		}
		vip.Event = ev.PublicID
		it, err := w.A.Catalog.Create(w.Ctx, w.SC, vip)
		if err != nil {
			t.Fatal(err)
		}
		ms := w.Members(40)
		w.Give(500, ms...)
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := map[string]string{}
		gate := make(chan struct{})
		for _, m := range ms {
			wg.Go(func() {
				<-gate
				r, err := w.A.Catalog.Redeem(w.Ctx, w.As(m), catalog.RedeemInput{Item: it.PublicID})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if apptest.Code(err) != "event.full" {
						t.Errorf("refused with %v, want the event full", err)
					}
					return
				}
				if r.Status != catalog.Fulfilled || len(r.Code) != 11 {
					t.Errorf("a VIP seat's redemption: %+v", r)
				}
				won[m.PublicID] = r.Code
			})
		}
		close(gate)
		wg.Wait()
		if len(won) != 5 {
			t.Fatalf("%d seats redeemed, want 5", len(won))
		}
		seats, err := w.A.Events.Seats(w.Ctx, w.SC, ev.PublicID, event.Going, 50)
		if err != nil || len(seats) != 5 {
			t.Fatalf("going: %d %v", len(seats), err)
		}
		for _, x := range seats {
			if won[x.Member] != x.Ticket {
				t.Fatalf("seat %s's ticket %s, the redemption's %s", x.PublicID, x.Ticket, won[x.Member])
			}
		}
		for _, m := range ms {
			want := int64(500)
			if won[m.PublicID] != "" {
				want = 200
			}
			if got := balance(t, w, m); got != want {
				t.Fatalf("member %s has %d points, want %d", m.PublicID, got, want)
			}
		}
		if got, _ := w.A.Catalog.Get(w.Ctx, w.SC, it.PublicID); got.Stock() != 35 {
			t.Fatalf("stock %d, want 35", got.Stock())
		}
		// One winner gives their seat up, then the summit is called off:
		// every VIP seat is refunded, points and stock, in that change.
		var first member.Member
		for _, m := range ms {
			if won[m.PublicID] != "" {
				first = m
				break
			}
		}
		for _, x := range seats {
			if x.Member == first.PublicID {
				if _, err := w.A.Events.Cancel(w.Ctx, w.As(first), x.PublicID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := balance(t, w, first); got != 500 {
			t.Fatalf("the seat given up: %d points, want 500", got)
		}
		if _, err := w.A.Events.CancelEvent(w.Ctx, w.SC, ev.PublicID, "场馆改期"); err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if got := balance(t, w, m); got != 500 {
				t.Fatalf("after the summit was called off, %s has %d points", m.PublicID, got)
			}
		}
		if got, _ := w.A.Catalog.Get(w.Ctx, w.SC, it.PublicID); got.Stock() != 40 {
			t.Fatalf("stock %d after the refunds, want 40", got.Stock())
		}
	})
}
