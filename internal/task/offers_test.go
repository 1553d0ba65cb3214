package task_test

import (
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/task"
)

// A member's list of tasks answers, for each, what claiming it would: the
// same refusal code, from the same rules, and their own claim where they
// have one.
func TestOffersSayWhatAClaimWouldAnswer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		m := w.member()
		open := w.task(task.Input{})
		tiered := w.task(task.Input{Title: "深度评测", Kind: task.DeepReview, Mode: task.Open, Capacity: 3,
			Eligibility: task.Eligibility{Ladder: "main", MinTier: "experience"}})
		kos := w.task(task.Input{Title: "门店直播", Kind: task.Content, Mode: task.Open, Capacity: 3, Eligibility: task.Eligibility{Roles: []string{"kos"}}})
		assigned := w.task(task.Input{Title: "指派", Kind: task.Content, Mode: task.Assigned, Capacity: 3})
		one := w.task(task.Input{Title: "只有一个", Kind: task.Content, Mode: task.Open, Capacity: 1})
		w.claim(one, w.member())
		mine := w.task(task.Input{Title: "我的", Kind: task.Content, Mode: task.Open, Capacity: 3})
		c := w.claim(mine, m)

		as := program.Scope{Program: w.sc.Program, Role: program.RoleMember,
			Actor: program.Actor{Kind: program.ActorMember, ID: m.ID, PublicID: m.PublicID, ProgramID: w.sc.Program.ID, Role: program.RoleMember}}
		offers, _, err := w.a.Tasks.Offers(w.ctx, as, "", 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]task.Offer{}
		for _, o := range offers {
			got[o.Task.PublicID] = o
		}
		if len(got) != 6 {
			t.Fatalf("%d offers, want the 6 published tasks", len(got))
		}
		if o := got[open.PublicID]; !o.CanTake || o.Why != nil || o.Claim != nil {
			t.Errorf("open task: %+v, want takeable", o)
		}
		if o := got[mine.PublicID]; o.CanTake || o.Why != nil || o.Claim == nil || o.Claim.PublicID != c.PublicID {
			t.Errorf("my task: %+v, want my claim and no refusal", o)
		}
		for ref, code := range map[string]string{tiered.PublicID: "task.min_tier", kos.PublicID: "task.for_roles",
			assigned.PublicID: "task.assigned_only", one.PublicID: "task.full"} {
			o := got[ref]
			if o.CanTake || o.Why == nil || o.Why.Code != code {
				t.Errorf("%s: %+v, want refused with %s", o.Task.Title, o.Why, code)
				continue
			}
			// The claim answers the same.
			_, err := w.a.Tasks.Take(w.ctx, as, ref, "")
			if fe, ok := fault.As(err); !ok || fe.Code != code {
				t.Errorf("%s: claiming answers %v, the list said %s", o.Task.Title, err, code)
			}
		}
		// A member lists only their own.
		if _, _, err := w.a.Tasks.Offers(w.ctx, as, w.member().PublicID, 0, 50); fault.KindOf(err) != fault.Forbidden {
			t.Fatalf("another member's offers: %v, want forbidden", err)
		}
		// An operator may look as any member.
		if os, _, err := w.a.Tasks.Offers(w.ctx, w.sc, m.PublicID, 0, 50); err != nil || len(os) != 6 {
			t.Fatalf("operator's view: %d, %v", len(os), err)
		}
	})
}
