package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/event"
	"kox/internal/program"
)

// An operator writes an event (a bad one names its field), publishes it and
// spends its venue on a budget line; an amount past the line is refused on
// the form; a viewer sees the event without its forms.
func TestEventsConsole(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		p, err := w.s.a.Budget.CreatePlan(w.ctx, w.sc, budget.PlanInput{Code: "fy2026", Name: "2026", Period: "2026",
			Lines: []budget.LineInput{{Layer: budget.Incentive, Code: "events", Name: "区域活动", Amount: 500_000}}})
		if err == nil {
			_, err = w.s.a.Budget.ApprovePlan(w.ctx, w.sc, p.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		op := w.s.teammate("qicheng", program.RoleOperator)
		when := time.Now().Add(72 * time.Hour).In(w.sc.Program.Location()).Format("2006-01-02T15:04")
		form := url.Values{"kind": {"tea_party"}, "title": {"车主茶话会"}, "city": {"杭州"}, "starts_at": {when}, "capacity": {"0"}, "allocation": {"first_come"}}
		if r := op.do("POST", "/p/qicheng/events", form); r.status != 422 || !strings.Contains(r.body, `data-test="field-error"`) {
			t.Fatalf("no seats: %d", r.status)
		}
		form.Set("capacity", "25")
		form.Set("campaign", "春季上新")
		made := op.do("POST", "/p/qicheng/events", form)
		if made.status != 303 {
			t.Fatalf("create: %d %s", made.status, made.body)
		}
		page := strings.Split(made.header.Get("Location"), "?")[0]
		if r := op.do("POST", page+"/publish", nil); r.status != 303 {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		ev := op.do("GET", page, nil)
		checkPage(t, ev)
		if !strings.Contains(ev.body, `data-test="check-in-form"`) || !strings.Contains(ev.body, `data-test="cost-form"`) {
			t.Fatalf("event page: %s", ev.body)
		}
		line := p.Lines[0].PublicID
		if r := op.do("POST", page+"/costs", url.Values{"kind": {"venue"}, "budget_line": {line}, "amount": {"9,000.00"}}); r.status != 409 ||
			!strings.Contains(r.body, "区域活动") || strings.Contains(r.body, `action="`+page+`/costs" class="row`) {
			t.Fatalf("past the line: %d %s", r.status, r.body)
		}
		if r := op.do("POST", page+"/costs", url.Values{"kind": {"venue"}, "budget_line": {line}, "amount": {"1,200.50"}, "note": {"茶室包场"}}); r.status != 303 {
			t.Fatalf("cost: %d %s", r.status, r.body)
		}
		after := op.do("GET", page, nil)
		if !strings.Contains(after.body, "茶室包场") || !strings.Contains(after.body, "1,200.50") {
			t.Fatalf("costs on the page: %s", after.body)
		}
		es, _ := w.s.a.Events.List(w.ctx, w.sc)
		if len(es) != 1 || es[0].Status != "published" || es[0].Kind != event.TeaParty || es[0].Campaign != "春季上新" {
			t.Fatalf("events: %+v", es)
		}
		if _, err := w.s.a.Events.RSVP(w.ctx, w.sc, es[0].PublicID, w.me.PublicID); err != nil {
			t.Fatal(err)
		}
		if mp := op.do("GET", "/p/qicheng/members/"+w.me.PublicID, nil); !strings.Contains(mp.body, "车主茶话会") || !strings.Contains(mp.body, "已确认") {
			t.Fatalf("the member page's events: %s", mp.body)
		}
		viewer := w.s.teammate("qicheng", program.RoleViewer).do("GET", page, nil)
		if viewer.status != 200 || strings.Contains(viewer.body, `data-test="check-in-form"`) {
			t.Fatalf("a viewer's event page: %d", viewer.status)
		}
	})
}
