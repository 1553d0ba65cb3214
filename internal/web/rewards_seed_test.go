package web_test

import (
	"context"
	"fmt"
	"testing"

	"kox/internal/budget"
	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/member"
	"kox/internal/payout"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/sheet"
)

// rewardsWorld is a program's rewards as the services made them: an
// approved plan with a line for gifts and one for the reserve, a virtual
// item, a coupon with codes and merchandise with variants, a member with
// points and a redemption, a reserve request, and a draft payout batch.
type rewardsWorld struct {
	plan       budget.Plan
	gifts      budget.BudgetLine
	reserve    budget.BudgetLine
	virtual    catalog.Item
	coupon     catalog.Item
	merch      catalog.Item
	member     member.Member
	redemption catalog.Redemption
	request    budget.Request
	batch      payout.Batch
}

func seedRewards(t *testing.T, s *site, ctx context.Context, sc program.Scope, m member.Member) rewardsWorld {
	t.Helper()
	w := rewardsWorld{member: m}
	var err error
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	w.plan, err = s.a.Budget.CreatePlan(ctx, sc, budget.PlanInput{Code: "fy2026", Name: "2026 年度", Period: "2026", Lines: []budget.LineInput{
		{Layer: budget.Broad, Code: "gifts", Name: "礼品", Amount: 5_000_000},
		{Layer: budget.Reserve, Code: "reserve", Name: "策略性储备", Amount: 2_000_000}}})
	must("plan", err)
	w.plan, err = s.a.Budget.ApprovePlan(ctx, sc, w.plan.PublicID)
	must("approve", err)
	w.gifts, w.reserve = w.plan.Lines[0], w.plan.Lines[1]
	w.virtual, err = s.a.Catalog.Create(ctx, sc, catalog.ItemInput{Kind: catalog.Virtual, Title: "专属壁纸", Points: 50, Variants: []catalog.VariantInput{{Stock: 100}}})
	must("virtual", err)
	w.coupon, err = s.a.Catalog.Create(ctx, sc, catalog.ItemInput{Kind: catalog.Coupon, Title: "商城 50 元券", Points: 200, UnitCost: 5_000, BudgetLine: w.gifts.PublicID})
	must("coupon", err)
	_, err = s.a.Catalog.ImportCodes(ctx, sc, w.coupon.PublicID, sheet.CSV, []byte("code\nQC-0001\nQC-0002\nQC-0003\n"))
	must("codes", err)
	w.merch, err = s.a.Catalog.Create(ctx, sc, catalog.ItemInput{Kind: catalog.Merchandise, Title: "车主 T 恤", Points: 300, UnitCost: 8_000,
		BudgetLine: w.gifts.PublicID, Variants: []catalog.VariantInput{{Label: "M", Stock: 5}, {Label: "L", Stock: 5}}})
	must("merchandise", err)
	_, err = s.a.Points.Adjust(ctx, sc, points.Adjustment{Members: []string{m.PublicID}, Amount: 2_000, Reason: "开营礼"})
	must("points", err)
	w.redemption, err = s.a.Catalog.Redeem(ctx, sc, catalog.RedeemInput{Item: w.merch.PublicID, Variant: w.merch.Variants[0].PublicID, Member: m.PublicID,
		Address: &catalog.Address{Name: "林小满", Phone: "13800000000", Address: "杭州市西湖区 1 号"}})
	must("redeem", err)
	w.request, err = s.a.Budget.Ask(ctx, sc, budget.RequestInput{Kind: budget.ReserveUse, From: w.reserve.PublicID, Amount: 100_000,
		Purpose: "viral_boost", Reason: "自然爆款加推"})
	must("request", err)
	_, err = s.a.Payouts.SetPayee(ctx, sc, m.PublicID, payout.PayeeInput{LegalName: "林小满", IDNumber: "330106199001011234", Bank: "招商银行杭州分行",
		Account: "6225880112345678"})
	must("payee", err)
	must("owe", s.a.DB.InTx(ctx, func(tx *db.Tx) error {
		return payout.OweTx(ctx, tx, s.a.Ledger, sc.Program.ID, m.PublicID, 500_000, fmt.Sprintf("owe:%s", m.PublicID), "task_reward", "test")
	}))
	w.batch, err = s.a.Payouts.CreateBatch(ctx, sc, payout.BatchInput{Period: "2026-11"})
	must("batch", err)
	return w
}
