// Package member holds a program's members (SPEC L7) — KOC, KOS and KOL —
// with their social accounts, tags, consent records and notes, and the
// program's account matrix (L8).
package member

import (
	"slices"
	"time"
)

// Role is what kind of voice a member is.
type Role string

const (
	KOC Role = "koc" // key opinion consumer: an owner, a fan
	KOS Role = "kos" // key opinion sales: store and sales staff
	KOL Role = "kol" // key opinion leader: a hired creator
)

// Source is how a KOC came to the program (seed 004).
type Source string

const (
	Fan       Source = "fan"       // 真爱: a natural advocate
	Incubated Source = "incubated" // 孵化: grown from the private community
	Seeded    Source = "seeded"    // 投放: paid or sent product
	Scripted  Source = "scripted"  // 剧本: an account the brand runs
)

// Disclosed reports whether content by a member of this source must say so
// (an ad, a gift, a brand account): seeded and scripted.
func (s Source) Disclosed() bool { return s == Seeded || s == Scripted }

// Domain is where a member speaks.
type Domain string

const (
	Public  Domain = "public"  // 公域: open platforms, for exposure and leads
	Private Domain = "private" // 私域: the brand's own groups, for trust and repeat purchase
)

// Status is where a member stands with the program.
type Status string

const (
	Candidate Status = "candidate"
	Active    Status = "active"
	Paused    Status = "paused"
	Left      Status = "left"
	Banned    Status = "banned"
)

var (
	Roles    = []Role{KOC, KOS, KOL}
	Sources  = []Source{Fan, Incubated, Seeded, Scripted}
	Domains  = []Domain{Public, Private}
	Statuses = []Status{Candidate, Active, Paused, Left, Banned}
	// Platforms are the social platforms kox knows.
	Platforms = []string{"xiaohongshu", "douyin", "weibo", "wechat_channels", "wechat_official", "wechat_private",
		"bilibili", "kuaishou", "zhihu", "dianping", "autohome", "dongchedi", "yiche", "other"}
)

func valid[T comparable](v T, all []T) bool { return slices.Contains(all, v) }

// Member is one person in a program.
type Member struct {
	ID        int64           `json:"-"`
	ProgramID int64           `json:"-"`
	PublicID  string          `json:"id"`
	Name      string          `json:"name"`
	Phone     string          `json:"phone,omitempty"`
	Email     string          `json:"email,omitempty"`
	Role      Role            `json:"role"`
	Source    Source          `json:"source,omitempty"`
	Domain    Domain          `json:"domain"`
	Region    string          `json:"region,omitempty"`
	City      string          `json:"city,omitempty"`
	Status    Status          `json:"status"`
	Tags      []string        `json:"tags"`
	Social    []SocialAccount `json:"social_accounts"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// DisclosureRequired: this member's content must be marked as sponsored or
// brand-made wherever it appears.
func (m Member) DisclosureRequired() bool { return m.Source.Disclosed() }

// SocialAccount is a member's account on a platform.
type SocialAccount struct {
	ID        int64  `json:"-"`
	PublicID  string `json:"id"`
	Platform  string `json:"platform"`
	Handle    string `json:"handle"`
	URL       string `json:"url,omitempty"`
	Followers int64  `json:"followers"`
}

// Consent is what a member agreed to, or withdrew, and when.
type Consent struct {
	Kind    string    `json:"kind"`
	Granted bool      `json:"granted"`
	Text    string    `json:"text,omitempty"`
	Source  string    `json:"source,omitempty"`
	At      time.Time `json:"at"`
}

// Note is an operator's note on a member.
type Note struct {
	ID        int64     `json:"-"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Layer is a row of the 1+X+N+N account matrix.
type Layer string

const (
	LayerOfficial Layer = "official" // 1: the brand's own accounts
	LayerBrandIP  Layer = "brand_ip" // X: brand IP accounts
	LayerKOS      Layer = "kos"      // N: sales staff accounts
	LayerKOC      Layer = "koc"      // N: KOC accounts
)

var Layers = []Layer{LayerOfficial, LayerBrandIP, LayerKOS, LayerKOC}

// MatrixEntry is one account in the matrix.
type MatrixEntry struct {
	ID        int64     `json:"-"`
	PublicID  string    `json:"id"`
	Platform  string    `json:"platform"`
	Layer     Layer     `json:"layer"`
	Name      string    `json:"name"`
	Handle    string    `json:"handle"`
	URL       string    `json:"url,omitempty"`
	Followers int64     `json:"followers"`
	MemberID  string    `json:"member_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
