package demo

import (
	"context"
	"time"

	"kox/internal/briefing"
	"kox/internal/campaign"
	"kox/internal/db"
	"kox/internal/event"
	"kox/internal/job"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
)

// carCampaigns gives the information rung its briefings and the program
// its campaigns (seed 001, SPEC A1 and C1): OTA 3.2, live since last week,
// whose notes everyone could read and many did; and the launch of the
// 2027 S7 in three days, whose OTA 4.0 briefing experience officers and
// above read already under embargo, with the task to share first
// impressions, a launch tasting and a draft launch video that all open at
// the go-live.
func (g *gen) carCampaigns(ctx context.Context, b built) error {
	sc := b.scope
	wake := func(ctx context.Context, tx *db.Tx, t time.Time) error { return job.WakeTx(ctx, tx, briefing.Job, t) }
	publish := func(ctx context.Context, sc program.Scope, ref string) error {
		_, err := g.Tasks.Publish(ctx, sc, ref)
		return err
	}
	bs := &briefing.Service{DB: g.DB, Wake: wake, PublishTask: publish}
	cs := &campaign.Service{DB: g.DB, Briefings: bs, Budget: g.Budget, Wake: wake, PublishTask: publish}
	es := &event.Service{DB: g.DB, Ledger: g.Ledger, Tasks: g.Tasks}
	now := g.DB.Now()
	as := func(m member.Member) program.Scope {
		return program.Scope{Program: sc.Program, Role: program.RoleMember,
			Actor: program.Actor{Kind: program.ActorMember, ID: m.ID, PublicID: m.PublicID, ProgramID: sc.Program.ID, Role: program.RoleMember, Name: m.Name}}
	}
	var upper, active []member.Member
	for _, k := range []string{"experience", "product", "relationship"} {
		upper = append(upper, b.tiers[k]...)
	}
	for _, m := range b.members {
		if m.Status == member.Active {
			active = append(active, m)
		}
	}

	// OTA 3.2: live a week ago; its tasks were published with it.
	ota, err := cs.Create(ctx, sc, campaign.CampaignInput{Label: "OTA 3.2", Kind: campaign.OTA, Title: "OTA 3.2 城市领航辅助上线",
		Description: "城市领航辅助开放至 50 城。", GoLiveAt: now.AddDate(0, 0, -7), BudgetLines: []string{g.lines["digital"], g.lines["creator_fees"]}})
	if err != nil {
		return err
	}
	notes, err := bs.Create(ctx, sc, briefing.BriefingInput{Campaign: "OTA 3.2", Title: "OTA 3.2 更新说明", Summary: "城市领航辅助开放至 50 城；泊车更快；语音助手支持连续对话。",
		Body: "一、城市领航辅助\n覆盖城市从 20 个扩展到 50 个……\n\n二、自动泊车\n平均泊入时间缩短 30%。\n\n三、语音助手\n支持连续对话与多指令。", ReleaseAt: now.AddDate(0, 0, -7)})
	if err != nil {
		return err
	}
	if _, err := bs.Attach(ctx, sc, notes.PublicID, "OTA3.2-更新说明.txt", []byte("OTA 3.2 更新说明\n城市领航辅助 · 自动泊车 · 语音助手\n")); err != nil {
		return err
	}
	if _, err := bs.Publish(ctx, sc, notes.PublicID); err != nil {
		return err
	}
	if _, err := cs.Schedule(ctx, sc, ota.PublicID, true); err != nil {
		return err
	}

	// The S7 launch in three days, at 20:00 in the program's zone.
	loc := sc.Program.Location()
	day := now.In(loc).AddDate(0, 0, 3)
	golive := time.Date(day.Year(), day.Month(), day.Day(), 20, 0, 0, 0, loc)
	launch, err := cs.Create(ctx, sc, campaign.CampaignInput{Label: "S7 上市", Kind: campaign.Launch, Title: "2027 款启程 S7 上市",
		Description: "新车发布与 OTA 4.0 同步上线：抢先知情的体验官先读，发布会当晚全员解禁。", GoLiveAt: golive,
		BudgetLines: []string{g.lines["events"], g.lines["digital"], g.lines["creator_fees"]}})
	if err != nil {
		return err
	}
	share, err := g.Tasks.Create(ctx, sc, task.Input{Title: "分享你对 OTA 4.0 的第一印象", Kind: task.LightInteraction, Mode: task.Open, Capacity: 300,
		Brief: task.Brief{Description: "读完 OTA 4.0 简报后，用一条笔记说说你最期待的功能。", Hashtags: []string{"启程OTA4"}}, Reward: task.Reward{Points: 120},
		EffortMinutes: 15, SubmitWithinHours: 24 * 7, Campaign: "S7 上市"})
	if err != nil {
		return err
	}
	if _, err := g.Tasks.Create(ctx, sc, task.Input{Title: "S7 上市首发视频", Kind: task.Content, Mode: task.Apply, Capacity: 10,
		Brief:  task.Brief{Description: "发布会后 48 小时内发布一条 S7 静态体验视频。", KeyMessages: []string{"全新底盘", "OTA 4.0"}},
		Reward: task.Reward{Points: 600}, EffortMinutes: 180, SubmitWithinHours: 48, Campaign: "S7 上市",
		Eligibility: task.Eligibility{Ladder: "main", MinTier: "experience"}}); err != nil {
		return err
	}
	brief, err := bs.Create(ctx, sc, briefing.BriefingInput{Campaign: "S7 上市", Title: "OTA 4.0 更新说明（保密）",
		Summary: "城市领航全国开放；新增露营模式；续航显示更准。发布会前请勿外传。",
		Body:    "一、城市领航全国开放\n不再限定城市……\n\n二、露营模式\n整夜空调与氛围灯，电量低于 20% 自动提醒。\n\n三、续航估算\n按驾驶习惯与气温校准。",
		Ladder:  "main", MinTier: "experience", ReleaseAt: now.Add(-20 * time.Hour), Task: share.PublicID})
	if err != nil {
		return err
	}
	if _, err := bs.Attach(ctx, sc, brief.PublicID, "OTA4.0-亮点.txt", []byte("OTA 4.0 亮点（保密，发布会前请勿外传）\n")); err != nil {
		return err
	}
	if _, err := bs.Publish(ctx, sc, brief.PublicID); err != nil {
		return err
	}
	tasting, err := es.Create(ctx, sc, event.EventInput{Kind: event.TeaParty, Title: "S7 上市品鉴会", City: "杭州", Venue: "启程之家 · 湖滨",
		Description: "发布会直播与新车静态品鉴。", StartsAt: golive.Add(24 * time.Hour), EndsAt: golive.Add(27 * time.Hour), Capacity: 60,
		Allocation: event.FirstCome, Campaign: "S7 上市"})
	if err == nil {
		_, err = es.Publish(ctx, sc, tasting.PublicID)
	}
	if err != nil {
		return err
	}
	if _, err := cs.Schedule(ctx, sc, launch.PublicID, true); err != nil {
		return err
	}
	// Go-live runs what is due: OTA 3.2 goes live, the S7 briefing's early
	// notice goes to its tiers.
	if _, err := cs.GoLive(ctx); err != nil {
		return err
	}
	// Readers: most of the officers opened the embargoed notes, a third of
	// the members OTA 3.2's.
	for i, m := range upper {
		if i%4 != 3 && m.Status == member.Active {
			if _, err := bs.Open(ctx, as(m), brief.PublicID); err != nil {
				return err
			}
		}
	}
	for i, m := range active {
		if i%3 == 0 {
			if _, err := bs.Open(ctx, as(m), notes.PublicID); err != nil {
				return err
			}
		}
	}
	return nil
}
