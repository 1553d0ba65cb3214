package badge_test

import (
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/badge"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/task"
)

// Each criterion awards at its threshold, in the approving transaction,
// once; a badge defined later goes at once to those who already qualify.
func TestBadgesAwardAtTheirThresholdOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC))
		for _, in := range []badge.BadgeInput{
			{Code: "first", NameZh: "初次登场", NameEn: "First steps", Criterion: badge.FirstApprovedTask},
			{Code: "two", NameZh: "持续发声", NameEn: "Regular voice", Criterion: badge.ApprovedTasks, Threshold: 2},
			{Code: "top", NameZh: "满分作品", NameEn: "Perfect score", Criterion: badge.TopScore},
		} {
			if _, err := w.A.Badges.Create(w.Ctx, w.SC, in); err != nil {
				t.Fatal(err)
			}
		}
		m := w.Member()
		approve := func(m member.Member, score int) {
			t.Helper()
			w.Approve(m, task.Input{Title: "分享", Reward: task.Reward{Points: 150}}, score, 0)
		}
		held := func(m member.Member) map[string]bool {
			t.Helper()
			as, err := w.A.Badges.Of(w.Ctx, w.As(m), m.PublicID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, a := range as {
				if out[a.Code] {
					t.Fatalf("badge %s held twice", a.Code)
				}
				out[a.Code] = true
			}
			return out
		}
		if h := held(m); len(h) != 0 {
			t.Fatalf("before any work: %v", h)
		}
		approve(m, 4)
		if h := held(m); !h["first"] || h["two"] || h["top"] {
			t.Fatalf("after one approval scored 4: %v", h)
		}
		approve(m, 5)
		approve(m, 3)
		if h := held(m); !h["first"] || !h["two"] || !h["top"] || len(h) != 3 {
			t.Fatalf("after three approvals, one scored 5: %v", h)
		}
		// Defined now: 450 points earned already qualifies; 451 does not.
		if _, err := w.A.Badges.Create(w.Ctx, w.SC, badge.BadgeInput{Code: "p450", NameZh: "积分达人", NameEn: "Points", Criterion: badge.PointsEarned, Threshold: 450}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Badges.Create(w.Ctx, w.SC, badge.BadgeInput{Code: "p451", NameZh: "积分高手", NameEn: "More points", Criterion: badge.PointsEarned, Threshold: 451}); err != nil {
			t.Fatal(err)
		}
		if h := held(m); !h["p450"] || h["p451"] {
			t.Fatalf("points badges: %v", h)
		}
		// Another member cannot read them.
		if _, err := w.A.Badges.Of(w.Ctx, w.As(w.Member()), m.PublicID); err == nil {
			t.Fatal("another member read the badges")
		}
	})
}
