package promotion_test

import (
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ladder"
	"kox/internal/promotion"
)

// Over simulated time: a member of a tier that asks for approved work every
// 30 days is warned on day 30 of nothing, has 7 days' grace, and goes down
// a tier at its end; another recovers within the grace with approved work
// and keeps the tier. Each step once, however often the rule runs.
func TestKeepRulesWarnGraceAndDemote(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		specs := ladder.DefaultTemplate()
		specs[0].Tiers[1].Keep = &ladder.KeepRule{InactiveDays: 30, GraceDays: 7}
		if _, err := w.A.Ladders.Apply(w.Ctx, w.SC, specs); err != nil {
			t.Fatal(err)
		}
		quiet, busy := w.Member(), w.Member()
		onTier(t, w, quiet, "experience")
		onTier(t, w, busy, "experience")
		run := func() promotion.KeepResult {
			t.Helper()
			r, err := w.A.Promotion.Keep(w.Ctx, w.SC)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		w.Advance(29 * 24 * time.Hour)
		if r := run(); r.Warned != 0 {
			t.Fatalf("warned before 30 days: %+v", r)
		}
		w.Advance(24 * time.Hour)
		if r := run(); r.Warned != 2 {
			t.Fatalf("day 30: %+v", r)
		}
		if r := run(); r.Warned != 0 {
			t.Fatalf("warned twice: %+v", r)
		}
		ws, err := w.A.Promotion.Warnings(w.Ctx, w.As(quiet), promotion.Warned, "", 10)
		if err != nil || len(ws) != 1 || ws[0].Member != quiet.PublicID || ws[0].Reason != "inactive" {
			t.Fatalf("the member's own warning: %+v %v", ws, err)
		}
		// The busy one gets work approved within the grace.
		w.Advance(3 * 24 * time.Hour)
		record(t, w, busy, 1, 5, false, 0)
		if r := run(); r.Recovered != 1 || r.Demoted != 0 {
			t.Fatalf("recovery: %+v", r)
		}
		w.Advance(3*24*time.Hour + 23*time.Hour)
		if r := run(); r.Demoted != 0 {
			t.Fatalf("demoted before the grace ended: %+v", r)
		}
		w.Advance(time.Hour)
		if r := run(); r.Demoted != 1 {
			t.Fatalf("the grace's end: %+v", r)
		}
		if r := run(); r.Demoted != 0 || r.Warned != 0 {
			t.Fatalf("after the demotion: %+v", r)
		}
		st, _ := w.A.Ladders.Standings(w.Ctx, w.SC, quiet.PublicID)
		if st[0].Tier != "information" {
			t.Fatalf("the quiet member stands at %s", st[0].Tier)
		}
		st, _ = w.A.Ladders.Standings(w.Ctx, w.SC, busy.PublicID)
		if st[0].Tier != "experience" {
			t.Fatalf("the busy member stands at %s", st[0].Tier)
		}
		all, _ := w.A.Promotion.Warnings(w.Ctx, w.SC, "", "", 10)
		if len(all) != 2 || all[0].Status == all[1].Status {
			t.Fatalf("warnings: %+v", all)
		}
	})
}
