package event_test

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/event"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

var start = time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)

func published(t *testing.T, w *apptest.World, in event.EventInput) event.Gathering {
	t.Helper()
	if in.Kind == "" {
		in.Kind = event.TrackDay
	}
	if in.Title == "" {
		in.Title = "赛道日"
	}
	if in.StartsAt.IsZero() {
		in.StartsAt = start.Add(14 * 24 * time.Hour)
	}
	if in.Allocation == "" {
		in.Allocation = event.FirstCome
	}
	e, err := w.A.Events.Create(w.Ctx, w.SC, in)
	if err == nil {
		e, err = w.A.Events.Publish(w.Ctx, w.SC, e.PublicID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// 2,000 members answer for 60 seats at once: exactly 60 hold seats, the
// other 1,940 stand on the waitlist in one unbroken order; 10 cancellations
// offer their seats to exactly the first 10 in line, and the capacity never
// passes 60 at any time.
func TestRSVPRaceNeverOversells(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		e := published(t, w, event.EventInput{Capacity: 60, Title: "工厂探秘"})
		ms := w.Members(2000)
		seats := make([]event.Seat, len(ms))
		var wg sync.WaitGroup
		next := make(chan int, len(ms))
		for i := range ms {
			next <- i
		}
		close(next)
		for range 48 {
			wg.Go(func() {
				for i := range next {
					x, err := w.A.Events.RSVP(w.Ctx, w.As(ms[i]), e.PublicID, "")
					if err != nil {
						t.Errorf("rsvp %d: %v", i, err)
						continue
					}
					seats[i] = x
				}
			})
		}
		wg.Wait()
		var going []event.Seat
		var line []int64
		for _, x := range seats {
			switch x.Status {
			case event.Going:
				going = append(going, x)
				if x.Ticket == "" {
					t.Fatalf("a seat without a ticket: %+v", x)
				}
			case event.Waitlisted:
				line = append(line, x.Position)
			}
		}
		got, _ := w.A.Events.Get(w.Ctx, w.SC, e.PublicID)
		if len(going) != 60 || len(line) != 1940 || got.Taken != 60 || got.Waiting != 1940 {
			t.Fatalf("going %d, waitlisted %d; event %+v", len(going), len(line), got)
		}
		// The places answered at the time may have moved since; read them now.
		list, err := w.A.Events.Seats(w.Ctx, w.SC, e.PublicID, event.Waitlisted, 500)
		if err != nil || len(list) != 500 || list[0].Position != 1 || list[499].Position != 500 {
			t.Fatalf("waitlist: %d %v", len(list), err)
		}
		sort.Slice(line, func(i, j int) bool { return line[i] < line[j] })
		for i, p := range line {
			if p != int64(i+1) {
				t.Fatalf("waitlist places answered are not 1..1940: place %d is %d", i, p)
			}
		}
		first := list[:10]
		for i, x := range first {
			for _, y := range seats {
				if y.PublicID == x.PublicID && y.Position != int64(i+1) {
					t.Fatalf("the list's place %d answered place %d", i+1, y.Position)
				}
			}
		}

		// Ten cancel at once: the first ten in line are offered a seat, in order.
		for _, x := range going[:10] {
			wg.Go(func() {
				if _, err := w.A.Events.Cancel(w.Ctx, w.As(member.Member{ID: memberID(t, w, x.Member), PublicID: x.Member}), x.PublicID); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		offered, _ := w.A.Events.Seats(w.Ctx, w.SC, e.PublicID, event.Offered, 100)
		if len(offered) != 10 {
			t.Fatalf("%d offered, want 10", len(offered))
		}
		want := map[string]bool{}
		for _, x := range first {
			want[x.PublicID] = true
		}
		for _, x := range offered {
			if !want[x.PublicID] || x.OfferedUntil.IsZero() {
				t.Fatalf("offered %s (%s), not one of the first ten in line", x.PublicID, x.MemberName)
			}
		}
		got, _ = w.A.Events.Get(w.Ctx, w.SC, e.PublicID)
		if got.Taken != 60 || got.Waiting != 1930 {
			t.Fatalf("after the cancellations: %d taken, %d waiting", got.Taken, got.Waiting)
		}
		if again, _ := w.A.Events.Seat(w.Ctx, w.As(ms[0]), seats[0].PublicID); again.Status == "" {
			t.Fatal("a member cannot read their own seat")
		}
	})
}

func memberID(t *testing.T, w *apptest.World, ref string) int64 {
	t.Helper()
	m, err := w.A.Members.Get(w.Ctx, w.SC, ref)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// The waitlist's offer: accepted, it is a seat with a ticket; declined or
// let lapse (the offers job), it goes to the next in line. A ticket checks
// in once, a second scan says when it was used, a ticket of another event
// or no ticket at all is refused; apply-and-select and assignment never
// pass the capacity; eligibility holds.
func TestOffersCheckInAndAllocation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		e := published(t, w, event.EventInput{Capacity: 1, OfferHours: 12})
		a, b, c, dd := w.Member(), w.Member(), w.Member(), w.Member()
		sa, _ := w.A.Events.RSVP(w.Ctx, w.As(a), e.PublicID, "")
		sb, _ := w.A.Events.RSVP(w.Ctx, w.As(b), e.PublicID, "")
		sc, _ := w.A.Events.RSVP(w.Ctx, w.As(c), e.PublicID, "")
		if sa.Status != event.Going || sb.Status != event.Waitlisted || sb.Position != 1 || sc.Position != 2 {
			t.Fatalf("answers: %+v %+v %+v", sa, sb, sc)
		}
		if _, err := w.A.Events.RSVP(w.Ctx, w.As(a), e.PublicID, ""); apptest.Code(err) != "event.already_answered" {
			t.Fatalf("answering twice: %v", err)
		}
		if _, err := w.A.Events.Cancel(w.Ctx, w.As(b), sa.PublicID); apptest.Code(err) != "event.seat_not_found" {
			t.Fatalf("b cancelled a's seat: %v", err)
		}
		if _, err := w.A.Events.Cancel(w.Ctx, w.As(a), sa.PublicID); err != nil {
			t.Fatal(err)
		}
		sb, _ = w.A.Events.Seat(w.Ctx, w.As(b), sb.PublicID)
		if sb.Status != event.Offered || !sb.OfferedUntil.Equal(start.Add(12*time.Hour)) || sb.Ticket != "" {
			t.Fatalf("b's offer: %+v", sb)
		}
		if _, err := w.A.Notify.Dispatch(w.Ctx); err != nil {
			t.Fatal(err)
		}
		if inbox, _, err := w.A.Notify.Inbox(w.Ctx, w.As(b), "zh-CN", 0, 5); err != nil || inbox.Unread != 1 || inbox.Items[0].Kind != "seat_offered" {
			t.Fatalf("b is not told of the offer: %+v %v", inbox, err)
		}
		// b lets it lapse: c is offered.
		w.Advance(11 * time.Hour)
		if n, err := w.A.Events.ExpireOffers(w.Ctx); err != nil || n != 0 {
			t.Fatalf("before the deadline: %d %v", n, err)
		}
		w.Advance(time.Hour)
		if n, err := w.A.Events.ExpireOffers(w.Ctx); err != nil || n != 1 {
			t.Fatalf("at the deadline: %d %v", n, err)
		}
		if _, err := w.A.Events.Answer(w.Ctx, w.As(b), sb.PublicID, true); apptest.Code(err) != "event.no_offer" {
			t.Fatalf("accepting a lapsed offer: %v", err)
		}
		sc, err := w.A.Events.Answer(w.Ctx, w.As(c), sc.PublicID, true)
		if err != nil || sc.Status != event.Going || sc.Ticket == "" {
			t.Fatalf("c accepts: %+v %v", sc, err)
		}

		if mine, err := w.A.Events.MineAt(w.Ctx, w.As(c), e.PublicID); err != nil || mine.PublicID != sc.PublicID || mine.Status != event.Going {
			t.Fatalf("c's own seat: %+v %v", mine, err)
		}
		if none, err := w.A.Events.MineAt(w.Ctx, w.As(dd), e.PublicID); err != nil || none.PublicID != "" {
			t.Fatalf("dd has not answered: %+v %v", none, err)
		}
		// The door.
		other := published(t, w, event.EventInput{Capacity: 5, Title: "车主茶话会", Kind: event.TeaParty})
		sd, _ := w.A.Events.RSVP(w.Ctx, w.As(dd), other.PublicID, "")
		if _, err := w.A.Events.CheckIn(w.Ctx, w.SC, e.PublicID, sd.Ticket); apptest.Code(err) != "event.ticket_other_event" {
			t.Fatalf("another event's ticket: %v", err)
		}
		if _, err := w.A.Events.CheckIn(w.Ctx, w.SC, e.PublicID, "AAAAA-BBBBB"); apptest.Code(err) != "ticket:event.ticket_unknown" {
			t.Fatalf("no ticket: %v", err)
		}
		in, err := w.A.Events.CheckIn(w.Ctx, w.SC, e.PublicID, " "+sc.Ticket[:5]+sc.Ticket[6:]+" ") // typed without the dash
		if err != nil || in.CheckedInAt.IsZero() {
			t.Fatalf("check in: %+v %v", in, err)
		}
		if _, err := w.A.Events.CheckIn(w.Ctx, w.SC, e.PublicID, sc.Ticket); apptest.Code(err) != "event.ticket_used" {
			t.Fatalf("a second scan: %v", err)
		}
		if _, err := w.A.Events.Cancel(w.Ctx, w.As(c), sc.PublicID); apptest.Code(err) != "event.checked_in" {
			t.Fatalf("cancelling after the door: %v", err)
		}

		// Apply and select: never past the capacity.
		ap := published(t, w, event.EventInput{Capacity: 1, Allocation: event.Apply, Title: "年度峰会", Kind: event.Summit})
		x1, _ := w.A.Events.RSVP(w.Ctx, w.As(a), ap.PublicID, "")
		x2, _ := w.A.Events.RSVP(w.Ctx, w.As(b), ap.PublicID, "")
		if x1.Status != event.Applied {
			t.Fatalf("an application: %+v", x1)
		}
		if x1, err = w.A.Events.Select(w.Ctx, w.SC, x1.PublicID, true); err != nil || x1.Status != event.Going {
			t.Fatalf("select: %+v %v", x1, err)
		}
		if _, err := w.A.Events.Select(w.Ctx, w.SC, x2.PublicID, true); apptest.Code(err) != "event.full" {
			t.Fatalf("selecting past the capacity: %v", err)
		}
		// Reward seats are assigned, not answered for; eligibility holds.
		vip := published(t, w, event.EventInput{Capacity: 1, Allocation: event.Reward, Title: "VIP 席位", Ladder: "main", MinTier: "experience"})
		if _, err := w.A.Events.RSVP(w.Ctx, w.As(a), vip.PublicID, ""); apptest.Code(err) != "event.by_assignment" {
			t.Fatalf("answering a reward event: %v", err)
		}
		if _, err := w.A.Events.Assign(w.Ctx, w.SC, vip.PublicID, a.PublicID); apptest.Code(err) != "event.tier" {
			t.Fatalf("assigning below the tier: %v", err)
		}
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, a.PublicID, "main", "product", "测试"); err != nil {
			t.Fatal(err)
		}
		if x, err := w.A.Events.Assign(w.Ctx, w.SC, vip.PublicID, a.PublicID); err != nil || x.Status != event.Going {
			t.Fatalf("assign: %+v %v", x, err)
		}
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, b.PublicID, "main", "product", "测试"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Events.Assign(w.Ctx, w.SC, vip.PublicID, b.PublicID); apptest.Code(err) != "event.full" {
			t.Fatalf("assigning past the capacity: %v", err)
		}
	})
}

// An event names its fields' mistakes; a draft is no one's to answer.
func TestEventInputIsChecked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		for _, c := range []struct {
			in   event.EventInput
			want string
		}{
			{event.EventInput{Kind: "picnic", Title: "x", StartsAt: start, Capacity: 1, Allocation: event.FirstCome}, "kind:one_of"},
			{event.EventInput{Kind: event.Other, StartsAt: start, Capacity: 1, Allocation: event.FirstCome}, "title:length"},
			{event.EventInput{Kind: event.Other, Title: "x", Capacity: 1, Allocation: event.FirstCome}, "starts_at:required"},
			{event.EventInput{Kind: event.Other, Title: "x", StartsAt: start, EndsAt: start.Add(-time.Hour), Capacity: 1, Allocation: event.FirstCome}, "ends_at:event.ends_before"},
			{event.EventInput{Kind: event.Other, Title: "x", StartsAt: start, Capacity: 0, Allocation: event.FirstCome}, "capacity:range"},
			{event.EventInput{Kind: event.Other, Title: "x", StartsAt: start, Capacity: 1, Allocation: "lottery"}, "allocation:one_of"},
			{event.EventInput{Kind: event.Other, Title: "x", StartsAt: start, Capacity: 1, Allocation: event.FirstCome, Ladder: "main", MinTier: "moon"}, "min_tier:catalog.tier_unknown"},
		} {
			if _, err := w.A.Events.Create(w.Ctx, w.SC, c.in); apptest.Code(err) != c.want {
				t.Errorf("%+v: %v, want %s", c.in, err, c.want)
			}
		}
		e, err := w.A.Events.Create(w.Ctx, w.SC, event.EventInput{Kind: event.Other, Title: "草稿", StartsAt: start.Add(time.Hour), Capacity: 3, Allocation: event.FirstCome})
		if err != nil {
			t.Fatal(err)
		}
		m := w.Member()
		if _, err := w.A.Events.RSVP(w.Ctx, w.As(m), e.PublicID, ""); apptest.Code(err) != "event.not_found" {
			t.Fatalf("answering a draft: %v", err)
		}
		if _, err := w.A.Events.Publish(w.Ctx, w.SC, e.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Events.Publish(w.Ctx, w.SC, e.PublicID); apptest.Code(err) != "event.not_draft" {
			t.Fatalf("publishing twice: %v", err)
		}
		w.Advance(time.Hour)
		if _, err := w.A.Events.RSVP(w.Ctx, w.As(m), e.PublicID, ""); apptest.Code(err) != "event.started" {
			t.Fatalf("answering after the start: %v", err)
		}
	})
}

// An event's costs are spent on their budget lines through the ledger; a
// line without enough left refuses the cost whole.
func TestEventCostsOnTheBudget(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		p, err := w.A.Budget.CreatePlan(w.Ctx, w.SC, budget.PlanInput{Code: "y2026", Name: "2026", Period: "2026",
			Lines: []budget.LineInput{{Layer: budget.Incentive, Code: "events", Name: "区域活动", Amount: 50_000}}})
		if err == nil {
			_, err = w.A.Budget.ApprovePlan(w.Ctx, w.SC, p.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		line := p.Lines[0].PublicID
		e := published(t, w, event.EventInput{Capacity: 20})
		if _, err := w.A.Events.AddCost(w.Ctx, w.SC, e.PublicID, event.CostInput{Kind: "fireworks", BudgetLine: line, Amount: 1}); apptest.Code(err) != "kind:one_of" {
			t.Fatalf("an unknown kind: %v", err)
		}
		if _, err := w.A.Events.AddCost(w.Ctx, w.SC, e.PublicID, event.CostInput{Kind: "venue", BudgetLine: line, Amount: 30_000, Note: "赛道租用半天"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Events.AddCost(w.Ctx, w.SC, e.PublicID, event.CostInput{Kind: "catering", BudgetLine: line, Amount: 30_000}); apptest.Code(err) != "budget.exceeded" {
			t.Fatalf("past the line: %v", err)
		}
		cs, total, err := w.A.Events.Costs(w.Ctx, w.SC, e.PublicID)
		ln, _ := w.A.Budget.Line(w.Ctx, w.SC, line)
		if err != nil || len(cs) != 1 || total != 30_000 || ln.Spent != 30_000 {
			t.Fatalf("costs %+v total %d, line spent %d (%v)", cs, total, ln.Spent, err)
		}
	})
}

// Tier-priority windows (as the catalog's): the product rung may answer
// from its window, everyone else only when answers open to all; a window
// after the opening, windows without one, or an opening after the start
// are named.
func TestTierWindowsOpenAnswersToHigherTiersFirst(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		base := event.EventInput{Kind: event.FactoryTour, Title: "工厂探秘", StartsAt: start.Add(10 * 24 * time.Hour), Capacity: 10, Allocation: event.FirstCome}
		for _, c := range []struct {
			opens   time.Time
			windows []event.Window
			code    string
		}{
			{start.Add(48 * time.Hour), []event.Window{{Ladder: "main", Tier: "product", OpensAt: start.Add(72 * time.Hour)}}, "windows[0].opens_at:window.late"},
			{time.Time{}, []event.Window{{Ladder: "main", Tier: "product", OpensAt: start.Add(24 * time.Hour)}}, "opens_at:window.opens_needed"},
			{start.Add(48 * time.Hour), []event.Window{{Ladder: "main", Tier: "nowhere", OpensAt: start.Add(24 * time.Hour)}}, "windows[0].tier:catalog.tier_unknown"},
			{start.Add(11 * 24 * time.Hour), nil, "opens_at:event.opens_late"},
		} {
			in := base
			in.OpensAt, in.Windows = c.opens, c.windows
			if _, err := w.A.Events.Create(w.Ctx, w.SC, in); apptest.Code(err) != c.code {
				t.Fatalf("want %s, got %v", c.code, err)
			}
		}
		in := base
		in.OpensAt, in.Windows = start.Add(48*time.Hour), []event.Window{{Ladder: "main", Tier: "product", OpensAt: start.Add(24 * time.Hour)}}
		e := published(t, w, in)
		tester, fan := w.Member(), w.Member()
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, tester.PublicID, "main", "relationship", "顾问"); err != nil {
			t.Fatal(err)
		}
		for _, m := range []member.Member{tester, fan} {
			if _, err := w.A.Events.RSVP(w.Ctx, w.As(m), e.PublicID, ""); apptest.Code(err) != "event.answers_not_open" {
				t.Fatalf("%s before any window: %v", m.Name, err)
			}
		}
		if at, err := w.A.Events.OpensFor(w.Ctx, w.SC, e, tester.ID); err != nil || !at.Equal(start.Add(24*time.Hour)) {
			t.Fatalf("the tester's opening: %v %v", at, err)
		}
		if may, opens, err := w.A.Events.MayAnswer(w.Ctx, w.As(fan), e, event.Seat{}, fan.ID); err != nil || may || !opens.Equal(start.Add(48*time.Hour)) {
			t.Fatalf("the fan before the opening: %v %v %v", may, opens, err)
		}
		w.Advance(25 * time.Hour)
		if x, err := w.A.Events.RSVP(w.Ctx, w.As(tester), e.PublicID, ""); err != nil || x.Status != event.Going {
			t.Fatalf("a tier above the window's, in it: %+v %v", x, err)
		}
		if _, err := w.A.Events.RSVP(w.Ctx, w.As(fan), e.PublicID, ""); apptest.Code(err) != "event.answers_not_open" {
			t.Fatalf("the first rung in the product window: %v", err)
		}
		w.Advance(24 * time.Hour)
		if may, opens, err := w.A.Events.MayAnswer(w.Ctx, w.As(fan), e, event.Seat{}, fan.ID); err != nil || !may || !opens.IsZero() {
			t.Fatalf("the fan once open: %v %v %v", may, opens, err)
		}
		if x, err := w.A.Events.RSVP(w.Ctx, w.As(fan), e.PublicID, ""); err != nil || x.Status != event.Going {
			t.Fatalf("everyone, once open: %+v %v", x, err)
		}
	})
}

// After the event, its story task goes to those checked in, once: a
// retry assigns no one twice, an attendee the task has no place for is
// named and skipped, and those who did not come get nothing.
func TestStoryTaskGoesToAttendeesOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		open, err := w.A.Tasks.Create(w.Ctx, w.SC, task.Input{Title: "开放任务", Kind: task.Content, Mode: task.Open, Capacity: 5})
		if err != nil {
			t.Fatal(err)
		}
		story, err := w.A.Tasks.Create(w.Ctx, w.SC, task.Input{Title: "赛道日故事", Kind: task.Content, Mode: task.Assigned, Capacity: 2})
		if err != nil {
			t.Fatal(err)
		}
		base := event.EventInput{Kind: event.TrackDay, Title: "赛道日", StartsAt: start.Add(24 * time.Hour), EndsAt: start.Add(30 * time.Hour), Capacity: 5,
			Allocation: event.FirstCome}
		for ref, code := range map[string]string{"task_nothing": "story_task:event.story_task_unknown", open.PublicID: "story_task:event.story_task_mode"} {
			in := base
			in.StoryTask = ref
			if _, err := w.A.Events.Create(w.Ctx, w.SC, in); apptest.Code(err) != code {
				t.Fatalf("story task %s: %v", ref, err)
			}
		}
		in := base
		in.StoryTask = story.PublicID
		e := published(t, w, in)
		ms := []member.Member{w.Member(), w.Member(), w.Member(), w.Member()}
		for i, m := range ms {
			x, err := w.A.Events.RSVP(w.Ctx, w.As(m), e.PublicID, "")
			if err != nil {
				t.Fatal(err)
			}
			if i < 3 { // the fourth did not come
				w.Advance(time.Minute)
				if _, err := w.A.Events.CheckIn(w.Ctx, w.SC, e.PublicID, x.Ticket); err != nil {
					t.Fatal(err)
				}
			}
		}
		if r, err := w.A.Events.AssignStories(w.Ctx); err != nil || r.Events != 0 {
			t.Fatalf("before the event is over: %+v %v", r, err)
		}
		w.Set(start.Add(31 * time.Hour))
		r, err := w.A.Events.AssignStories(w.Ctx)
		if err != nil || r.Events != 1 || r.Assigned != 2 || len(r.Refused) != 1 {
			t.Fatalf("the story: %+v %v", r, err)
		}
		if again, err := w.A.Events.AssignStories(w.Ctx); err != nil || again.Events != 0 || again.Assigned != 0 {
			t.Fatalf("again: %+v %v", again, err)
		}
		claims, _, err := w.A.Tasks.Claims(w.Ctx, w.SC, task.ClaimFilter{Task: story.PublicID, Limit: 10})
		if err != nil || len(claims) != 2 {
			t.Fatalf("claims on the story: %+v %v", claims, err)
		}
		for _, c := range claims {
			if c.MemberID == ms[3].PublicID {
				t.Fatal("the member who did not come was given the story")
			}
		}
		got, err := w.A.Events.Get(w.Ctx, w.SC, e.PublicID)
		if err != nil || got.StoriesAt.IsZero() || got.StoryTask != story.PublicID {
			t.Fatalf("the event: %+v %v", got, err)
		}
	})
}

// An event called off: every seat held goes back to its account (the
// ledger's taken is zero again), every place is cancelled and its member
// told why; those checked in stay; a reason is needed; twice is refused.
func TestCancelEventReleasesEverySeat(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		e := published(t, w, event.EventInput{Capacity: 2, OfferHours: 24})
		ms := []member.Member{w.Member(), w.Member(), w.Member(), w.Member()}
		var seats []event.Seat
		for _, m := range ms {
			x, err := w.A.Events.RSVP(w.Ctx, w.As(m), e.PublicID, "")
			if err != nil {
				t.Fatal(err)
			}
			seats = append(seats, x)
		}
		if _, err := w.A.Events.CheckIn(w.Ctx, w.SC, e.PublicID, seats[0].Ticket); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Events.CancelEvent(w.Ctx, w.SC, e.PublicID, " "); apptest.Code(err) != "reason:length" {
			t.Fatalf("no reason: %v", err)
		}
		if _, err := w.A.Events.CancelEvent(w.Ctx, w.As(ms[0]), e.PublicID, "台风"); apptest.Code(err) != "auth.forbidden" {
			t.Fatalf("a member calls it off: %v", err)
		}
		got, err := w.A.Events.CancelEvent(w.Ctx, w.SC, e.PublicID, "台风预警，改期另行通知")
		if err != nil || got.Status != "cancelled" || got.Taken != 1 || got.CheckedIn != 1 {
			t.Fatalf("called off: %+v %v", got, err)
		}
		for i, x := range seats {
			s, err := w.A.Events.Seat(w.Ctx, w.SC, x.PublicID)
			want := event.Cancelled
			if i == 0 {
				want = event.Going // came already
			}
			if err != nil || s.Status != want {
				t.Fatalf("seat %d: %s %v", i, s.Status, err)
			}
		}
		if _, err := w.A.Events.CancelEvent(w.Ctx, w.SC, e.PublicID, "再取消"); apptest.Code(err) != "event.not_cancellable" {
			t.Fatalf("twice: %v", err)
		}
		if _, err := w.A.Events.RSVP(w.Ctx, w.As(w.Member()), e.PublicID, ""); apptest.Code(err) != "event.not_found" {
			t.Fatalf("answering a cancelled event: %v", err)
		}
		if _, err := w.A.Notify.Dispatch(w.Ctx); err != nil {
			t.Fatal(err)
		}
		for i, m := range ms[1:] {
			in, _, err := w.A.Notify.Inbox(w.Ctx, w.As(m), "zh-CN", 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			told := false
			for _, n := range in.Items {
				told = told || (n.Kind == "event_cancelled" && strings.Contains(n.Text, "台风预警"))
			}
			if !told {
				t.Fatalf("member %d was not told: %+v", i+1, in.Items)
			}
		}
	})
}

// A member's list holds the events they may attend — their region, their
// rung — and any they have a place at; operators see every event.
func TestMembersListTheEventsTheyMayAttend(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		all := published(t, w, event.EventInput{Title: "全国赛道日", Capacity: 10})
		top := published(t, w, event.EventInput{Title: "顾问闭门参观", Capacity: 10, Ladder: "main", MinTier: "relationship"})
		local := published(t, w, event.EventInput{Title: "杭州茶话会", Capacity: 10, Region: "浙江"})
		fan := w.Member()
		titles := func(sc program.Scope) []string {
			t.Helper()
			es, err := w.A.Events.List(w.Ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range es {
				out = append(out, e.Title)
			}
			return out
		}
		if got := titles(w.As(fan)); len(got) != 1 || got[0] != all.Title {
			t.Fatalf("a fan elsewhere sees %v", got)
		}
		if got := titles(w.SC); len(got) != 3 {
			t.Fatalf("operators see %v", got)
		}
		// Seated by an operator at the top rung's event, the fan sees it too.
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, fan.PublicID, "main", "relationship", "顾问"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Events.RSVP(w.Ctx, w.As(fan), top.PublicID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, fan.PublicID, "main", "information", "回到信息层"); err != nil {
			t.Fatal(err)
		}
		if got := titles(w.As(fan)); len(got) != 2 || slices.Contains(got, local.Title) {
			t.Fatalf("with a place at the top rung's event: %v", got)
		}
	})
}

// Seats page by offset, the waitlist first: a waitlisted seat's place in
// line is its place in the whole list, whatever the page.
func TestSeatsPageKeepsTheWaitlistsOrder(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		e := published(t, w, event.EventInput{Capacity: 3})
		for range 8 {
			if _, err := w.A.Events.RSVP(w.Ctx, w.As(w.Member()), e.PublicID, ""); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		offset, pages := 0, 0
		for {
			xs, next, err := w.A.Events.SeatsPage(w.Ctx, w.SC, e.PublicID, "", 3, offset)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range xs {
				got = append(got, fmt.Sprintf("%s%d", x.Status[:1], x.Position))
			}
			pages++
			if next == 0 {
				break
			}
			offset = next
		}
		if want := "w1 w2 w3 w4 w5 g0 g0 g0"; strings.Join(got, " ") != want || pages != 3 {
			t.Fatalf("pages %d: %v, want %s", pages, got, want)
		}
		if _, _, err := w.A.Events.SeatsPage(w.Ctx, w.SC, e.PublicID, "", 3, -1); apptest.Code(err) != "offset:range" {
			t.Fatalf("a negative offset: %v", err)
		}
	})
}
