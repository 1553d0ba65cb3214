package demo

import (
	"context"
	"fmt"
	"time"

	"kox/internal/council"
	"kox/internal/db"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/promotion"
)

// carCouncil gives the relationship rung its voice (SPEC A4, seed 001's
// 关系授权): the advisory council of the top rung's members on a year's
// term (a chair, one seat given up, one to come); a closed-door session
// held last month with its minutes and one to come that the councillors
// are answering; feedback in every status, raised by members and recorded
// from the session; councillors mentoring newcomers, with a thread on
// their work and a nomination.
func (g *gen) carCouncil(ctx context.Context, b built) error {
	cs := &council.Service{DB: g.DB, Tasks: g.Tasks, Nominate: func(ctx context.Context, tx *db.Tx, programID int64, memberRef, tierRef, reason, actor string) error {
		_, err := promotion.NominateTx(ctx, tx, programID, memberRef, tierRef, reason, actor)
		return err
	}}
	sc := b.scope
	// A small demo may have too few at the top: the brand invites a few
	// experience officers up.
	for len(b.tiers["relationship"]) < 6 && len(b.tiers["experience"]) > 0 {
		m := b.tiers["experience"][len(b.tiers["experience"])-1]
		b.tiers["experience"] = b.tiers["experience"][:len(b.tiers["experience"])-1]
		if err := g.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := ladder.SetTierTx(ctx, tx, sc.Program.ID, m.PublicID, "main", "relationship", "受邀加入共创委员会 demo")
			return err
		}); err != nil {
			return err
		}
		b.tiers["relationship"] = append(b.tiers["relationship"], m)
	}
	top := b.tiers["relationship"]
	if len(top) < 4 {
		return fmt.Errorf("council: %d members at the top", len(top))
	}
	loc := sc.Program.Location()
	now := time.Now().In(loc)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	from := now.AddDate(0, -4, 0)
	seated := top[:min(12, len(top)-1)] // the last is appointed for next term
	for i, m := range seated {
		role := "member"
		if i == 0 {
			role = "chair"
		}
		if i == 1 { // served a term last year, too
			if _, err := cs.Appoint(ctx, sc, council.CouncilSeatInput{Member: m.PublicID, TermFrom: day(from.AddDate(-1, 0, 0)), TermTo: day(from.AddDate(0, 0, -1))}); err != nil {
				return fmt.Errorf("council: past seat: %w", err)
			}
		}
		if _, err := cs.Appoint(ctx, sc, council.CouncilSeatInput{Member: m.PublicID, Role: role, TermFrom: day(from), TermTo: day(from.AddDate(1, 0, -1))}); err != nil {
			return fmt.Errorf("council: seat: %w", err)
		}
	}
	next := top[len(top)-1]
	if _, err := cs.Appoint(ctx, sc, council.CouncilSeatInput{Member: next.PublicID, TermFrom: day(now.AddDate(0, 1, 0)), TermTo: day(now.AddDate(1, 1, -1))}); err != nil {
		return fmt.Errorf("council: next term: %w", err)
	}
	// One councillor gave their seat up (moved abroad); it stays on record.
	seats, err := cs.Seats(ctx, sc)
	if err != nil {
		return err
	}
	for _, x := range seats {
		if x.Member == seated[len(seated)-1].PublicID && x.State == "sitting" {
			if _, err := cs.EndSeat(ctx, sc, x.PublicID); err != nil {
				return err
			}
		}
	}

	held, err := cs.CreateSession(ctx, sc, council.CouncilSessionInput{Title: "座舱 2.0 共创闭门会", Place: "上海总部 12F 共创室",
		Agenda: "一、语音助手唤醒与误唤醒\n二、后排儿童遗留提醒\n三、冬季续航显示", StartsAt: now.AddDate(0, -1, 0), Council: true})
	if err != nil {
		return fmt.Errorf("council: session: %w", err)
	}
	for i, inv := range held.Invitees {
		answer := "yes"
		if i%5 == 4 {
			answer = "no"
		}
		if _, err := cs.RSVP(ctx, sc, held.PublicID, inv.Member, answer); err != nil {
			return err
		}
	}
	if _, err := cs.Hold(ctx, sc, held.PublicID, "出席委员讨论了座舱 2.0 的三个议题：\n1. 唤醒词支持自定义，误唤醒率目标降低一半；\n2. 后排儿童遗留提醒列入 OTA 3.2；\n3. 冬季续航显示改为按当前气温估算。\n下次会议审阅 OTA 3.2 的测试版。"); err != nil {
		return err
	}
	coming, err := cs.CreateSession(ctx, sc, council.CouncilSessionInput{Title: "OTA 3.2 测试版审阅会", Place: "线上（腾讯会议）",
		Agenda: "一、OTA 3.2 测试版体验\n二、2027 款内饰配色", StartsAt: now.AddDate(0, 0, 14), Council: true, Invite: []string{next.PublicID}})
	if err != nil {
		return err
	}
	for i, inv := range coming.Invitees {
		if i%3 == 2 {
			continue // not answered yet
		}
		m := member.Member{PublicID: inv.Member}
		for _, x := range top {
			if x.PublicID == inv.Member {
				m = x
			}
		}
		answer := "yes"
		if i%4 == 3 {
			answer = "no"
		}
		if _, err := cs.RSVP(ctx, asMember(sc, m), coming.PublicID, "", answer); err != nil {
			return fmt.Errorf("council: answer: %w", err)
		}
	}

	// Feedback: from the session, and raised by members of every rung.
	type raised struct {
		by             member.Member
		title, body    string
		status, note   string
		fromTheMeeting bool
	}
	var raisers []member.Member
	for _, k := range []string{"information", "experience", "product", "relationship"} {
		if ms := b.tiers[k]; len(ms) > 0 {
			raisers = append(raisers, ms[0], ms[len(ms)/2])
		}
	}
	pick := func(i int) member.Member { return raisers[i%len(raisers)] }
	items := []raised{
		{title: "唤醒词支持自定义", body: "「你好启程」在车内聊天时经常误唤醒。", status: council.Adopted, note: "已列入 OTA 3.2，支持自定义唤醒词。", fromTheMeeting: true},
		{title: "冬季续航显示按气温估算", body: "零下时表显续航与实际差距较大。", status: council.Considered, note: "能源团队正在评估按气温修正的算法。", fromTheMeeting: true},
		{by: pick(0), title: "希望增加后排儿童遗留提醒", body: "接送孩子时，下车后忘记后排的情况时有发生。", status: council.Adopted, note: "将在 OTA 3.2 上线：熄火后后排有人时提醒。"},
		{by: pick(1), title: "充电桩地图增加排队人数", body: "节假日高速服务区经常要排队。", status: council.Heard, note: "已收到，转交补能团队。"},
		{by: pick(2), title: "手机钥匙支持家人共享", body: "家里两个人开一辆车。", status: council.Considered, note: "正在评估安全方案。"},
		{by: pick(3), title: "取消中控屏开机动画", body: "每次上车都要等几秒。", status: council.Declined, note: "开机动画期间系统在自检，暂无法取消；我们会把时长缩短到 1 秒内。"},
		{by: pick(4), title: "车主活动增加亲子场次", body: "带孩子参加工厂参观很受欢迎。", status: council.New},
		{by: pick(5), title: "App 里能看到保养记录", body: "", status: council.New},
	}
	for _, it := range items {
		in := council.FeedbackInput{Title: it.title, Body: it.body}
		s := sc
		if it.fromTheMeeting {
			in.Session = held.PublicID
		} else {
			s = asMember(sc, it.by)
		}
		x, err := cs.Raise(ctx, s, in)
		if err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
		steps := map[string][]string{council.Heard: {council.Heard}, council.Considered: {council.Heard, council.Considered},
			council.Adopted: {council.Heard, council.Considered, council.Adopted}, council.Declined: {council.Heard, council.Declined}}[it.status]
		for i, st := range steps {
			note := ""
			if i == len(steps)-1 {
				note = it.note
			}
			if _, err := cs.Answer(ctx, sc, x.PublicID, st, note); err != nil {
				return fmt.Errorf("feedback %s: %w", st, err)
			}
		}
	}

	// Mentors: councillors coach this month's newcomers on the first rung.
	newcomers := b.tiers["information"]
	for i := 0; i < min(4, len(seated), len(newcomers)); i++ {
		mentor, mentee := seated[i], newcomers[len(newcomers)-1-i]
		x, err := cs.Pair(ctx, sc, mentor.PublicID, mentee.PublicID)
		if err != nil {
			return fmt.Errorf("mentor: %w", err)
		}
		work, err := cs.MenteeWork(ctx, sc, x.PublicID)
		if err != nil {
			return err
		}
		on := ""
		if len(work) > 0 {
			on = work[0].PublicID
		}
		if _, err := cs.Write(ctx, asMember(sc, mentor), x.PublicID, on, "开头可以先讲你最真实的一次用车场景，再说功能；照片用自然光会更好。"); err != nil {
			return fmt.Errorf("mentor note: %w", err)
		}
		if _, err := cs.Write(ctx, asMember(sc, mentee), x.PublicID, "", "谢谢！下一篇我试试先讲周末带娃出游。"); err != nil {
			return err
		}
		if i == 0 {
			if err := cs.NominateMentee(ctx, asMember(sc, mentor), x.PublicID, "main/experience", "两篇作品真实细致，推荐成为体验官"); err != nil {
				return fmt.Errorf("mentor nomination: %w", err)
			}
		}
	}
	return nil
}
