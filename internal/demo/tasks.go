package demo

import (
	"context"
	"fmt"
	"time"

	"kox/internal/db"
	"kox/internal/loan"
	"kox/internal/member"
	"kox/internal/task"
)

// work is what the demo does with one member's claim.
type work int

const (
	keep     work = iota // claimed, nothing yet
	pending              // submitted, waiting for review
	approve              // submitted and approved
	changes              // submitted, changes requested
	reject               // submitted and rejected
	withdraw             // withdrew
)

func (g *gen) publish(ctx context.Context, b built, in task.Input) (task.Task, error) {
	t, err := g.Tasks.Create(ctx, b.scope, in)
	if err != nil {
		return task.Task{}, err
	}
	return g.Tasks.Publish(ctx, b.scope, t.PublicID)
}

// play takes members through a task: claim (or apply and select), then
// what plan says for each, in turn.
func (g *gen) play(ctx context.Context, b built, t task.Task, ms []member.Member, plan []work, text func(i int) string) error {
	for i, m := range ms {
		if i >= len(plan) {
			break
		}
		c, err := g.Tasks.Take(ctx, b.scope, t.PublicID, m.PublicID)
		if err != nil {
			return fmt.Errorf("claim %s: %w", t.Title, err)
		}
		switch plan[i] {
		case keep:
			continue
		case withdraw:
			_, err = g.Tasks.Withdraw(ctx, b.scope, c.PublicID)
			if err != nil {
				return err
			}
			continue
		}
		sub, err := g.Tasks.Submit(ctx, b.scope, c.PublicID, task.SubmissionInput{Text: text(i),
			Posts: []task.Post{{Platform: "xiaohongshu", URL: fmt.Sprintf("https://www.xiaohongshu.com/explore/demo%05d", g.rng.IntN(100000))}}})
		if err != nil {
			return fmt.Errorf("submit %s: %w", t.Title, err)
		}
		switch plan[i] {
		case approve:
			_, err = g.Tasks.Review(ctx, b.scope, sub.PublicID, task.Approve, 3+g.rng.IntN(3), "内容真实，画面好看")
		case changes:
			_, err = g.Tasks.Review(ctx, b.scope, sub.PublicID, task.RequestChanges, 0, "请补上话题标签和合作标注")
		case reject:
			_, err = g.Tasks.Review(ctx, b.scope, sub.PublicID, task.Reject, 0, "与任务主题不符")
		}
		if err != nil {
			return fmt.Errorf("review %s: %w", t.Title, err)
		}
	}
	return nil
}

// from is ms from i on (none when i is past the end).
func from(ms []member.Member, i int) []member.Member {
	if i >= len(ms) {
		return nil
	}
	return ms[i:]
}

// mix makes a plan of n steps with the given counts of each kind of work.
func mix(counts map[work]int) []work {
	var out []work
	for _, w := range []work{approve, pending, changes, keep, reject, withdraw} {
		for i := 0; i < counts[w]; i++ {
			out = append(out, w)
		}
	}
	return out
}

func (g *gen) carTasks(ctx context.Context, b built) error {
	ota, err := g.publish(ctx, b, task.Input{Title: "OTA 3.2 初体验分享", Kind: task.LightInteraction, Mode: task.Open, Capacity: 400,
		Brief: task.Brief{Description: "升级到 OTA 3.2 后，用一条笔记分享你对城市领航辅助的第一印象。", KeyMessages: []string{"城市领航辅助"},
			Hashtags: []string{"启程OTA3.2"}, TopicIdeas: []string{"通勤路上的第一次领航", "家人的反应"}},
		Eligibility: task.Eligibility{Ladder: "main", MinTier: "information"}, Reward: task.Reward{Points: 100}, EffortMinutes: 20,
		SubmitWithinHours: 24 * 14, Campaign: "OTA 3.2"})
	if err != nil {
		return err
	}
	info := b.tiers["information"]
	if err := g.play(ctx, b, ota, info, mix(map[work]int{approve: 70, pending: 12, changes: 15, keep: 60, reject: 5, withdraw: 10}), func(i int) string {
		if i%3 == 0 {
			return "升级后试了城市领航辅助，早高峰也很稳。" // misses the hashtag: the check says so
		}
		return "#启程OTA3.2 升级后试了城市领航辅助，早高峰也很稳，推荐！"
	}); err != nil {
		return err
	}

	upper := append(append(append([]member.Member{}, b.tiers["experience"]...), b.tiers["product"]...), b.tiers["relationship"]...)
	trip, err := g.publish(ctx, b, task.Input{Title: "车主故事：我的第一次长途", Kind: task.Content, Mode: task.Open, Capacity: 60,
		Brief:       task.Brief{KeyMessages: []string{"续航"}, Hashtags: []string{"启程长途"}, Platforms: []string{"xiaohongshu"}, DisclosureRequired: true},
		Eligibility: task.Eligibility{Ladder: "main", MinTier: "experience"}, Reward: task.Reward{Points: 300, Money: 20000}, EffortMinutes: 180, BudgetLine: g.lines["creator_fees"],
		SubmitWithinHours: 24 * 30})
	if err != nil {
		return err
	}
	if err := g.play(ctx, b, trip, upper, mix(map[work]int{approve: 15, pending: 8, changes: 4, keep: 10, withdraw: 3}), func(int) string {
		return "#启程长途 #广告 1200 公里，续航比预期好。"
	}); err != nil {
		return err
	}

	tour, err := g.publish(ctx, b, task.Input{Title: "工厂探秘之旅：写下你的见闻", Kind: task.ExperienceStory, Mode: task.Apply, Capacity: 20,
		Brief: task.Brief{Description: "参观总装车间后，写一篇体验故事。"}, Eligibility: task.Eligibility{Ladder: "main", MinTier: "experience"},
		Reward: task.Reward{Points: 500, Perks: []string{"工厂参观名额"}}, EffortMinutes: 480})
	if err != nil {
		return err
	}
	for i, m := range upper[:min(35, len(upper))] {
		c, err := g.Tasks.Take(ctx, b.scope, tour.PublicID, m.PublicID)
		if err != nil {
			return err
		}
		if i < 20 {
			_, err = g.Tasks.Select(ctx, b.scope, c.PublicID, true)
		} else if i < 25 {
			_, err = g.Tasks.Select(ctx, b.scope, c.PublicID, false)
		}
		if err != nil {
			return err
		}
	}

	if err := g.diary(ctx, b); err != nil {
		return err
	}

	council, err := g.publish(ctx, b, task.Input{Title: "下一代车型产品定义闭门研讨会", Kind: task.Consultation, Mode: task.Assigned, Capacity: 10,
		Eligibility: task.Eligibility{Ladder: "main", MinTier: "relationship"}, Reward: task.Reward{Points: 1000}, EffortMinutes: 240})
	if err != nil {
		return err
	}
	if err := g.play(ctx, b, council, b.tiers["relationship"], mix(map[work]int{keep: 10}), nil); err != nil {
		return err
	}
	mentor, err := g.publish(ctx, b, task.Input{Title: "带一位新车主：新人陪跑", Kind: task.Mentoring, Mode: task.Open, Capacity: 15,
		Eligibility: task.Eligibility{Ladder: "main", MinTier: "relationship"}, Reward: task.Reward{Points: 400}})
	if err != nil {
		return err
	}
	if err := g.play(ctx, b, mentor, b.tiers["relationship"], mix(map[work]int{approve: 2, keep: 3}), func(int) string { return "带新车主完成了首次充电" }); err != nil {
		return err
	}
	if _, err := g.Tasks.Create(ctx, b.scope, task.Input{Title: "春节自驾攻略征集", Kind: task.Content, Mode: task.Open, Capacity: 100,
		Reward: task.Reward{Points: 200}, Brief: task.Brief{Hashtags: []string{"启程春节自驾"}}}); err != nil {
		return err
	}
	run, err := g.publish(ctx, b, task.Input{Title: "城市夜跑打卡", Kind: task.LightInteraction, Mode: task.Open, Capacity: 50, Reward: task.Reward{Points: 30}})
	if err != nil {
		return err
	}
	if err := g.play(ctx, b, run, from(info, len(info)/2), mix(map[work]int{keep: 5}), nil); err != nil {
		return err
	}
	_, err = g.Tasks.Cancel(ctx, b.scope, run.PublicID, "暴雨预警，活动取消")
	return err
}

// diary: the product rung's long-term testers (up to 25), each lent a
// car of the fleet for six months ten weeks ago with the 26-week diary
// assigned with the loan; most weeks approved, some missed; the scenarios
// they covered ticked off with their posts (see fleet.go for the rest of
// the fleet).
func (g *gen) diary(ctx context.Context, b built) error {
	real := time.Now
	start := real().Add(-10 * 7 * 24 * time.Hour)
	clock := start.Add(-24 * time.Hour)
	g.DB.SetClock(func() time.Time { return clock })
	defer g.DB.SetClock(real)
	product := b.tiers["product"]
	extra := min(3, len(product)/4) // a returned loan, a late one, one promised
	testers := product[:min(25, len(product)-extra)]
	f := &fleetDemo{g: g, loans: &loan.Service{DB: g.DB, Ledger: g.Ledger, Tasks: g.Tasks}, sc: b.scope}
	if err := f.fleetUnits(ctx); err != nil {
		return fmt.Errorf("fleet: %w", err)
	}
	t, err := g.publish(ctx, b, task.Input{Title: "长期体验官：26 周用车日记", Kind: task.Diary, Mode: task.Assigned, Capacity: 25,
		Brief: task.Brief{Description: "把这台车当作家里唯一的车，每周记录通勤、购物、接送孩子、长途的真实表现。",
			TopicIdeas: []string{"通勤", "购物", "接送孩子", "长途旅行"}, DisclosureRequired: true},
		Eligibility: task.Eligibility{Ladder: "main", MinTier: "product"}, Reward: task.Reward{Points: 150}, EffortMinutes: 90,
		Recurrence: &task.Recurrence{IntervalDays: 7, Count: 26}})
	if err != nil {
		return err
	}
	// The testers have stood on the product rung since a week before their
	// loans began (the demo loads everyone's tier at once, today).
	for _, m := range product {
		if err := g.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE member_tiers SET since = $3 WHERE program_id = $1 AND member_id = (SELECT id FROM members WHERE public_id = $2)`,
				b.program.ID, m.PublicID, start.Add(-7*24*time.Hour).UnixMicro())
			return err
		}); err != nil {
			return err
		}
	}
	clock = start
	var claims []string
	var loans []loan.Loan
	for i, m := range testers {
		l, err := f.lend(ctx, f.units[i], m, start, 6, t.PublicID)
		if err != nil {
			return fmt.Errorf("loan %d: %w", i, err)
		}
		claims, loans = append(claims, l.DiaryClaim), append(loans, l)
	}
	scenes := []string{"通勤", "购物", "接送孩子", "长途旅行"}
	for week := 1; week <= 9; week++ {
		clock = start.Add(time.Duration(week*7-2) * 24 * time.Hour)
		for i, c := range claims {
			if (i+week)%5 == 0 {
				continue // this week is missed
			}
			sub, err := g.Tasks.Submit(ctx, b.scope, c, task.SubmissionInput{Text: fmt.Sprintf("#广告 第 %d 周：%s", week, scenes[week%len(scenes)])})
			if err != nil {
				return fmt.Errorf("diary week %d: %w", week, err)
			}
			if week < 9 {
				if _, err := g.Tasks.Review(ctx, b.scope, sub.PublicID, task.Approve, 4, "记录很用心"); err != nil {
					return err
				}
			}
			// Each week's post covers a scenario; most testers tick it off.
			if (i+week)%3 != 0 && week <= 4 {
				if _, err := f.loans.Tick(ctx, asMember(b.scope, testers[i]), loans[i].PublicID, loan.Scenarios[(i+week)%len(loan.Scenarios)],
					fmt.Sprintf("https://www.xiaohongshu.com/explore/qc%02d%02d", i, week)); err != nil {
					return err
				}
			}
		}
		clock = start.Add(time.Duration(week*7+1) * 24 * time.Hour)
		if _, _, err := g.Tasks.Expire(ctx); err != nil {
			return err
		}
	}
	clock = real()
	return f.rest(ctx, product[len(product)-extra:], len(testers))
}

func (g *gen) fashionTasks(ctx context.Context, b built) error {
	all := b.members
	style, err := g.publish(ctx, b, task.Input{Title: "秋冬新品穿搭种草", Kind: task.Content, Mode: task.Open, Capacity: 300,
		Brief:  task.Brief{KeyMessages: []string{"轻暖"}, Hashtags: []string{"衣尚秋冬"}, Platforms: []string{"xiaohongshu"}},
		Reward: task.Reward{Points: 80}, SubmitWithinHours: 24 * 10, Campaign: "秋冬上新"})
	if err != nil {
		return err
	}
	if err := g.play(ctx, b, style, all, mix(map[work]int{approve: 60, pending: 20, changes: 10, keep: 50, withdraw: 10}), func(int) string {
		return "#衣尚秋冬 今天上身新款，轻暖不臃肿。"
	}); err != nil {
		return err
	}
	contest, err := g.publish(ctx, b, task.Input{Title: "以赛代练：速干运动服种草赛", Kind: task.Content, Mode: task.Open, Capacity: 200,
		Brief: task.Brief{Description: "结合速干运动服的卖点，拍一条门店穿搭视频。", KeyMessages: []string{"速干"}, Hashtags: []string{"衣尚速干赛"},
			References: []string{"《速干系列卖点手册 v2》"}}, Reward: task.Reward{Points: 120, Money: 5000}, Campaign: "速干运动季",
		BudgetLine: g.lines["kos_fees"]})
	if err != nil {
		return err
	}
	if err := g.play(ctx, b, contest, from(all, len(all)*2/5), mix(map[work]int{approve: 30, pending: 25, keep: 40}), func(int) string {
		return "#衣尚速干赛 跑完步十分钟就干了"
	}); err != nil {
		return err
	}
	coach, err := g.publish(ctx, b, task.Input{Title: "陪跑：带一家门店做直播", Kind: task.Mentoring, Mode: task.Assigned, Capacity: 20,
		Eligibility: task.Eligibility{Ladder: "kos", MinTier: "mentor"}, Reward: task.Reward{Points: 300}})
	if err != nil {
		return err
	}
	return g.play(ctx, b, coach, b.tiers["mentor"], mix(map[work]int{approve: 3, keep: 5}), func(int) string { return "带门店完成第一场直播" })
}
