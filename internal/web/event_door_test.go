package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/event"
	"kox/internal/program"
	"kox/internal/task"
)

// Both faces of an event's tier windows and story task: the console's
// form writes them (windows without an opening are named on the form), the
// event's page says them, a member below the window is told when answers
// open for them instead of the button, one on the window's tier answers;
// the door's page takes a typed code and names a wrong one; the event is
// called off with its reason.
func TestEventWindowsStoryAndDoor(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		story := w.task(t, task.Input{Title: "赛道日故事", Kind: task.Content, Mode: task.Assigned, Capacity: 20})
		if _, err := w.s.a.Ladders.SetTier(w.ctx, w.sc, w.you.PublicID, "main", "product", "测试"); err != nil {
			t.Fatal(err)
		}
		op := w.s.teammate("qicheng", program.RoleOperator)
		loc := w.sc.Program.Location()
		at := func(d time.Duration) string { return time.Now().Add(d).In(loc).Format("2006-01-02T15:04") }
		form := url.Values{"kind": {"track_day"}, "title": {"天马赛道日"}, "city": {"上海"}, "starts_at": {at(96 * time.Hour)}, "capacity": {"20"},
			"allocation": {"first_come"}, "story_task": {story.PublicID}, "windows[0].tier": {"main/product"}, "windows[0].opens_at": {at(-time.Hour)}}
		if r := op.do("POST", "/p/qicheng/events", form); r.status != 422 || !strings.Contains(r.body, `data-test="field-error"`) {
			t.Fatalf("windows without an opening: %d", r.status)
		}
		form.Set("opens_at", at(48*time.Hour))
		made := op.do("POST", "/p/qicheng/events", form)
		if made.status != 303 {
			t.Fatalf("create: %d %s", made.status, made.body)
		}
		page := strings.Split(made.header.Get("Location"), "?")[0]
		ref := page[strings.LastIndex(page, "/")+1:]
		if r := op.do("POST", page+"/publish", url.Values{}); r.status != 303 {
			t.Fatalf("publish: %d", r.status)
		}
		ep := op.do("GET", page, nil)
		checkPage(t, ep)
		if !strings.Contains(ep.body, "main/product") || !strings.Contains(ep.body, story.PublicID) || !strings.Contains(ep.body, `data-test="door-link"`) {
			t.Fatalf("the event's page: %s", ep.body)
		}

		w.signIn(t, w.me)
		mine := w.s.do("GET", "/m/events/"+ref, nil)
		checkPage(t, mine)
		if strings.Contains(mine.body, `data-test="rsvp"`) || !strings.Contains(mine.body, "报名对你开放的时间") {
			t.Fatalf("below the window: %s", mine.body)
		}
		if r := w.s.do("POST", "/m/events/"+ref+"/rsvp", url.Values{}); r.status != 409 || !strings.Contains(r.body, "对你开放") {
			t.Fatalf("answering early: %d %s", r.status, r.body)
		}
		w.s.do("POST", "/m/signout", nil)
		w.signIn(t, w.you)
		if theirs := w.s.do("GET", "/m/events/"+ref, nil); !strings.Contains(theirs.body, `data-test="rsvp"`) {
			t.Fatalf("on the window's tier: %s", theirs.body)
		}
		if r := w.s.do("POST", "/m/events/"+ref+"/rsvp", url.Values{}); r.status != 303 {
			t.Fatalf("rsvp in the window: %d %s", r.status, r.body)
		}
		seats, err := w.s.a.Events.Seats(w.ctx, w.sc, ref, "going", 10)
		if err != nil || len(seats) != 1 {
			t.Fatalf("seats: %v %v", seats, err)
		}

		door := op.do("GET", page+"/door", nil)
		checkPage(t, door)
		if !strings.Contains(door.body, "/static/vendor/jsqr/jsQR.js") || !strings.Contains(door.body, `data-test="scan"`) {
			t.Fatalf("the door: %s", door.body)
		}
		if r := op.do("POST", page+"/door", url.Values{"ticket": {"AAAAA-BBBBB"}}); r.status != 422 || !strings.Contains(r.body, `data-test="error"`) {
			t.Fatalf("a wrong code: %d", r.status)
		}
		in := op.do("POST", page+"/door", url.Values{"ticket": {strings.ToLower(seats[0].Ticket)}})
		if in.status != 200 || !strings.Contains(in.body, `data-test="admitted"`) || !strings.Contains(in.body, w.you.Name) {
			t.Fatalf("a right one: %d %s", in.status, in.body)
		}
		if r := w.s.teammate("qicheng", program.RoleViewer).do("GET", page+"/door", nil); r.status != 404 {
			t.Fatalf("a viewer at the door: %d", r.status)
		}
		if r := op.do("POST", page+"/cancel", url.Values{"reason": {""}}); r.status != 422 || !strings.Contains(r.body, `data-test="field-error"`) {
			t.Fatalf("calling off without a reason: %d", r.status)
		}
		if r := op.do("POST", page+"/cancel", url.Values{"reason": {"台风预警"}}); r.status != 303 {
			t.Fatalf("call off: %d %s", r.status, r.body)
		}
		if ep := op.do("GET", page, nil); !strings.Contains(ep.body, "已取消") || strings.Contains(ep.body, `data-test="cancel-event-form"`) {
			t.Fatalf("the event called off: %s", ep.body)
		}
	})
}

// An operator answers a seat offered to a waitlisted member for them
// (they said yes on WeCom): the row's button, and the seat is theirs.
func TestOperatorAcceptsAnOfferForTheMember(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		e, err := w.s.a.Events.Create(w.ctx, w.sc, event.EventInput{Kind: event.TeaParty, Title: "车主茶话会", StartsAt: time.Now().Add(72 * time.Hour),
			Capacity: 1, Allocation: event.FirstCome})
		if err == nil {
			e, err = w.s.a.Events.Publish(w.ctx, w.sc, e.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		first, err := w.s.a.Events.RSVP(w.ctx, w.sc, e.PublicID, w.me.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		second, err := w.s.a.Events.RSVP(w.ctx, w.sc, e.PublicID, w.you.PublicID)
		if err != nil || second.Status != event.Waitlisted {
			t.Fatalf("waitlisted: %+v %v", second, err)
		}
		if _, err := w.s.a.Events.Cancel(w.ctx, w.sc, first.PublicID); err != nil {
			t.Fatal(err)
		}
		op := w.s.teammate("qicheng", program.RoleOperator)
		page := op.do("GET", "/p/qicheng/events/"+e.PublicID, nil)
		checkPage(t, page)
		if !strings.Contains(page.body, `data-test="accept-for"`) {
			t.Fatalf("no button to accept the offer for the member: %s", page.body)
		}
		if r := op.do("POST", "/p/qicheng/seats/"+second.PublicID+"/answer", url.Values{"accept": {"1"}}); r.status != 303 {
			t.Fatalf("accept for them: %d %s", r.status, r.body)
		}
		if x, err := w.s.a.Events.Seat(w.ctx, w.sc, second.PublicID); err != nil || x.Status != event.Going {
			t.Fatalf("the seat: %+v %v", x, err)
		}
	})
}
