package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/promotion"
	"kox/internal/task"
)

// promotionWorld puts an entry rule on the experience tier (one approved
// task), and n members on the tier below, the first ready ones with an
// approved task each.
func promotionWorld(t *testing.T, d *db.DB, n, ready int) (*portalWorld, []member.Member) {
	w := newPortalWorld(t, d)
	specs := ladder.DefaultTemplate()
	specs[0].Tiers[1].Entry = &ladder.EntryRule{Match: "all", Criteria: []ladder.Criterion{{Kind: ladder.ApprovedTasks, Min: 1}}}
	if _, err := w.s.a.Ladders.Apply(w.ctx, w.sc, specs); err != nil {
		t.Fatal(err)
	}
	ms := []member.Member{w.me, w.you}
	for len(ms) < n {
		m, err := w.s.a.Members.Create(w.ctx, w.sc, member.NewMember{Fields: member.Fields{Name: fmt.Sprintf("会员%d", len(ms)), Role: member.KOC, Status: member.Active}})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	for i, m := range ms[:n] {
		if _, err := w.s.a.Ladders.SetTier(w.ctx, w.sc, m.PublicID, "main", "information", "起步"); err != nil {
			t.Fatal(err)
		}
		if i >= ready {
			continue
		}
		tk := w.task(t, task.Input{Title: "分享 " + m.Name, Kind: task.Content, Mode: task.Open, Capacity: 5, Reward: task.Reward{Points: 10}})
		c, err := w.s.a.Tasks.Take(w.ctx, w.sc, tk.PublicID, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := w.s.a.Tasks.Submit(w.ctx, w.sc, c.PublicID, task.SubmissionInput{Text: "作品"})
		if err == nil {
			_, err = w.s.a.Tasks.Review(w.ctx, w.sc, sub.PublicID, "approved", 5, "好")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return w, ms[:n]
}

var candidateRef = regexp.MustCompile(`name="candidate" value="(prc_[A-Za-z0-9]+)"`)

// The member sees what the next tier asks and that they are ready; an
// operator evaluates, ticks two of three candidates and promotes them at
// once, declines the third; the members stand on the new tier, the old
// card says it was replaced; strikes and nominations are kept from the
// member page; the program file's preview counts the rule's candidates.
func TestPromotionsConsoleAndPortal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w, ms := promotionWorld(t, d, 4, 3)
		card, err := w.s.a.Identity.Card(w.ctx, w.sc, ms[0].PublicID)
		if err != nil {
			t.Fatal(err)
		}
		w.signIn(t, w.me)
		home := w.s.do("GET", "/m", nil)
		checkPage(t, home)
		if !strings.Contains(home.body, `data-test="progress-ready"`) || !strings.Contains(home.body, "审核通过的任务 1 / 1") {
			t.Fatalf("the member's progress: %s", home.body)
		}
		op := w.s.teammate("qicheng", program.RoleOperator)
		if p := op.do("POST", "/p/qicheng/promotions/evaluate", nil); p.status != 303 {
			t.Fatalf("evaluate: %d %s", p.status, p.body)
		}
		page := op.do("GET", "/p/qicheng/promotions", nil)
		checkPage(t, page)
		refs := candidateRef.FindAllStringSubmatch(page.body, -1)
		if len(refs) != 3 || !strings.Contains(page.body, "✓ 审核通过的任务 1 / 1") {
			t.Fatalf("candidates: %d %s", len(refs), page.body)
		}
		if v := w.s.teammate("qicheng", program.RoleViewer).do("GET", "/p/qicheng/promotions", nil); strings.Contains(v.body, `name="candidate"`) {
			t.Fatal("a viewer is offered to decide")
		}
		form := url.Values{"candidate": {refs[0][1], refs[1][1]}, "approve": {"1"}, "note": {"季度评审"}}
		if p := op.do("POST", "/p/qicheng/promotions/decide", form); p.status != 303 {
			t.Fatalf("approve two: %d %s", p.status, p.body)
		}
		if p := op.do("POST", "/p/qicheng/promotions/decide", form); p.status != 409 || !strings.Contains(p.body, "2 位无法处理") {
			t.Fatalf("deciding the same twice: %d %s", p.status, p.body)
		}
		if p := op.do("POST", "/p/qicheng/promotions/decide", url.Values{"candidate": {refs[2][1]}, "approve": {"0"}}); p.status != 303 {
			t.Fatalf("decline: %d", p.status)
		}
		promoted := 0
		for _, m := range ms {
			st, _ := w.s.a.Ladders.Standings(w.ctx, w.sc, m.PublicID)
			if st[0].Tier == "experience" {
				promoted++
			}
		}
		if promoted != 2 {
			t.Fatalf("%d promoted, want 2", promoted)
		}
		cs, _, _ := w.s.a.Promotion.Candidates(w.ctx, w.sc, promotion.Filter{Status: promotion.Approved, Limit: 10})
		if len(cs) != 2 || cs[0].Note != "季度评审" {
			t.Fatalf("approved candidates: %+v", cs)
		}
		// ms[0]'s card was issued before: if they were promoted, it is replaced.
		v, _ := w.s.a.Identity.Verify(w.ctx, card.Number)
		st, _ := w.s.a.Ladders.Standings(w.ctx, w.sc, ms[0].PublicID)
		if (st[0].Tier == "experience") != (v.State == "superseded") {
			t.Fatalf("card %s after promotion to %s", v.State, st[0].Tier)
		}
		// Member page: progress, a strike and a nomination.
		mp := op.do("GET", "/p/qicheng/members/"+ms[3].PublicID, nil)
		checkPage(t, mp)
		if !strings.Contains(mp.body, "审核通过的任务 0 / 1") || !strings.Contains(mp.body, `data-test="nominate-form"`) {
			t.Fatalf("member page progress: %s", mp.body)
		}
		if p := op.do("POST", "/p/qicheng/members/"+ms[3].PublicID+"/strikes", url.Values{"reason": {""}}); p.status != 422 {
			t.Fatalf("a strike without a reason: %d", p.status)
		}
		if p := op.do("POST", "/p/qicheng/members/"+ms[3].PublicID+"/strikes", url.Values{"reason": {"未标注广告"}}); p.status != 303 {
			t.Fatalf("strike: %d %s", p.status, p.body)
		}
		if p := op.do("POST", "/p/qicheng/members/"+ms[3].PublicID+"/nominations", url.Values{"tier": {"main/experience"}, "reason": {"带新人"}}); p.status != 303 {
			t.Fatalf("nominate: %d %s", p.status, p.body)
		}
		if p := op.do("GET", "/p/qicheng/members/"+ms[3].PublicID, nil); !strings.Contains(p.body, "未标注广告") || !strings.Contains(p.body, "带新人") {
			t.Fatalf("marks on the member page: %s", p.body)
		}
		// The program file editor counts what a rule would make today.
		ed := op.do("GET", "/p/qicheng/program-file", nil)
		m := regexp.MustCompile(`(?s)<textarea[^>]*>(.*)</textarea>`).FindStringSubmatch(ed.body)
		if m == nil {
			t.Fatal("no editor")
		}
		file := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(m[1], "&#34;", `"`), "&lt;", "<"), "&gt;", ">")
		pre := op.do("POST", "/p/qicheng/program-file", url.Values{"file": {file}, "action": {"preview"}})
		if !strings.Contains(pre.body, `data-test="rule-preview"`) || !strings.Contains(pre.body, "main/experience：按此规则，今天有 1 位会员成为候选人") {
			t.Fatalf("preview: %s", pre.body)
		}
	})
}
