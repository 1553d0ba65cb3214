package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/event"
	"kox/internal/points"
	"kox/internal/program"
)

// Both faces of a VIP seat from the catalog: an operator writes an
// event_seat item naming a summit whose seats are rewards (naming it on
// another kind is refused on the form); a member redeems it in the
// portal, and the redemption shows the ticket of their seat at the summit.
func TestVIPSeatFromTheCatalog(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		ev, err := w.s.a.Events.Create(w.ctx, w.sc, event.EventInput{Kind: event.Summit, Title: "年度共创峰会", StartsAt: time.Now().Add(30 * 24 * time.Hour),
			Capacity: 3, Allocation: event.Reward})
		if err == nil {
			ev, err = w.s.a.Events.Publish(w.ctx, w.sc, ev.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.a.Points.Adjust(w.ctx, w.sc, points.Adjustment{Members: []string{w.me.PublicID}, Amount: 1000, Reason: "峰会"}); err != nil {
			t.Fatal(err)
		}
		op := w.s.teammate("qicheng", program.RoleOperator)
		nf := op.do("GET", "/p/qicheng/catalog/new", nil)
		checkPage(t, nf)
		if !strings.Contains(nf.body, "年度共创峰会") {
			t.Fatal("the item form does not offer the summit")
		}
		form := url.Values{"kind": {"virtual"}, "title": {"峰会 VIP 席位"}, "points": {"300"}, "stock": {"10"}, "event": {ev.PublicID}}
		if r := op.do("POST", "/p/qicheng/catalog", form); r.status != 422 || !strings.Contains(r.body, `data-test="field-error"`) {
			t.Fatalf("a virtual item naming an event: %d", r.status)
		}
		form.Set("kind", "event_seat")
		made := op.do("POST", "/p/qicheng/catalog", form)
		if made.status != 303 {
			t.Fatalf("create: %d %s", made.status, made.body)
		}
		item := strings.Split(made.header.Get("Location"), "?")[0]
		ref := item[strings.LastIndex(item, "/")+1:]
		if ip := op.do("GET", item, nil); !strings.Contains(ip.body, ev.PublicID) {
			t.Fatalf("the item's page: %s", ip.body)
		}

		w.signIn(t, w.me)
		r := w.s.do("POST", "/m/rewards/"+ref+"/redeem", url.Values{})
		if r.status != 303 {
			t.Fatalf("redeem: %d %s", r.status, r.body)
		}
		seats, err := w.s.a.Events.Seats(w.ctx, w.sc, ev.PublicID, event.Going, 10)
		if err != nil || len(seats) != 1 || seats[0].Member != w.me.PublicID {
			t.Fatalf("the seat: %+v %v", seats, err)
		}
		rp := w.s.do("GET", r.header.Get("Location"), nil)
		checkPage(t, rp)
		if !strings.Contains(rp.body, seats[0].Ticket) {
			t.Fatalf("the redemption shows no ticket: %s", rp.body)
		}
	})
}
