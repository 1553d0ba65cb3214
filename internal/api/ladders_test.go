package api_test

import (
	"slices"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ladder"
)

func TestLaddersAndTiers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		url := "/api/v1/programs/" + slug + "/ladders"
		// A new program starts from the default template: four rungs.
		ls := e.call("GET", url, e.owner, nil).items()
		if len(ls) != 1 {
			t.Fatalf("ladders: %v", ls)
		}
		tiers := ls[0]["tiers"].([]any)
		var keys []string
		for _, x := range tiers {
			keys = append(keys, x.(map[string]any)["key"].(string))
		}
		if !slices.Equal(keys, []string{"information", "experience", "product", "relationship"}) {
			t.Fatalf("default tiers %v", keys)
		}
		exp := tiers[1].(map[string]any)
		if exp["value_exchange"] != "performance_pay" || exp["budget_layer"] != "incentive" || exp["rank"] != float64(2) ||
			exp["title"].(map[string]any)["zh"] != "品牌体验官" {
			t.Fatalf("experience tier: %v", exp)
		}

		// Move members by hand, with a reason, audited.
		m := e.member(slug, map[string]any{"name": "赵敏", "role": "koc"})
		id := m["id"].(string)
		tierURL := "/api/v1/programs/" + slug + "/members/" + id + "/tiers"
		if r := e.call("PUT", tierURL+"/main", e.owner, map[string]any{"tier": "experience"}); r.status != 422 || !slices.Contains(r.problemFields(), "body.reason") {
			t.Fatalf("a move without a reason: %d %s", r.status, r.raw)
		}
		if r := e.call("PUT", tierURL+"/main", e.owner, map[string]any{"tier": "experience", "reason": "完成 3 个深度测评"}); r.status != 200 || r.str("tier") != "experience" {
			t.Fatalf("set tier: %d %s", r.status, r.raw)
		}
		if r := e.call("PUT", tierURL+"/main", e.owner, map[string]any{"tier": "product", "reason": "签署长测协议"}); r.status != 200 {
			t.Fatalf("promote: %d %s", r.status, r.raw)
		}
		onProduct := e.call("GET", "/api/v1/programs/"+slug+"/members?tier=main/product", e.owner, nil).items()
		if len(onProduct) != 1 || onProduct[0]["id"] != id {
			t.Fatalf("members on main/product: %v", onProduct)
		}
		if none := e.call("GET", "/api/v1/programs/"+slug+"/members?tier=main/relationship", e.owner, nil).items(); len(none) != 0 {
			t.Fatalf("members on main/relationship: %v", none)
		}
		if r := e.call("GET", "/api/v1/programs/"+slug+"/members?tier=product", e.owner, nil); r.status != 422 {
			t.Fatalf("tier without a ladder: %d", r.status)
		}
		st := e.call("GET", tierURL, e.owner, nil).items()
		if len(st) != 1 || st[0]["tier"] != "product" || st[0]["rank"] != float64(3) {
			t.Fatalf("standings: %v", st)
		}
		audit := e.call("GET", "/api/v1/programs/"+slug+"/audit?action=member.tier&object_id="+id, e.owner, nil).items()
		if len(audit) != 2 || audit[0]["before"].(map[string]any)["tier"] != "experience" || audit[0]["after"].(map[string]any)["reason"] != "签署长测协议" {
			t.Fatalf("tier audit: %v", audit)
		}
		for _, c := range []struct {
			path, tier string
			status     int
		}{
			{"/main", "platinum", 422},
			{"/nope", "information", 404},
		} {
			if r := e.call("PUT", tierURL+c.path, e.owner, map[string]any{"tier": c.tier, "reason": "x"}); r.status != c.status {
				t.Errorf("%s %s: %d %s", c.path, c.tier, r.status, r.raw)
			}
		}

		// Several ladders: add one for KOS; rename a tier; a tier members
		// stand on cannot be removed.
		specs := ladder.DefaultTemplate()
		specs[0].Tiers[1].Name.En = "Experiences"
		specs = append(specs, ladder.LadderSpec{Key: "kos", Name: ladder.Text{Zh: "导购成长", En: "Sales staff growth"}, Role: "kos",
			Tiers: []ladder.TierSpec{
				{Key: "starter", Name: ladder.Text{Zh: "新人", En: "Starter"}, Resource: ladder.Information, ValueExchange: ladder.Perks, BudgetLayer: ladder.Broad},
				{Key: "star", Name: ladder.Text{Zh: "销冠", En: "Star"}, Resource: ladder.Experience, ValueExchange: ladder.PerformancePay, BudgetLayer: ladder.Incentive},
			}})
		r := e.call("PUT", url, e.owner, map[string]any{"ladders": specs})
		if r.status != 200 {
			t.Fatalf("apply: %d %s", r.status, r.raw)
		}
		var changes []string
		for _, c := range r.body["changes"].([]any) {
			cm := c.(map[string]any)
			changes = append(changes, cm["op"].(string)+" "+cm["what"].(string))
		}
		want := []string{"update tier main/experience", "create ladder kos", "create tier kos/starter", "create tier kos/star"}
		if !slices.Equal(changes, want) {
			t.Fatalf("changes %v, want %v", changes, want)
		}
		if r := e.call("PUT", url, e.owner, map[string]any{"ladders": specs}); r.status != 200 || len(r.body["changes"].([]any)) != 0 {
			t.Fatalf("applying the same again changed %v", r.body["changes"])
		}
		if r := e.call("PUT", tierURL+"/kos", e.owner, map[string]any{"tier": "star", "reason": "x"}); r.status != 422 {
			t.Fatalf("a KOC on the KOS ladder: %d %s", r.status, r.raw)
		}
		without := ladder.DefaultTemplate()[:1]
		without[0].Tiers = without[0].Tiers[:2] // drops product, where 赵敏 stands
		if r := e.call("PUT", url, e.owner, map[string]any{"ladders": without}); r.status != 409 {
			t.Fatalf("removing an occupied tier: %d %s", r.status, r.raw)
		}
		if ls := e.call("GET", url, e.owner, nil).items(); len(ls) != 2 {
			t.Fatalf("a failed apply changed the ladders: %d", len(ls))
		}
		bad := ladder.DefaultTemplate()
		bad[0].Tiers[0].Resource = "money"
		bad[0].Tiers[1].Key = "information"
		r = e.call("PUT", url, e.owner, map[string]any{"ladders": bad})
		if r.status != 422 || !slices.Contains(r.problemFields(), "body.ladders[0].tiers[0].resource") || !slices.Contains(r.problemFields(), "body.ladders[0].tiers[1].key") {
			t.Fatalf("invalid ladders: %d %v %s", r.status, r.problemFields(), r.raw)
		}
	})
}
