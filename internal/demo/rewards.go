package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"kox/internal/badge"
	"kox/internal/budget"
	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/event"
	"kox/internal/member"
	"kox/internal/payout"
	"kox/internal/points"
	"kox/internal/sheet"
)

// The demo budgets (seed 003): a year's plan in the three layers and the
// strategic reserve, in fen.
var carLines = []budget.LineInput{
	{Layer: budget.Broad, Code: "honour", Name: "荣誉体系与徽章", Amount: 20_000_000},
	{Layer: budget.Broad, Code: "digital", Name: "数字内容", Amount: 10_000_000},
	{Layer: budget.Incentive, Code: "gifts", Name: "礼品卡与兑换商品", Amount: 30_000_000},
	{Layer: budget.Incentive, Code: "creator_fees", Name: "内容稿费", Amount: 40_000_000},
	{Layer: budget.Incentive, Code: "events", Name: "区域活动（场地、物料、餐饮）", Amount: 25_000_000},
	{Layer: budget.Exclusive, Code: "test_cars", Name: "试驾车（折旧、保险、维护、维修）", Amount: 80_000_000},
	{Layer: budget.Exclusive, Code: "crews", Name: "专业拍摄团队", Amount: 15_000_000},
	{Layer: budget.Reserve, Code: "reserve", Name: "策略性储备", Amount: 20_000_000},
}

var fashionLines = []budget.LineInput{
	{Layer: budget.Broad, Code: "honour", Name: "荣誉体系", Amount: 5_000_000},
	{Layer: budget.Incentive, Code: "kos_fees", Name: "导购内容奖励", Amount: 15_000_000},
	{Layer: budget.Reserve, Code: "reserve", Name: "策略性储备", Amount: 5_000_000},
}

// budget writes the program's 2026 plan and approves it, so that the
// demo's money tasks commit on it as they are published.
func (g *gen) budget(ctx context.Context, b built, lines []budget.LineInput) error {
	p, err := g.Budget.CreatePlan(ctx, b.scope, budget.PlanInput{Code: "fy2026", Name: "2026 年度预算", Period: "2026", Lines: lines})
	if err != nil {
		return err
	}
	if p, err = g.Budget.ApprovePlan(ctx, b.scope, p.PublicID); err != nil {
		return err
	}
	g.lines = map[string]string{}
	for _, l := range p.Lines {
		g.lines[l.Code] = l.PublicID
	}
	return nil
}

// carRewards gives the car program its catalog, redemptions in every
// state, badges, reserve requests and a paid payout batch.
func (g *gen) carRewards(ctx context.Context, b built) error {
	sc := b.scope
	if _, err := g.Points.SetExpiryMonths(ctx, sc, 12); err != nil {
		return err
	}
	upper := append(append(append([]member.Member{}, b.tiers["experience"]...), b.tiers["product"]...), b.tiers["relationship"]...)
	refs := make([]string, len(upper))
	for i, m := range upper {
		refs[i] = m.PublicID
	}
	if _, err := g.Points.Adjust(ctx, sc, points.Adjustment{Members: refs, Amount: 30_000, Reason: "2026 春季车主活动积分"}); err != nil {
		return err
	}
	now := g.DB.Now()
	newItem := func(in catalog.ItemInput) (catalog.Item, error) { return g.Catalog.Create(ctx, sc, in) }
	coupon, err := newItem(catalog.ItemInput{Kind: catalog.Coupon, Title: "天猫旗舰店 50 元无门槛券", Description: "到店或线上下单立减 50 元。",
		Points: 500, UnitCost: 5_000, BudgetLine: g.lines["gifts"]})
	if err != nil {
		return err
	}
	var codes strings.Builder
	codes.WriteString("券码\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&codes, "QC50-%04d-%04d\n", i, g.rng.IntN(10000))
	}
	if _, err := g.Catalog.ImportCodes(ctx, sc, coupon.PublicID, sheet.CSV, []byte(codes.String())); err != nil {
		return err
	}
	jacket, err := newItem(catalog.ItemInput{Kind: catalog.Merchandise, Title: "启程 × 户外联名冲锋衣", Description: "防水透气，车主专属配色。",
		Points: 3_000, UnitCost: 30_000, BudgetLine: g.lines["gifts"], PerMemberLimit: 1, OpensAt: now.Add(7 * 24 * time.Hour),
		Windows:  []catalog.Window{{Ladder: "main", Tier: "product", OpensAt: now.Add(-24 * time.Hour)}},
		Variants: []catalog.VariantInput{{Label: "M 曜石黑", Stock: 20}, {Label: "L 曜石黑", Stock: 20}, {Label: "XL 冰川白", Stock: 10}}})
	if err != nil {
		return err
	}
	wallpaper, err := newItem(catalog.ItemInput{Kind: catalog.Virtual, Title: "限定车机主题壁纸", Points: 100, Variants: []catalog.VariantInput{{Stock: 10_000}}})
	if err != nil {
		return err
	}
	// The owners' summit gives its seats as rewards: the catalog's VIP seat
	// takes one at each redemption (SPEC A2), never more than it has.
	es := &event.Service{DB: g.DB, Ledger: g.Ledger, Tasks: g.Tasks}
	summit, err := es.Create(ctx, sc, event.EventInput{Kind: event.Summit, Title: "年度车主大会", City: "上海", Venue: "世博中心",
		Description: "年度车主大会：新车型首发、年度荣誉颁奖与共创委员会的年度报告。", StartsAt: time.Now().AddDate(0, 2, 0), Capacity: 30, Allocation: event.Reward})
	if err == nil {
		summit, err = es.Publish(ctx, sc, summit.PublicID)
	}
	if err != nil {
		return err
	}
	seat, err := newItem(catalog.ItemInput{Kind: catalog.EventSeat, Title: "年度车主大会 VIP 席位", Points: 8_000, UnitCost: 50_000, BudgetLine: g.lines["events"],
		Eligibility: catalog.ItemEligibility{Ladder: "main", MinTier: "experience"}, PerMemberLimit: 1, Variants: []catalog.VariantInput{{Stock: 30}},
		Event: summit.PublicID})
	if err != nil {
		return err
	}
	lunch, err := newItem(catalog.ItemInput{Kind: catalog.Experience, Title: "与产品设计师共进午餐", Points: 20_000,
		Eligibility: catalog.ItemEligibility{Ladder: "main", MinTier: "relationship"}, Variants: []catalog.VariantInput{{Stock: 5}}})
	if err != nil {
		return err
	}
	if _, err := newItem(catalog.ItemInput{Kind: catalog.ProductUse, Title: "新车型周末深度试驾 48 小时", Points: 5_000, UnitCost: 80_000,
		BudgetLine: g.lines["test_cars"], Eligibility: catalog.ItemEligibility{Ladder: "main", MinTier: "product"}, Variants: []catalog.VariantInput{{Stock: 10}}}); err != nil {
		return err
	}
	redeem := func(m member.Member, it catalog.Item, variant int, ship bool) (catalog.Redemption, error) {
		in := catalog.RedeemInput{Item: it.PublicID, Member: m.PublicID, Variant: it.Variants[variant].PublicID}
		if ship {
			_, city := g.place()
			in.Address = &catalog.Address{Name: m.Name, Phone: fmt.Sprintf("138%08d", g.rng.IntN(1e8)), Address: city + "市人民路 " + fmt.Sprint(1+g.rng.IntN(300)) + " 号"}
		}
		return g.Catalog.Redeem(ctx, sc, in)
	}
	// Coupons and wallpapers: fulfilled at once.
	for i, m := range upper[:min(40, len(upper))] {
		if _, err := redeem(m, coupon, 0, false); err != nil {
			return err
		}
		if i%2 == 0 {
			if _, err := redeem(m, wallpaper, 0, false); err != nil {
				return err
			}
		}
	}
	// The jacket, open early to the product rung: every shipment state.
	steps := [][]catalog.Shipment{nil, nil, {{Status: catalog.Shipped, Carrier: "顺丰速运", Tracking: "SF1402"}},
		{{Status: catalog.Shipped, Carrier: "顺丰速运", Tracking: "SF1403"}, {Status: catalog.Delivered}},
		{{Status: catalog.Shipped, Carrier: "京东物流", Tracking: "JD0921"}, {Status: catalog.Delivered}, {Status: catalog.Returned, Note: "尺码偏大，已退回仓库"}}}
	for i, m := range b.tiers["product"][:min(len(steps)+1, len(b.tiers["product"]))] {
		r, err := redeem(m, jacket, i%3, true)
		if err != nil {
			return err
		}
		if i == len(steps) {
			if _, err := g.Catalog.Cancel(ctx, sc, r.PublicID, "会员改选其他尺码"); err != nil {
				return err
			}
			continue
		}
		for _, s := range steps[i] {
			if _, err := g.Catalog.Advance(ctx, sc, r.PublicID, s); err != nil {
				return err
			}
		}
	}
	for _, m := range b.tiers["experience"][:min(6, len(b.tiers["experience"]))] {
		if _, err := redeem(m, seat, 0, false); err != nil {
			return err
		}
	}
	if rel := b.tiers["relationship"]; len(rel) > 0 {
		if _, err := redeem(rel[0], lunch, 0, false); err != nil {
			return err
		}
	}
	for _, in := range []badge.BadgeInput{
		{Code: "first_task", NameZh: "初次登场", NameEn: "First steps", Criterion: badge.FirstApprovedTask},
		{Code: "three_tasks", NameZh: "持续发声", NameEn: "Regular voice", Criterion: badge.ApprovedTasks, Threshold: 3},
		{Code: "points_1000", NameZh: "千分达人", NameEn: "Thousand points", Criterion: badge.PointsEarned, Threshold: 1000},
		{Code: "top_score", NameZh: "满分作品", NameEn: "Perfect score", Criterion: badge.TopScore},
	} {
		if _, err := g.Badges.Create(ctx, sc, in); err != nil {
			return err
		}
	}
	// The reserve: a viral post boosted (approved), a members' event asked.
	viral, err := g.Budget.Ask(ctx, sc, budget.RequestInput{Kind: budget.ReserveUse, From: g.lines["reserve"], Amount: 1_500_000, Purpose: "viral_boost",
		Reason: "车主自发的长途笔记 48 小时破 10 万赞，追加投流放大"})
	if err != nil {
		return err
	}
	if _, err := g.Budget.Decide(ctx, sc, viral.PublicID, true, "同意，效果周报跟进"); err != nil {
		return err
	}
	if _, err := g.Budget.Ask(ctx, sc, budget.RequestInput{Kind: budget.ReserveUse, From: g.lines["reserve"], To: g.lines["events"], Amount: 800_000,
		Purpose: "member_event", Reason: "杭州车友自发组织周末露营，申请场地与餐饮支持"}); err != nil {
		return err
	}
	// Payouts: everyone owed a fee gives payee details; a batch is paid.
	owed, err := g.owedMembers(ctx, b)
	if err != nil {
		return err
	}
	for i, m := range owed {
		if _, err := g.Payouts.SetPayee(ctx, sc, m, payout.PayeeInput{LegalName: b.nameOf(m), IDNumber: fmt.Sprintf("3101011990%02d%02d%04d", 1+i%12, 1+i%28, g.rng.IntN(10000)),
			Bank: "招商银行上海分行", Account: fmt.Sprintf("6225%012d", g.rng.Int64N(1e12))}); err != nil {
			return err
		}
	}
	if len(owed) > 0 {
		bt, err := g.Payouts.CreateBatch(ctx, sc, payout.BatchInput{Period: now.Format("2006-01"), Minimum: 10_000})
		if err != nil {
			return err
		}
		if _, err := g.Payouts.Approve(ctx, sc, bt.PublicID); err != nil {
			return err
		}
		if _, err := g.Payouts.MarkPaid(ctx, sc, bt.PublicID); err != nil {
			return err
		}
	}
	return nil
}

// owedMembers are the members owed money (their fees approved).
func (g *gen) owedMembers(ctx context.Context, b built) ([]string, error) {
	rows, err := g.DB.R.QueryContext(ctx, `SELECT substr(ref, 8) FROM ledger_accounts WHERE program_id = $1 AND asset = 'CNY'
		AND code = 'member_payable' AND credits_posted > debits_posted ORDER BY id`, b.program.ID)
	return db.Collect(rows, err, func(r *sql.Rows) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}

func (b built) nameOf(ref string) string {
	for _, m := range b.members {
		if m.PublicID == ref {
			return m.Name
		}
	}
	return "会员"
}
