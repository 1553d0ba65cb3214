// Package ladder holds a program's ladders of trust (SPEC L2): ordered tiers,
// each bundling the resource it grants (information → experience → product →
// relationship), the value exchange it runs on, the budget layer that pays for
// it, its title and benefits; and where each member stands on each ladder.
package ladder

import (
	"slices"
	"time"
)

// Text is a phrase in both of kox's languages.
type Text struct {
	Zh string `json:"zh" yaml:"zh"`
	En string `json:"en" yaml:"en"`
}

// Resource is what a tier grants (seed 001).
type Resource string

const (
	Information  Resource = "information"  // 信息授权: official news before others
	Experience   Resource = "experience"   // 体验授权: scarce offline experiences
	Product      Resource = "product"      // 产品授权: a product on long-term loan
	Relationship Resource = "relationship" // 关系授权: a voice in decisions
)

// ValueExchange is how a tier's members are rewarded (seed 000).
type ValueExchange string

const (
	Perks          ValueExchange = "perks"           // 权益置换: honour, experiences, privileges
	PerformancePay ValueExchange = "performance_pay" // 效果付费: base fee plus bonuses by reach
	Project        ValueExchange = "project"         // 项目采买: briefed, budgeted, contracted
	Partnership    ValueExchange = "partnership"     // 战略合作: retainer, revenue share
)

// BudgetLayer is the layer of the budget that pays for a tier (seed 003).
type BudgetLayer string

const (
	Broad     BudgetLayer = "broad"     // 普惠
	Incentive BudgetLayer = "incentive" // 激励
	Exclusive BudgetLayer = "exclusive" // 专属
)

var (
	Resources      = []Resource{Information, Experience, Product, Relationship}
	ValueExchanges = []ValueExchange{Perks, PerformancePay, Project, Partnership}
	BudgetLayers   = []BudgetLayer{Broad, Incentive, Exclusive}
)

func valid[T comparable](v T, all []T) bool { return slices.Contains(all, v) }

// TierSpec is a tier as written: in a program file, in the API, in the
// default template. Its rank is its place in the ladder's list.
type TierSpec struct {
	Key           string        `json:"key" yaml:"key"`
	Name          Text          `json:"name" yaml:"name"`
	Title         Text          `json:"title" yaml:"title"`
	Resource      Resource      `json:"resource" yaml:"resource"`
	ValueExchange ValueExchange `json:"value_exchange" yaml:"value_exchange"`
	BudgetLayer   BudgetLayer   `json:"budget_layer" yaml:"budget_layer"`
	Benefits      []Text        `json:"benefits" yaml:"benefits"`
	// Entry: what promotion into this tier asks of the tier below (L3).
	Entry *EntryRule `json:"entry,omitempty" yaml:"entry,omitempty"`
	// Keep: what a member of this tier keeps up not to slip (L4).
	Keep *KeepRule `json:"keep,omitempty" yaml:"keep,omitempty"`
}

// LadderSpec is a ladder as written.
type LadderSpec struct {
	Key  string `json:"key" yaml:"key"`
	Name Text   `json:"name" yaml:"name"`
	// Role: the members this ladder is for (koc, kos, kol), or "" for all.
	Role  string     `json:"role,omitempty" yaml:"role,omitempty"`
	Tiers []TierSpec `json:"tiers" yaml:"tiers"`
}

// Tier is a stored tier.
type Tier struct {
	TierSpec
	ID       int64  `json:"-" yaml:"-"`
	PublicID string `json:"id" yaml:"-"`
	Rank     int    `json:"rank" yaml:"-"`
}

// Ladder is a stored ladder with its tiers, bottom rung first.
type Ladder struct {
	ID        int64     `json:"-"`
	PublicID  string    `json:"id"`
	Key       string    `json:"key"`
	Name      Text      `json:"name"`
	Role      string    `json:"role,omitempty"`
	Tiers     []Tier    `json:"tiers"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Spec returns the ladder as written.
func (l Ladder) Spec() LadderSpec {
	s := LadderSpec{Key: l.Key, Name: l.Name, Role: l.Role, Tiers: make([]TierSpec, len(l.Tiers))}
	for i, t := range l.Tiers {
		s.Tiers[i] = t.TierSpec
	}
	return s
}

// Tier returns the tier with the key.
func (l Ladder) Tier(key string) (Tier, bool) {
	for _, t := range l.Tiers {
		if t.Key == key {
			return t, true
		}
	}
	return Tier{}, false
}

// DefaultTemplate is the ladder every new program starts from: SPEC's table
// of the four rungs, each with its resource, value exchange and budget layer.
func DefaultTemplate() []LadderSpec {
	return []LadderSpec{{
		Key:  "main",
		Name: Text{Zh: "授权阶梯", En: "Ladder of trust"},
		Tiers: []TierSpec{
			{Key: "information", Name: Text{Zh: "信息授权", En: "Information"}, Title: Text{Zh: "品牌传播官", En: "Brand voice"},
				Resource: Information, ValueExchange: Perks, BudgetLayer: Broad,
				Benefits: []Text{{Zh: "官方资讯抢先知", En: "Official news before anyone else"}, {Zh: "社群徽章与积分", En: "Community badges and points"}}},
			{Key: "experience", Name: Text{Zh: "体验授权", En: "Experience"}, Title: Text{Zh: "品牌体验官", En: "Brand experience officer"},
				Resource: Experience, ValueExchange: PerformancePay, BudgetLayer: Incentive,
				Benefits: []Text{{Zh: "工厂探秘、赛道日等专属活动", En: "Factory tours, track days and other closed events"}, {Zh: "认证礼包", En: "Certification kit"}}},
			{Key: "product", Name: Text{Zh: "产品授权", En: "Product"}, Title: Text{Zh: "长期体验官", En: "Long-term tester"},
				Resource: Product, ValueExchange: Project, BudgetLayer: Exclusive,
				Benefits: []Text{{Zh: "新车长期使用权（以月计）", En: "A new car on loan for months"}, {Zh: "专业拍摄团队支持", En: "A professional production crew"}}},
			{Key: "relationship", Name: Text{Zh: "关系授权", En: "Relationship"}, Title: Text{Zh: "品牌荣誉顾问", En: "Honorary brand advisor"},
				Resource: Relationship, ValueExchange: Partnership, BudgetLayer: Exclusive,
				Benefits: []Text{{Zh: "闭门研讨会，直通决策层", En: "Closed-door sessions with decision makers"}, {Zh: "年度峰会邀请", En: "An invitation to the annual summit"}}},
		},
	}}
}

// In is the text in lang (zh-CN or en), the other when that one is empty.
func (t Text) In(lang string) string {
	if (lang == "en" && t.En != "") || t.Zh == "" {
		return t.En
	}
	return t.Zh
}

// HasTier says one of the ladders is ladderKey and has tierKey: what an
// object naming a minimum tier (an event, a briefing) must name.
func HasTier(ls []Ladder, ladderKey, tierKey string) bool {
	for _, l := range ls {
		if l.Key == ladderKey {
			_, ok := l.Tier(tierKey)
			return ok
		}
	}
	return false
}
