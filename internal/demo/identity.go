package demo

import (
	"context"

	"kox/internal/catalog"
	"kox/internal/community"
	"kox/internal/kit"
	"kox/internal/member"
	"kox/internal/promotion"
)

// welcomeStock is fewer welcome kits than the week's new owners, so the
// demo shows kits waiting for a restock.
const welcomeStock, newOwners = 8, 10

// carKits names the car program's welcome kit (the owners' box, shipped)
// and the experience officer's kit, then this week's new owners join: the
// kits.issue job gives them their boxes after the promotions of the day.
func (g *gen) carKits(ctx context.Context, b built) error {
	sc := b.scope
	box, err := g.Catalog.Create(ctx, sc, catalog.ItemInput{Kind: catalog.Merchandise, Title: "车主入会礼盒", Description: "车标钥匙扣、保温杯和一封品牌信",
		UnitCost: 15_000, BudgetLine: g.lines["gifts"], Variants: []catalog.VariantInput{{Label: "标准", Stock: welcomeStock}}})
	if err != nil {
		return err
	}
	officer, err := g.Catalog.Create(ctx, sc, catalog.ItemInput{Kind: catalog.Merchandise, Title: "体验官认证礼盒", Description: "认证证书、徽章与定制车衣",
		UnitCost: 30_000, BudgetLine: g.lines["honour"], Variants: []catalog.VariantInput{{Label: "标准", Stock: 200}}})
	if err != nil {
		return err
	}
	ks := &kit.Service{DB: g.DB, Catalog: g.Catalog}
	if _, err := ks.Add(ctx, sc, kit.KitInput{Occasion: kit.Welcome, Item: box.PublicID}); err != nil {
		return err
	}
	if _, err := ks.Add(ctx, sc, kit.KitInput{Occasion: kit.Promotion, Ladder: "main", Tier: "experience", Item: officer.PublicID}); err != nil {
		return err
	}
	ms := &member.Service{DB: g.DB}
	for range newOwners {
		if _, err := ms.Create(ctx, sc, member.NewMember{Fields: member.Fields{Name: g.name(), Role: member.KOC, Source: member.Fan,
			Domain: member.Private, Region: "华东", City: "杭州", Status: member.Active, Tags: []string{"本周新车主"}}}); err != nil {
			return err
		}
	}
	return nil
}

// carCommunity invites members to the owners' group of their city: most
// joined, some declined, a few have yet to answer, one left.
func (g *gen) carCommunity(ctx context.Context, b built) error {
	cs := &community.Service{DB: g.DB}
	n := 0
	for _, m := range b.members {
		if m.Status != member.Active || n >= 60 {
			continue
		}
		n++
		group := m.City + "车主核心群"
		if _, err := cs.Set(ctx, b.scope, m.PublicID, community.CommunityInput{Status: community.Invited, Group: group}); err != nil {
			return err
		}
		var to community.Status
		switch {
		case n%10 == 0:
			to = community.Declined
		case n%15 == 1:
			continue // still to answer
		case n%29 == 0:
			to = community.Left
		default:
			to = community.Joined
		}
		if _, err := cs.Set(ctx, b.scope, m.PublicID, community.CommunityInput{Status: to}); err != nil {
			return err
		}
	}
	return nil
}

// carPromotionKits approves the first of the day's candidates for
// experience officer, as an operator would, and runs the kits job: they
// get the officer's kit, the new owners their welcome box (while stock
// lasts).
func (g *gen) carPromotionKits(ctx context.Context, b built) error {
	if g.Promotion != nil {
		cs, _, err := g.Promotion.Candidates(ctx, b.scope, promotion.Filter{To: "experience", Limit: 4})
		if err != nil {
			return err
		}
		refs := make([]string, len(cs))
		for i, c := range cs {
			refs[i] = c.PublicID
		}
		if len(refs) > 0 {
			if _, err := g.Promotion.Decide(ctx, b.scope, refs, true, "演示：通过体验官晋升"); err != nil {
				return err
			}
		}
	}
	_, err := (&kit.Service{DB: g.DB, Catalog: g.Catalog}).IssueAll(ctx)
	return err
}
