package demo

import (
	"context"
	"fmt"
	"time"

	"kox/internal/event"
	"kox/internal/member"
	"kox/internal/task"
)

// carEvents gives the experience rung its events (seed 001): a factory
// tour for experience officers and above, full with a waitlist whose first
// places were offered seats others gave up, and a track day this weekend
// whose early arrivals are checked in at the door.
func (g *gen) carEvents(ctx context.Context, b built) error {
	es := &event.Service{DB: g.DB, Ledger: g.Ledger, Tasks: g.Tasks}
	sc := b.scope
	now := time.Now()
	var upper, active []member.Member
	for _, k := range []string{"experience", "product", "relationship"} {
		upper = append(upper, b.tiers[k]...)
	}
	for _, m := range b.members {
		if m.Status == member.Active {
			active = append(active, m)
		}
	}
	tour, err := es.Create(ctx, sc, event.EventInput{Kind: event.FactoryTour, Title: "宁波超级工厂探秘", City: "宁波", Venue: "启程汽车宁波工厂",
		Description: "总装车间、电池实验室与试车跑道，一天走完一辆车的诞生。", StartsAt: now.AddDate(0, 0, 21), EndsAt: now.AddDate(0, 0, 21).Add(6 * time.Hour),
		Capacity: 30, Allocation: event.FirstCome, Ladder: "main", MinTier: "experience", OfferHours: 48,
		// The catalog's tier windows: the council first, then the testers, then every experience officer.
		OpensAt: now.AddDate(0, 0, -1), Windows: []event.Window{{Ladder: "main", Tier: "relationship", OpensAt: now.AddDate(0, 0, -3)},
			{Ladder: "main", Tier: "product", OpensAt: now.AddDate(0, 0, -2)}}})
	if err != nil {
		return err
	}
	track, err := es.Create(ctx, sc, event.EventInput{Kind: event.TrackDay, Title: "天马赛道日", City: "上海", Venue: "天马赛车场",
		Description: "专业教练带你体验弯道与制动。", StartsAt: now.AddDate(0, 0, 3), EndsAt: now.AddDate(0, 0, 3).Add(5 * time.Hour),
		Capacity: 40, Allocation: event.FirstCome})
	if err != nil {
		return err
	}
	for _, e := range []*event.Gathering{&tour, &track} {
		if *e, err = es.Publish(ctx, sc, e.PublicID); err != nil {
			return err
		}
	}
	// The tour: everyone of the upper rungs answers (to 45), five give up.
	var going []event.Seat
	for i, m := range upper {
		if i >= 45 {
			break
		}
		x, err := es.RSVP(ctx, sc, tour.PublicID, m.PublicID)
		if err != nil {
			continue // not active, say
		}
		if x.Status == event.Going {
			going = append(going, x)
		}
	}
	for _, x := range going[:min(5, len(going))] {
		if _, err := es.Cancel(ctx, sc, x.PublicID); err != nil {
			return err
		}
	}
	// The track day: 55 answer for 40 seats; the first dozen have arrived.
	arrived := 0
	for i, m := range active {
		if i >= 55 {
			break
		}
		x, err := es.RSVP(ctx, sc, track.PublicID, m.PublicID)
		if err != nil {
			return err
		}
		if x.Status == event.Going && arrived < 12 {
			if _, err := es.CheckIn(ctx, sc, track.PublicID, x.Ticket); err != nil {
				return err
			}
			arrived++
		}
	}
	return g.teaParty(ctx, es, b, active)
}

// teaParty is last week's owners' tea party in Hangzhou: twenty came of
// the twenty-four going, and its story task went to those who came once
// it was over (the stories job, run here as the scheduler would).
func (g *gen) teaParty(ctx context.Context, es *event.Service, b built, active []member.Member) error {
	sc := b.scope
	real := time.Now
	at := real().AddDate(0, 0, -14)
	g.DB.SetClock(func() time.Time { return at })
	defer g.DB.SetClock(real)
	story, err := g.Tasks.Create(ctx, sc, task.Input{Title: "车主茶话会故事：写写你认识的新朋友", Kind: task.Content, Mode: task.Assigned, Capacity: 30,
		Reward: task.Reward{Points: 80}, SubmitWithinHours: 24 * 7, Campaign: "",
		Brief: task.Brief{Hashtags: []string{"启程车主茶话会"}, KeyMessages: []string{"车主之间的真实交流"}}})
	if err != nil {
		return fmt.Errorf("tea party story: %w", err)
	}
	day := real().AddDate(0, 0, -7)
	party, err := es.Create(ctx, sc, event.EventInput{Kind: event.TeaParty, Title: "杭州车主茶话会", City: "杭州", Venue: "西溪湿地·启程车主之家",
		Description: "车主们聊聊用车一年的故事，产品经理现场答疑。", StartsAt: day, EndsAt: day.Add(3 * time.Hour), Capacity: 24, Allocation: event.FirstCome,
		StoryTask: story.PublicID})
	if err == nil {
		party, err = es.Publish(ctx, sc, party.PublicID)
	}
	if err != nil {
		return fmt.Errorf("tea party: %w", err)
	}
	var tickets []string
	for i := len(active) - 1; i >= 0 && len(tickets) < 24; i-- {
		x, err := es.RSVP(ctx, sc, party.PublicID, active[i].PublicID)
		if err != nil {
			return err
		}
		if x.Status == event.Going {
			tickets = append(tickets, x.Ticket)
		}
	}
	at = day.Add(-10 * time.Minute)
	for _, tk := range tickets[:min(20, len(tickets))] {
		if _, err := es.CheckIn(ctx, sc, party.PublicID, tk); err != nil {
			return err
		}
	}
	at = real()
	if _, err := es.AssignStories(ctx); err != nil {
		return fmt.Errorf("tea party stories: %w", err)
	}
	return nil
}
