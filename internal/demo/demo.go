// Package demo loads the demo programs that `kox demo` serves (SPEC P8): a
// car brand's KOC program on the four-rung ladder, and a fashion retailer's
// KOS program of store staff. Everything comes from a fixed seed, so every
// run makes the same programs, people, tasks and ids.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"kox/internal/badge"
	"kox/internal/budget"
	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/member"
	"kox/internal/notify"
	"kox/internal/payout"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/promotion"
	"kox/internal/pubid"
	"kox/internal/task"
)

// The demo programs.
const (
	CarSlug     = "demo-car"
	FashionSlug = "demo-fashion"
)

// The demo's owner, who can sign in to every demo program.
const (
	OwnerEmail    = "owner@kox.demo"
	OwnerPassword = "kox-demo-2026"
)

// Size is how big the demo programs are.
type Size struct{ Car, Fashion int }

var (
	// Full is the demo as SPEC P8 describes it.
	Full = Size{Car: 2000, Fashion: 500}
	// Small is a tenth of it, for a quick look (and quick tests).
	Small = Size{Car: 200, Fashion: 50}
)

// Deps are the services the demo loads through, and its size (Full when
// zero).
type Deps struct {
	DB      *db.DB
	Ledger  *ledger.Ledger
	Tasks   *task.Service
	Budget  *budget.Service
	Catalog *catalog.Service
	Points  *points.Service
	Payouts *payout.Service
	Badges  *badge.Service
	// Promotion, when set, runs the hourly evaluation on the loaded demo, as
	// the scheduler would: the candidates come from the rules and the data.
	Promotion *promotion.Service
	// Notify, when set, fans the load's events out to the members' and
	// operators' notifications, as the delivery job would.
	Notify *notify.Service
	// Webhook, when set, is the address of the demo's own webhook
	// receiver: the car program sends its events there.
	Webhook string
	Size    Size
}

// seeded is a deterministic byte source for ids.
type seeded struct{ r *rand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

// Load creates the demo programs unless they exist; it is safe to run
// again, and changes nothing then. A demo left half made (a load stopped
// part way) is reported, to be loaded anew with --fresh: its ids come from
// one seeded source, so it cannot be finished where it stopped.
func Load(ctx context.Context, d Deps) error {
	have := 0
	for _, slug := range []string{CarSlug, FashionSlug} {
		if _, err := program.BySlug(ctx, d.DB, slug); err == nil {
			have++
		} else if !fault.Is(err, fault.NotFound) {
			return err
		}
	}
	switch have {
	case 2:
		return nil
	case 1:
		return fmt.Errorf("the demo in this database is incomplete (a load stopped part way): load it anew with --fresh")
	}
	restore := pubid.UseSource(seeded{rand.NewChaCha8([32]byte{'k', 'o', 'x', 2, 0, 2, 6})})
	defer restore()
	rng := rand.New(rand.NewPCG(2026, 11))
	ctx = program.WithActor(ctx, program.System("kox demo"))
	if d.Size == (Size{}) {
		d.Size = Full
	}
	g := &gen{Deps: d, rng: rng, used: map[string]bool{}}
	car, err := g.car(ctx)
	if err != nil {
		return fmt.Errorf("demo car program: %w", err)
	}
	if err := g.budget(ctx, car, carLines); err != nil {
		return fmt.Errorf("demo car budget: %w", err)
	}
	if err := g.carTasks(ctx, car); err != nil {
		return fmt.Errorf("demo car tasks: %w", err)
	}
	if err := g.carLedger(ctx, car.program.ID); err != nil {
		return fmt.Errorf("demo ledger: %w", err)
	}
	if err := g.carRewards(ctx, car); err != nil {
		return fmt.Errorf("demo car rewards: %w", err)
	}
	if err := g.carKits(ctx, car); err != nil {
		return fmt.Errorf("demo kits: %w", err)
	}
	if err := g.carCommunity(ctx, car); err != nil {
		return fmt.Errorf("demo community: %w", err)
	}
	if err := g.carEvents(ctx, car); err != nil {
		return fmt.Errorf("demo events: %w", err)
	}
	if err := g.carCampaigns(ctx, car); err != nil {
		return fmt.Errorf("demo campaigns: %w", err)
	}
	if err := g.carCouncil(ctx, car); err != nil {
		return fmt.Errorf("demo council: %w", err)
	}
	fashion, err := g.fashion(ctx)
	if err != nil {
		return fmt.Errorf("demo fashion program: %w", err)
	}
	if err := g.budget(ctx, fashion, fashionLines); err != nil {
		return fmt.Errorf("demo fashion budget: %w", err)
	}
	if err := g.fashionTasks(ctx, fashion); err != nil {
		return err
	}
	if err := g.webhook(ctx, car); err != nil {
		return fmt.Errorf("demo webhook: %w", err)
	}
	if err := g.carMarks(ctx, car); err != nil {
		return fmt.Errorf("demo strikes and nominations: %w", err)
	}
	if err := g.carAwards(ctx, car); err != nil {
		return fmt.Errorf("demo awards: %w", err)
	}
	if d.Promotion != nil {
		if _, err := d.Promotion.EvaluateAll(ctx); err != nil {
			return fmt.Errorf("demo promotion: %w", err)
		}
		if _, err := d.Promotion.KeepAll(ctx); err != nil {
			return fmt.Errorf("demo keep rules: %w", err)
		}
	}
	if err := g.carPromotionKits(ctx, car); err != nil {
		return fmt.Errorf("demo promotion kits: %w", err)
	}
	if d.Notify != nil {
		for {
			n, err := d.Notify.Dispatch(ctx)
			if err != nil {
				return fmt.Errorf("demo notifications: %w", err)
			}
			if n == 0 {
				break
			}
		}
	}
	return nil
}

// carLadder is the default ladder with the car program's entry rules:
// prove your value at your rung to earn the next (seed 001).
func carLadder() []ladder.LadderSpec {
	specs := ladder.DefaultTemplate()
	tiers := specs[0].Tiers
	tiers[1].Entry = &ladder.EntryRule{Match: "all", Criteria: []ladder.Criterion{{Kind: ladder.ApprovedTasks, Min: 1}, {Kind: ladder.AverageScore, Min: 4}}}
	tiers[2].Entry = &ladder.EntryRule{Match: "all", Criteria: []ladder.Criterion{{Kind: ladder.ApprovedTasks, Min: 2}, {Kind: ladder.AverageScore, Min: 4.2},
		{Kind: ladder.NoStrikes, Days: 90}, {Kind: ladder.TenureDays, Min: 30}}}
	tiers[3].Entry = &ladder.EntryRule{Match: "all", Criteria: []ladder.Criterion{{Kind: ladder.Nominated}, {Kind: ladder.ObligationsKept, Min: 8}}}
	tiers[2].Keep = &ladder.KeepRule{MissedOccurrences: 2, WindowDays: 90, GraceDays: 14}
	return specs
}

// carMarks gives a few members strikes, and a few long-term testers a
// mentor's nomination for the council.
func (g *gen) carMarks(ctx context.Context, b built) error {
	ps := &promotion.Service{DB: g.DB}
	info := b.tiers["information"]
	for i := 0; i < len(info) && i < 40; i += 8 {
		if _, err := ps.Strike(ctx, b.scope, info[i].PublicID, "笔记未标注合作（#广告）"); err != nil {
			return err
		}
	}
	for i, m := range b.tiers["product"] {
		if i >= 3 {
			break
		}
		if _, err := ps.Nominate(ctx, b.scope, m.PublicID, "main/relationship", "长测日记扎实，推荐进入共创委员会"); err != nil {
			return err
		}
	}
	return nil
}

type gen struct {
	Deps
	rng   *rand.Rand
	used  map[string]bool
	lines map[string]string // budget line code → id, of the program being made
}

type built struct {
	program program.Program
	scope   program.Scope
	members []member.Member
	tiers   map[string][]member.Member // by tier key
}

func (g *gen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
		"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜",
		"叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏"}
	givenNames = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
		"霞", "平", "刚", "桂英", "晨", "浩", "宇", "欣", "婷", "雪", "琳", "博", "子涵", "梓萱", "一诺", "思远", "嘉怡", "俊杰", "雨桐",
		"浩然", "欣怡", "梓轩", "宇航", "晓东", "志强", "海燕", "建华", "丽娟", "春梅", "文博", "雅琪", "天佑", "佳琪", "子墨", "若曦", "家豪"}
	regions = []struct {
		name   string
		cities []string
	}{
		{"华东", []string{"上海", "杭州", "南京", "苏州", "宁波", "合肥"}},
		{"华北", []string{"北京", "天津", "石家庄", "太原"}},
		{"华南", []string{"广州", "深圳", "佛山", "东莞", "厦门"}},
		{"华中", []string{"武汉", "长沙", "郑州"}},
		{"西南", []string{"成都", "重庆", "昆明"}},
		{"西北", []string{"西安", "兰州"}},
		{"东北", []string{"沈阳", "大连", "哈尔滨"}},
	}
	carHandles    = []string{"露营奶爸", "通勤小记", "自驾去远方", "电车日常", "周末出发", "爱车的", "长途老司机", "智驾体验官", "带娃出行"}
	carTags       = []string{"车主", "摄影", "露营", "宝妈", "奶爸", "长途", "智驾", "改装", "户外", "亲子"}
	carPlatforms  = []string{"xiaohongshu", "douyin", "dongchedi", "autohome", "weibo", "bilibili", "wechat_channels"}
	shopPlatforms = []string{"xiaohongshu", "douyin", "wechat_channels", "wechat_private"}
)

func (g *gen) name() string { return g.pick(surnames) + g.pick(givenNames) }

func (g *gen) place() (string, string) {
	r := regions[g.rng.IntN(len(regions))]
	return r.name, r.cities[g.rng.IntN(len(r.cities))]
}

// handle makes a social handle unique on its platform.
func (g *gen) handle(platform, base string) string {
	h := base
	for i := 2; g.used[platform+"/"+h]; i++ {
		h = fmt.Sprintf("%s%d", base, i)
	}
	g.used[platform+"/"+h] = true
	return h
}

func (g *gen) setup(ctx context.Context, tx *db.Tx, p program.Program, ladders []ladder.LadderSpec) (program.Program, error) {
	owner, err := ownerTx(ctx, tx)
	if err != nil {
		return program.Program{}, err
	}
	p, err = program.CreateTx(ctx, tx, p)
	if err != nil {
		return program.Program{}, err
	}
	if _, err := ladder.ApplyTx(ctx, tx, p.ID, ladders); err != nil {
		return program.Program{}, err
	}
	return p, program.SetRoleTx(ctx, tx, p.ID, owner, program.RoleAdmin)
}

// ownerTx returns the demo owner, creating them the first time.
func ownerTx(ctx context.Context, tx *db.Tx) (program.Operator, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM operators WHERE email = $1`, OwnerEmail).Scan(&id)
	if err == nil {
		return program.Operator{ID: id, Email: OwnerEmail}, nil
	}
	return program.CreateOperatorTx(ctx, tx, 0, program.NewOperator{Email: OwnerEmail, Name: "演示管理员 Demo Owner", Password: OwnerPassword, Owner: true})
}

func (g *gen) car(ctx context.Context) (built, error) {
	var b built
	b.tiers = map[string][]member.Member{}
	err := g.DB.InTx(ctx, func(tx *db.Tx) error {
		p, err := g.setup(ctx, tx, program.Program{Slug: CarSlug, Name: "启程汽车 · 车主体验官计划",
			Description: "启程汽车的车主 KOC 计划：信息 → 体验 → 产品长测 → 共创决策。A car brand's owners (KOC), climbing from information to a voice in decisions."},
			carLadder())
		if err != nil {
			return err
		}
		b.program = p
		if _, err := task.ApplyTemplatesTx(ctx, tx, p.ID, []task.Template{
			{Key: "ota-share", Title: "OTA 初体验分享", Kind: task.LightInteraction, Mode: task.Open, Capacity: 300, SubmitWithinHours: 24 * 14,
				Reward: task.Reward{Points: 100}, Brief: task.Brief{Hashtags: []string{"启程OTA"}, KeyMessages: []string{"城市领航辅助"}},
				Eligibility: task.Eligibility{Ladder: "main", MinTier: "information"}},
			{Key: "long-term-diary", Title: "长期体验官：26 周用车日记", Kind: task.Diary, Mode: task.Assigned, Capacity: 6,
				Reward: task.Reward{Points: 150}, Brief: task.Brief{DisclosureRequired: true, TopicIdeas: []string{"通勤", "购物", "接送孩子", "长途旅行"}},
				Eligibility: task.Eligibility{Ladder: "main", MinTier: "product"}, Recurrence: &task.Recurrence{IntervalDays: 7, Count: 26}},
		}); err != nil {
			return err
		}
		sources := []member.Source{member.Fan, member.Fan, member.Fan, member.Fan, member.Fan, member.Fan, member.Incubated, member.Incubated,
			member.Incubated, member.Seeded, member.Scripted}
		for i := 0; i < g.Size.Car-newOwners; i++ { // the week's new owners join later (carKits)
			region, city := g.place()
			nm := g.name()
			n := member.NewMember{Fields: member.Fields{Name: nm, Role: member.KOC, Source: sources[g.rng.IntN(len(sources))],
				Domain: []member.Domain{member.Public, member.Public, member.Private}[g.rng.IntN(3)], Region: region, City: city,
				Status: []member.Status{member.Active, member.Active, member.Active, member.Active, member.Active, member.Candidate, member.Paused}[g.rng.IntN(7)],
				Phone:  fmt.Sprintf("+86 1%02d %04d %04d", 30+g.rng.IntN(70), g.rng.IntN(10000), g.rng.IntN(10000)),
				Tags:   []string{"车主", g.pick(carTags)}}}
			first := g.rng.IntN(len(carPlatforms))
			for k := 0; k < 1+g.rng.IntN(2); k++ {
				platform := carPlatforms[(first+k*3)%len(carPlatforms)]
				n.Social = append(n.Social, member.SocialInput{Platform: platform, Handle: g.handle(platform, g.pick(carHandles)+nm),
					Followers: int64(g.rng.ExpFloat64() * 3000)})
			}
			m, err := member.CreateTx(ctx, tx, p.ID, n)
			if err != nil {
				return err
			}
			b.members = append(b.members, m)
			// The pyramid: most on information, few at the top.
			tier := "information"
			switch x := g.rng.IntN(100); {
			case x < 2:
				tier = "relationship"
			case x < 10:
				tier = "product"
			case x < 30:
				tier = "experience"
			}
			if _, err := ladder.SetTierTx(ctx, tx, p.ID, m.PublicID, "main", tier, "演示数据 demo"); err != nil {
				return err
			}
			if m.Status == member.Active {
				b.tiers[tier] = append(b.tiers[tier], m)
			}
		}
		return nil
	})
	b.scope = program.Scope{Program: b.program, Actor: program.System("kox demo"), Role: program.RoleAdmin}
	return b, err
}

func (g *gen) fashion(ctx context.Context) (built, error) {
	var b built
	b.tiers = map[string][]member.Member{}
	kos := []ladder.LadderSpec{{Key: "kos", Name: ladder.Text{Zh: "导购成长阶梯", En: "Store staff growth"}, Role: "kos",
		Tiers: []ladder.TierSpec{
			{Key: "starter", Name: ladder.Text{Zh: "新人导购", En: "Starter"}, Title: ladder.Text{Zh: "种草新人", En: "New voice"},
				Resource: ladder.Information, ValueExchange: ladder.Perks, BudgetLayer: ladder.Broad,
				Benefits: []ladder.Text{{Zh: "新品卖点抢先学", En: "Selling points of new lines first"}}},
			{Key: "creator", Name: ladder.Text{Zh: "种草达人", En: "Creator"}, Title: ladder.Text{Zh: "门店种草官", En: "Store creator"},
				Resource: ladder.Experience, ValueExchange: ladder.PerformancePay, BudgetLayer: ladder.Incentive,
				Benefits: []ladder.Text{{Zh: "内容激励与赛马奖金", En: "Content bonuses and contest prizes"}}},
			{Key: "star", Name: ladder.Text{Zh: "销冠", En: "Sales star"}, Title: ladder.Text{Zh: "KOS 销冠", En: "KOS star"},
				Resource: ladder.Product, ValueExchange: ladder.Project, BudgetLayer: ladder.Exclusive,
				Benefits: []ladder.Text{{Zh: "新品先穿、专业拍摄", En: "New lines first, a photo crew"}}},
			{Key: "mentor", Name: ladder.Text{Zh: "教练", En: "Coach"}, Title: ladder.Text{Zh: "陪跑教练", En: "Coach"},
				Resource: ladder.Relationship, ValueExchange: ladder.Partnership, BudgetLayer: ladder.Exclusive,
				Benefits: []ladder.Text{{Zh: "参与商品企划", En: "A voice in merchandising"}}},
		}}}
	err := g.DB.InTx(ctx, func(tx *db.Tx) error {
		p, err := g.setup(ctx, tx, program.Program{Slug: FashionSlug, Name: "衣尚 · 门店 KOS 计划",
			Description: "衣尚服饰的门店导购 KOS：以赛代练、教练陪跑。A fashion retailer's store staff as social voices."}, kos)
		if err != nil {
			return err
		}
		b.program = p
		var stores []string
		for _, r := range regions {
			for _, c := range r.cities {
				for _, mall := range []string{"万达店", "万象城店"} {
					stores = append(stores, r.name+"|"+c+"|"+c+mall)
				}
			}
		}
		for i := 0; i < g.Size.Fashion; i++ {
			store := stores[i%len(stores)]
			parts := splitBar(store)
			region, city, shop := parts[0], parts[1], parts[2]
			nm := g.name()
			platform := g.pick(shopPlatforms)
			m, err := member.CreateTx(ctx, tx, p.ID, member.NewMember{Fields: member.Fields{Name: nm, Role: member.KOS, Domain: member.Private,
				Region: region, City: city, Status: member.Active, Tags: []string{"门店:" + shop}},
				Social: []member.SocialInput{{Platform: platform, Handle: g.handle(platform, "衣尚"+shop+nm), Followers: int64(g.rng.ExpFloat64() * 800)}}})
			if err != nil {
				return err
			}
			tier := "starter"
			switch x := g.rng.IntN(100); {
			case x < 3:
				tier = "mentor"
			case x < 12:
				tier = "star"
			case x < 40:
				tier = "creator"
			}
			if _, err := ladder.SetTierTx(ctx, tx, p.ID, m.PublicID, "kos", tier, "演示数据 demo"); err != nil {
				return err
			}
			b.members = append(b.members, m)
			b.tiers[tier] = append(b.tiers[tier], m)
		}
		return nil
	})
	b.scope = program.Scope{Program: b.program, Actor: program.System("kox demo"), Role: program.RoleAdmin}
	return b, err
}

func splitBar(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '|' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// carLedger: a redemption catalog item with stock, and a few members who
// spent points on it (the rewards issue builds the catalog proper).
func (g *gen) carLedger(ctx context.Context, programID int64) error {
	acct := func(asset, code, ref string, limit ledger.LimitRule) (ledger.Account, error) {
		return g.Ledger.OpenAccount(ctx, ledger.AccountSpec{ProgramID: programID, Asset: asset, Code: code, Ref: ref, Limit: limit})
	}
	supplier, err := acct("item:wallpaper-pack", "stock_source", "", ledger.NoLimit)
	if err != nil {
		return err
	}
	stock, err := acct("item:wallpaper-pack", "stock", "", ledger.DebitsMustNotExceedCredits)
	if err != nil {
		return err
	}
	_, err = g.Ledger.TransferOne(ctx, programID, ledger.Transfer{ClientID: "demo:stock", DebitAccountID: supplier.ID, CreditAccountID: stock.ID, Amount: 100, Code: "restock"})
	return err
}

// SignInLink is a ready sign-in link for one demo member of a program.
type SignInLink struct {
	Program string
	Member  string
	URL     string
}

// SignInLinks issues a one-time sign-in code for one active member of each
// demo program (the first on its highest rung, so the portal shows a
// tier) and returns the links to open, under base (http://localhost:8080).
func SignInLinks(ctx context.Context, d *db.DB, members *member.Service, base string) ([]SignInLink, error) {
	ctx = program.WithActor(ctx, program.System("kox demo"))
	progs := &program.Service{DB: d}
	var out []SignInLink
	for _, slug := range []string{CarSlug, FashionSlug} {
		sc, err := progs.Scope(ctx, slug)
		if err != nil {
			return nil, err
		}
		var ref, name string
		err = d.R.QueryRowContext(ctx, `SELECT m.public_id, m.name FROM members m
			LEFT JOIN member_tiers mt ON mt.member_id = m.id LEFT JOIN tiers t ON t.id = mt.tier_id
			WHERE m.program_id = $1 AND m.status = 'active' ORDER BY coalesce(t.rank, 0) DESC, m.id LIMIT 1`, sc.Program.ID).Scan(&ref, &name)
		if err != nil {
			return nil, fmt.Errorf("demo: a member of %s: %w", slug, err)
		}
		code, _, err := members.IssueLoginCode(ctx, sc, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, SignInLink{Program: sc.Program.Name, Member: name, URL: base + "/m/signin?code=" + code})
	}
	return out, nil
}
