package api_test

import (
	"kox/internal/ladder"
	"kox/internal/promotion"
)

func init() {
	for id, fx := range map[string]fixture{
		"list-promotion-candidates": func(*env, string) (map[string]string, any) { return nil, nil },
		"evaluate-promotion":        func(*env, string) (map[string]string, any) { return nil, nil },
		"decide-promotion-candidates": func(e *env, slug string) (map[string]string, any) {
			return nil, map[string]any{"candidates": []string{e.candidate(slug)}, "approve": true}
		},
		"member-progress":    memberFixture(nil),
		"add-member-strike":  memberFixture(map[string]any{"reason": "未标注广告"}),
		"nominate-member":    memberFixture(map[string]any{"tier": "main/experience", "reason": "带新人"}),
		"member-marks":       memberFixture(nil),
		"list-keep-warnings": func(*env, string) (map[string]string, any) { return nil, nil },
		"apply-keep-rules":   func(*env, string) (map[string]string, any) { return nil, nil },
	} {
		fixtures[id] = fx
	}
	memberExpect["member-progress"] = 404    // another member's
	memberExpect["list-keep-warnings"] = 200 // their own
}

// candidate is a fresh open promotion candidate: a member at the bottom
// tier nominated for the next, whose rule asks a nomination.
func (e *env) candidate(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	specs := ladder.DefaultTemplate()
	specs[0].Tiers[1].Entry = &ladder.EntryRule{Match: "all", Criteria: []ladder.Criterion{{Kind: ladder.Nominated}}}
	if _, err := e.a.Ladders.Apply(ctx, sc, specs); err != nil {
		e.t.Fatal(err)
	}
	m := e.activeMember(slug)
	if _, err := e.a.Ladders.SetTier(ctx, sc, m, "main", "information", "起步"); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.a.Promotion.Nominate(ctx, sc, m, "main/experience", "好"); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.a.Promotion.Evaluate(ctx, sc); err != nil {
		e.t.Fatal(err)
	}
	cs, _, err := e.a.Promotion.Candidates(ctx, sc, promotion.Filter{Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range cs {
		if c.Member == m {
			return c.PublicID
		}
	}
	e.t.Fatal("no candidate")
	return ""
}
