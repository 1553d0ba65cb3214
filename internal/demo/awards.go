package demo

import (
	"context"
	"fmt"
	"time"

	"kox/internal/award"
)

// carAwards gives this month's best content and this quarter's creative
// star to the top of their rankings (points, and lunch with the product
// designer), and the year's honorary advisor to a council member: the
// honour wall of seed 002, from the demo's own work.
func (g *gen) carAwards(ctx context.Context, b built) error {
	as := &award.Service{DB: g.DB, Ledger: g.Ledger, Catalog: g.Catalog}
	now := time.Now().In(b.program.Location())
	quarter := fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())-1)/3+1)
	rounds := []struct {
		in    award.RoundInput
		prize award.WinInput
	}{
		{award.RoundInput{Kind: award.MonthlyBest, Period: now.Format("2006-01")},
			award.WinInput{Citation: "真实、细致，带着一家人的日常", PrizeKind: award.PointsPrize, Points: 2000}},
		{award.RoundInput{Kind: award.QuarterlyStar, Period: quarter},
			award.WinInput{Citation: "一个季度里最有创意的分享", PrizeKind: award.OtherPrize, PrizeText: "与产品设计师共进午餐"}},
	}
	for _, r := range rounds {
		a, err := as.Create(ctx, b.scope, r.in)
		if err != nil {
			return err
		}
		cs, err := as.Candidates(ctx, b.scope, a.PublicID, 1)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			continue
		}
		win := r.prize
		win.Member, win.Submission = cs[0].Member, cs[0].Submission
		if _, err := as.Win(ctx, b.scope, a.PublicID, win); err != nil {
			return err
		}
	}
	council := b.tiers["relationship"]
	if len(council) == 0 {
		return nil
	}
	hon, err := as.Create(ctx, b.scope, award.RoundInput{Kind: award.Honorary, Period: now.Format("2006"), TitleZh: "年度荣誉顾问", TitleEn: "Honorary advisor of the year"})
	if err != nil {
		return err
	}
	_, err = as.Win(ctx, b.scope, hon.PublicID, award.WinInput{Member: council[0].PublicID, Citation: "为新车型的座舱设计提出了被采纳的建议",
		PrizeKind: award.OtherPrize, PrizeText: "年度峰会全程邀请"})
	return err
}
