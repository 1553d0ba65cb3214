package demo

import (
	"context"
	"time"

	"kox/internal/event"
	"kox/internal/member"
)

// carEvents gives the experience rung its events (seed 001): a factory
// tour for experience officers and above, full with a waitlist whose first
// places were offered seats others gave up, and a track day this weekend
// whose early arrivals are checked in at the door.
func (g *gen) carEvents(ctx context.Context, b built) error {
	es := &event.Service{DB: g.DB, Ledger: g.Ledger}
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
		Capacity: 30, Allocation: event.FirstCome, Ladder: "main", MinTier: "experience", OfferHours: 48})
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
	return nil
}
