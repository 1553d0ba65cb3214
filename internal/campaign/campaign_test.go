package campaign_test

import (
	"bytes"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/briefing"
	"kox/internal/campaign"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/notify"
	"kox/internal/sheet"
	"kox/internal/task"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

var start = time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC)

// inbox is the kinds of the member's notifications about subject.
func inbox(t *testing.T, w *apptest.World, m member.Member, subject string) []string {
	t.Helper()
	if _, err := w.A.Notify.Dispatch(w.Ctx); err != nil {
		t.Fatal(err)
	}
	in, _, err := w.A.Notify.Inbox(w.Ctx, w.As(m), "en", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, n := range in.Items {
		if n.Subject == subject {
			kinds = append(kinds, n.Kind)
		}
	}
	sort.Strings(kinds)
	return kinds
}

// seen says which of the surfaces show the member the briefing: their
// list, a search for its words, the briefing by id, its attachment.
func seen(t *testing.T, w *apptest.World, m member.Member, b briefing.Briefing) [4]bool {
	t.Helper()
	sc := w.As(m)
	var out [4]bool
	for i, f := range []briefing.Filter{{Limit: 50}, {Q: "续航", Limit: 50}} {
		bs, _, err := w.A.Briefings.List(w.Ctx, sc, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range bs {
			out[i] = out[i] || x.PublicID == b.PublicID
		}
	}
	_, err := w.A.Briefings.Get(w.Ctx, sc, b.PublicID)
	out[2] = err == nil
	if err != nil && apptest.Code(err) != "briefing.not_found" {
		t.Fatalf("get: %v", err)
	}
	_, err = w.A.Briefings.Attachment(w.Ctx, sc, b.PublicID, b.Attachments[0].PublicID)
	out[3] = err == nil
	return out
}

var (
	none = [4]bool{}
	all  = [4]bool{true, true, true, true}
)

// An OTA briefing in a launch campaign: experience officers and above see
// it from its release (and are told then), no one else does on any
// surface until the go-live, which runs once though two instances race,
// unlocks it for everyone, publishes the campaign's draft tasks and the
// briefing's linked task (open to its readers only), and tells every
// member once.
func TestEmbargoHoldsUntilGoLiveThenLiftsOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		vip, plain := w.Member(), w.Member()
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, vip.PublicID, "main", "experience", "测试"); err != nil {
			t.Fatal(err)
		}
		golive := start.Add(48*time.Hour + 7*time.Second)
		c, err := w.A.Campaigns.Create(w.Ctx, w.SC, campaign.CampaignInput{Label: "OTA 5.0", Kind: campaign.OTA, Title: "OTA 5.0 发布", GoLiveAt: golive})
		if err != nil {
			t.Fatal(err)
		}
		share, err := w.A.Tasks.Create(w.Ctx, w.SC, task.Input{Title: "分享你对 OTA 5.0 的第一印象", Kind: task.LightInteraction, Mode: task.Open,
			Capacity: 50, Reward: task.Reward{Points: 30}, Campaign: "OTA 5.0"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := w.A.Tasks.Create(w.Ctx, w.SC, task.Input{Title: "OTA 5.0 上手视频", Kind: task.Content, Mode: task.Open,
			Capacity: 5, Reward: task.Reward{Points: 100}, Campaign: "OTA 5.0"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := w.A.Briefings.Create(w.Ctx, w.SC, briefing.BriefingInput{Campaign: "OTA 5.0", Title: "OTA 5.0 更新说明", Summary: "续航提升 8%，新增露营模式",
			Body: "完整更新说明……", Ladder: "main", MinTier: "experience", ReleaseAt: start.Add(time.Hour), Task: share.PublicID})
		if err != nil {
			t.Fatal(err)
		}
		if !b.PublicAt.Equal(golive) {
			t.Fatalf("the campaign's go-live is not the embargo: %v", b.PublicAt)
		}
		if _, err := w.A.Briefings.Attach(w.Ctx, w.SC, b.PublicID, "notes.pdf", []byte("%PDF-1.4 release notes")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Briefings.Publish(w.Ctx, w.SC, b.PublicID); err != nil {
			t.Fatal(err)
		}
		b, _ = w.A.Briefings.Get(w.Ctx, w.SC, b.PublicID)
		if _, err := w.A.Campaigns.Schedule(w.Ctx, w.SC, c.PublicID, true); err != nil {
			t.Fatal(err)
		}
		run := func() campaign.Run {
			t.Helper()
			r, err := w.A.Campaigns.GoLive(w.Ctx)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		// A WeCom group bot takes every kind of event.
		if _, err := w.A.Notify.AddEndpoint(w.Ctx, w.SC, notify.EndpointInput{Kind: notify.WeCom, Name: "车主群",
			URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}); err != nil {
			t.Fatal(err)
		}
		// Before the release, no one but operators.
		if r := run(); r.Campaigns != 0 || !r.Next.Equal(b.ReleaseAt) {
			t.Fatalf("before the release: %+v", r)
		}
		if got := seen(t, w, vip, b); got != none {
			t.Fatalf("before the release the officer sees %v", got)
		}
		// From the release, the chosen tier sees it, and is told once.
		w.Set(b.ReleaseAt)
		if r := run(); r.Told.Briefings != 1 || r.Told.Members != 1 || !r.Next.Equal(golive) {
			t.Fatalf("at the release: %+v", r)
		}
		run()
		if got := seen(t, w, vip, b); got != all {
			t.Fatalf("after the release the officer sees %v", got)
		}
		if got := seen(t, w, plain, b); got != none {
			t.Fatalf("under embargo a member below the tier sees %v", got)
		}
		if k := inbox(t, w, vip, b.PublicID); len(k) != 1 || k[0] != notify.BriefingEarly {
			t.Fatalf("the officer's notices: %v", k)
		}
		if k := inbox(t, w, plain, b.PublicID); len(k) != 0 {
			t.Fatalf("under embargo a member below the tier was told: %v", k)
		}
		if ds, _, err := w.A.Notify.Deliveries(w.Ctx, w.SC, "", 0, 100); err != nil || len(ds) != 0 {
			t.Fatalf("the embargoed notice went to the group bot: %+v %v", ds, err)
		}
		// The linked task is a draft: no one's list shows it.
		for _, m := range []member.Member{vip, plain} {
			if _, err := w.A.Tasks.Offer(w.Ctx, w.As(m), "", share.PublicID); apptest.Code(err) != "task.not_found" {
				t.Fatalf("the linked task before go-live: %v", err)
			}
		}
		// The officer reads it: one receipt, kept at its first time.
		if x, err := w.A.Briefings.Open(w.Ctx, w.As(vip), b.PublicID); err != nil || !x.ReadAt.Equal(b.ReleaseAt) {
			t.Fatalf("open: %+v %v", x, err)
		}
		w.Advance(time.Hour)
		if x, _ := w.A.Briefings.Open(w.Ctx, w.As(vip), b.PublicID); !x.ReadAt.Equal(b.ReleaseAt) {
			t.Fatalf("a second read moved the receipt: %v", x.ReadAt)
		}
		rs, rc, _, err := w.A.Briefings.Readers(w.Ctx, w.SC, b.PublicID, "", 0, 50)
		if err != nil || rc.Audience != 1 || rc.Read != 1 || len(rs) != 1 || rs[0].Member != vip.PublicID {
			t.Fatalf("receipts under embargo: %+v %+v %v", rs, rc, err)
		}
		// A second before go-live, still nothing for the others.
		w.Set(golive.Add(-time.Second))
		run()
		if got := seen(t, w, plain, b); got != none {
			t.Fatalf("a second before go-live the member sees %v", got)
		}
		// At the second, every surface shows it, before the job has run.
		w.Set(golive)
		if got := seen(t, w, plain, b); got != all {
			t.Fatalf("at go-live the member sees %v", got)
		}
		// Two instances run go-live at once: it happens once.
		var wg sync.WaitGroup
		runs := make([]campaign.Run, 4)
		for i := range runs {
			wg.Go(func() {
				r, err := w.A.Campaigns.GoLive(w.Ctx)
				if err != nil {
					t.Error(err)
				}
				runs[i] = r
			})
		}
		wg.Wait()
		var went, tasks int
		for _, r := range runs {
			went += r.Campaigns
			tasks += r.Tasks + r.Told.Tasks
		}
		if went != 1 || tasks != 2 {
			t.Fatalf("go-live ran %d times and published %d tasks: %+v", went, tasks, runs)
		}
		if c, _ = w.A.Campaigns.Get(w.Ctx, w.SC, c.PublicID); c.Status != campaign.Live || !c.LiveAt.Equal(golive) {
			t.Fatalf("campaign after go-live: %+v", c)
		}
		for _, ref := range []string{share.PublicID, other.PublicID} {
			if tk, _ := w.A.Tasks.Get(w.Ctx, w.SC, ref); tk.Status != task.Published {
				t.Fatalf("task %s after go-live: %s", ref, tk.Status)
			}
		}
		for _, m := range []member.Member{vip, plain} {
			if k := inbox(t, w, m, c.PublicID); len(k) != 1 || k[0] != notify.CampaignLive {
				t.Fatalf("go-live notices: %v", k)
			}
		}
		if k := inbox(t, w, plain, b.PublicID); len(k) != 0 {
			t.Fatalf("the campaign's briefing told the member itself too: %v", k)
		}
		// The group hears of the go-live once, from the operators' event.
		if ds, _, err := w.A.Notify.Deliveries(w.Ctx, w.SC, "", 0, 100); err != nil || len(ds) != 1 || ds[0].Kind != notify.CampaignLive {
			t.Fatalf("deliveries after go-live: %+v %v", ds, err)
		}
		// The linked task opens to readers: the officer read it, the other
		// member must first.
		if o, err := w.A.Tasks.Offer(w.Ctx, w.As(vip), "", share.PublicID); err != nil || !o.CanTake {
			t.Fatalf("the reader's offer: %+v %v", o, err)
		}
		if o, err := w.A.Tasks.Offer(w.Ctx, w.As(plain), "", share.PublicID); err != nil || o.CanTake || o.Why == nil || o.Why.Code != "task.read_briefing" {
			t.Fatalf("the non-reader's offer: %+v %v", o, err)
		}
		if _, err := w.A.Tasks.Take(w.Ctx, w.As(plain), share.PublicID, ""); apptest.Code(err) != "task.read_briefing" {
			t.Fatalf("taking before reading: %v", err)
		}
		if _, err := w.A.Briefings.Open(w.Ctx, w.As(plain), b.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Tasks.Take(w.Ctx, w.As(plain), share.PublicID, ""); err != nil {
			t.Fatalf("taking after reading: %v", err)
		}
		// Receipts now count everyone; the export holds them.
		_, rc, _, _ = w.A.Briefings.Readers(w.Ctx, w.SC, b.PublicID, "", 0, 50)
		if rc.Audience != 2 || rc.Read != 2 {
			t.Fatalf("receipts after go-live: %+v", rc)
		}
		var out bytes.Buffer
		if err := w.A.Briefings.ExportReaders(w.Ctx, w.SC, b.PublicID, sheet.CSV, &out); err != nil || !bytes.Contains(out.Bytes(), []byte(plain.PublicID)) {
			t.Fatalf("export: %v\n%s", err, out.String())
		}
		if err := w.A.Briefings.ExportReaders(w.Ctx, w.As(vip), b.PublicID, sheet.CSV, &out); apptest.Code(err) != "auth.forbidden" {
			t.Fatalf("a member exported receipts: %v", err)
		}
		// The briefing, its task now published, is still rewritten.
		in := b.Input()
		in.Summary = "续航提升 9%"
		if _, err := w.A.Briefings.Update(w.Ctx, w.SC, b.PublicID, in); err != nil {
			t.Fatalf("rewriting the briefing after go-live: %v", err)
		}
		// A live campaign is not rewritten.
		if _, err := w.A.Campaigns.Update(w.Ctx, w.SC, c.PublicID, c.Input()); apptest.Code(err) != "campaign.live" {
			t.Fatalf("rewriting a live campaign: %v", err)
		}
	})
}

// A campaign left a draft at its time keeps its briefings under embargo,
// one for everyone too; moving its go-live moves their embargo.
func TestADraftCampaignKeepsItsEmbargo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		plain := w.Member()
		if _, err := w.A.Campaigns.Create(w.Ctx, w.SC, campaign.CampaignInput{Label: "x", Kind: campaign.Launch, Title: "x", GoLiveAt: start,
			BudgetLines: []string{"bl_nope"}}); apptest.Code(err) != "budget_lines[0]:budget.line_unknown" {
			t.Fatalf("an unknown budget line: %v", err)
		}
		c, err := w.A.Campaigns.Create(w.Ctx, w.SC, campaign.CampaignInput{Label: "春季上新", Kind: campaign.Launch, Title: "春季上新", GoLiveAt: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := w.A.Briefings.Create(w.Ctx, w.SC, briefing.BriefingInput{Campaign: "春季上新", Title: "新车续航", Ladder: "main", MinTier: "product", ReleaseAt: start})
		if err == nil {
			b, err = w.A.Briefings.Publish(w.Ctx, w.SC, b.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		// One for everyone waits for the go-live too, and no one is told.
		all, err := w.A.Briefings.Create(w.Ctx, w.SC, briefing.BriefingInput{Campaign: "春季上新", Title: "新车发布会直播", ReleaseAt: start})
		if err == nil {
			all, err = w.A.Briefings.Publish(w.Ctx, w.SC, all.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Campaigns.GoLive(w.Ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Briefings.Get(w.Ctx, w.As(plain), all.PublicID); apptest.Code(err) != "briefing.not_found" {
			t.Fatalf("a campaign's briefing for everyone before go-live: %v", err)
		}
		if k := inbox(t, w, plain, all.PublicID); len(k) != 0 {
			t.Fatalf("told of a campaign's briefing before go-live: %v", k)
		}
		w.Set(start.Add(2 * time.Hour))
		for _, ref := range []string{b.PublicID, all.PublicID} {
			if _, err := w.A.Briefings.Get(w.Ctx, w.As(plain), ref); apptest.Code(err) != "briefing.not_found" {
				t.Fatalf("a draft campaign's briefing after its time: %v", err)
			}
		}
		in := c.Input()
		in.GoLiveAt = start.Add(3 * time.Hour)
		if _, err := w.A.Campaigns.Update(w.Ctx, w.SC, c.PublicID, in); err != nil {
			t.Fatal(err)
		}
		if b, _ = w.A.Briefings.Get(w.Ctx, w.SC, b.PublicID); !b.PublicAt.Equal(in.GoLiveAt) {
			t.Fatalf("the embargo did not follow the go-live: %v", b.PublicAt)
		}
		if _, err := w.A.Campaigns.Schedule(w.Ctx, w.SC, c.PublicID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Briefings.Get(w.Ctx, w.As(plain), b.PublicID); apptest.Code(err) != "briefing.not_found" {
			t.Fatalf("before the new go-live: %v", err)
		}
		w.Set(in.GoLiveAt)
		for _, ref := range []string{b.PublicID, all.PublicID} {
			if _, err := w.A.Briefings.Get(w.Ctx, w.As(plain), ref); err != nil {
				t.Fatalf("at the new go-live: %v", err)
			}
		}
	})
}

// Bad input names its field; a standalone briefing for everyone is told
// to everyone at its release, once.
func TestBriefingInputAndAStandaloneRelease(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		a, b := w.Member(), w.Member()
		live, err := w.A.Tasks.Create(w.Ctx, w.SC, task.Input{Title: "已发布", Kind: task.Content, Mode: task.Open, Capacity: 1, Reward: task.Reward{Points: 1}})
		if err == nil {
			_, err = w.A.Tasks.Publish(w.Ctx, w.SC, live.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			in   briefing.BriefingInput
			want string
		}{
			{briefing.BriefingInput{ReleaseAt: start}, "title:length"},
			{briefing.BriefingInput{Title: "x"}, "release_at:required"},
			{briefing.BriefingInput{Title: "x", ReleaseAt: start, Ladder: "main", MinTier: "moon"}, "min_tier:catalog.tier_unknown"},
			{briefing.BriefingInput{Title: "x", ReleaseAt: start, Ladder: "main", MinTier: "product", PublicAt: start.Add(-time.Hour)}, "public_at:briefing.public_before_release"},
			{briefing.BriefingInput{Title: "x", ReleaseAt: start, Campaign: "nope"}, "campaign:briefing.campaign_unknown"},
			{briefing.BriefingInput{Title: "x", ReleaseAt: start, Task: "tsk_nope"}, "task:briefing.task_unknown"},
			{briefing.BriefingInput{Title: "x", ReleaseAt: start, Task: live.PublicID}, "task:briefing.task_not_draft"},
		} {
			if _, err := w.A.Briefings.Create(w.Ctx, w.SC, c.in); apptest.Code(err) != c.want {
				t.Errorf("%+v: %v, want %s", c.in, err, c.want)
			}
		}
		if _, err := w.A.Briefings.Create(w.Ctx, w.As(a), briefing.BriefingInput{Title: "x", ReleaseAt: start}); apptest.Code(err) != "auth.forbidden" {
			t.Fatalf("a member wrote a briefing: %v", err)
		}
		x, err := w.A.Briefings.Create(w.Ctx, w.SC, briefing.BriefingInput{Title: "车主手册更新", ReleaseAt: start.Add(time.Minute)})
		if err == nil {
			_, err = w.A.Briefings.Attach(w.Ctx, w.SC, x.PublicID, "evil.exe", []byte("MZ\x90\x00binary"))
		}
		if apptest.Code(err) != "file:briefing.file_type" {
			t.Fatalf("an executable attached: %v", err)
		}
		if _, err := w.A.Briefings.Publish(w.Ctx, w.SC, x.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Briefings.Get(w.Ctx, w.As(a), x.PublicID); apptest.Code(err) != "briefing.not_found" {
			t.Fatalf("before its release: %v", err)
		}
		w.Advance(time.Minute)
		for range 2 {
			if _, err := w.A.Campaigns.GoLive(w.Ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range []member.Member{a, b} {
			if k := inbox(t, w, m, x.PublicID); len(k) != 1 || k[0] != notify.BriefingOut {
				t.Fatalf("release notices: %v", k)
			}
		}
		if _, err := w.A.Briefings.Withdraw(w.Ctx, w.SC, x.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Briefings.Get(w.Ctx, w.As(a), x.PublicID); apptest.Code(err) != "briefing.not_found" {
			t.Fatalf("a withdrawn briefing: %v", err)
		}
	})
}

// A member who reaches a briefing's tiers while it is under embargo, its
// release notice gone, is told then, once: not again on a later move, and
// not one who only falls back.
func TestPromotedUnderEmbargoIsToldOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		tester, newcomer := w.Member(), w.Member()
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, tester.PublicID, "main", "product", "测试"); err != nil {
			t.Fatal(err)
		}
		b, err := w.A.Briefings.Create(w.Ctx, w.SC, briefing.BriefingInput{Title: "OTA 4.0（保密）", ReleaseAt: start, PublicAt: start.Add(72 * time.Hour),
			Ladder: "main", MinTier: "product"})
		if err == nil {
			_, err = w.A.Briefings.Publish(w.Ctx, w.SC, b.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Campaigns.GoLive(w.Ctx); err != nil { // the release notices
			t.Fatal(err)
		}
		if k := inbox(t, w, newcomer, b.PublicID); len(k) != 0 {
			t.Fatalf("the newcomer told before reaching the tier: %v", k)
		}
		w.Advance(24 * time.Hour)
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, newcomer.PublicID, "main", "product", "晋升"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, newcomer.PublicID, "main", "relationship", "再晋升"); err != nil {
			t.Fatal(err)
		}
		if k := inbox(t, w, newcomer, b.PublicID); len(k) != 1 || k[0] != notify.BriefingEarly {
			t.Fatalf("the promoted newcomer: %v", k)
		}
		if k := inbox(t, w, tester, b.PublicID); len(k) != 1 {
			t.Fatalf("the tester, moved by nothing, again: %v", k)
		}
	})
}
