// Package kit gives members a welcome kit when they join and a promotion
// kit when they reach a tier (SPEC L6, seed 002's 认证礼包). A kit is a
// catalog item an operator names for an occasion; the kits.issue job gives
// it once to each member who qualifies from its start, as a gift through
// the catalog's redemption chain, so its stock and its unit cost on the
// item's budget line hold like any redemption's and it ships like one. When
// the stock or the budget line refuses, the member's kit waits, says why,
// and the next run tries again.
package kit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/notify"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Occasion is when a kit is given.
type Occasion string

const (
	Welcome   Occasion = "welcome"   // on joining: the member is active and joined from the kit's start
	Promotion Occasion = "promotion" // on reaching the kit's tier from below, from its start
)

// Occasions in the order forms list them.
var Occasions = []Occasion{Welcome, Promotion}

// Kit is a catalog item given on an occasion.
type Kit struct {
	ID        int64     `json:"-"`
	PublicID  string    `json:"id"`
	Occasion  Occasion  `json:"occasion"`
	Ladder    string    `json:"ladder,omitempty"`
	Tier      string    `json:"tier,omitempty"`
	TierZh    string    `json:"tier_name_zh,omitempty"`
	TierEn    string    `json:"tier_name_en,omitempty"`
	Item      string    `json:"item"`
	ItemTitle string    `json:"item_title"`
	Variant   string    `json:"variant"`
	StartsAt  time.Time `json:"starts_at" doc:"Members who join (or reach the tier) from then get the kit."`
	Active    bool      `json:"active"`
	Given     int       `json:"given"`
	Waiting   int       `json:"waiting"`
	CreatedAt time.Time `json:"created_at"`
	tierID    int64
	itemID    int64
}

// KitInput names a kit.
type KitInput struct {
	Occasion Occasion  `json:"occasion" enum:"welcome,promotion"`
	Ladder   string    `json:"ladder,omitempty" doc:"Promotion kits: the ladder of the tier."`
	Tier     string    `json:"tier,omitempty" doc:"Promotion kits: the tier whose reaching earns the kit."`
	Item     string    `json:"item" doc:"The catalog item given."`
	Variant  string    `json:"variant,omitempty" doc:"Required when the item has several."`
	StartsAt time.Time `json:"starts_at,omitzero" doc:"Members who join or reach the tier from then get it; now when empty."`
}

// Issue is one member's kit: given, with its redemption (which carries the
// shipment), or waiting and why.
type Issue struct {
	ID         int64     `json:"-"`
	Kit        string    `json:"kit"`
	Occasion   Occasion  `json:"occasion"`
	ItemTitle  string    `json:"item_title"`
	Member     string    `json:"member"`
	MemberName string    `json:"member_name"`
	Status     string    `json:"status" enum:"given,waiting"`
	Redemption string    `json:"redemption,omitempty"`
	Shipment   string    `json:"shipment_status,omitempty" doc:"The redemption's status: ordered, shipped, delivered…"`
	NeedsAddr  bool      `json:"needs_address,omitempty" doc:"The kit is shipped and the member has not given an address yet."`
	ReasonCode string    `json:"reason_code,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Why is the refusal a waiting kit met, for a face to translate.
	Why *fault.Error `json:"-"`
}

// KitRun is what a run of the issuer did.
type KitRun struct {
	Given   int `json:"given"`
	Waiting int `json:"waiting"`
}

// Service names kits and gives them.
type Service struct {
	DB      *db.DB
	Catalog *catalog.Service
}

// batch is how many members a kit is given to in one run; the next run
// goes on.
const batch = 500

func notFound(ref string) error {
	return fault.New(fault.NotFound, "kit.not_found", "no kit {kit}", fault.P{"kit": ref})
}

const kitCols = `k.id, k.public_id, k.occasion, COALESCE(l.key, ''), COALESCE(t.key, ''), COALESCE(t.name_zh, ''), COALESCE(t.name_en, ''),
	i.public_id, i.title, v.public_id, k.starts_at, k.active, k.created_at, COALESCE(k.tier_id, 0), k.item_id,
	(SELECT COUNT(*) FROM kit_issues x WHERE x.kit_id = k.id AND x.status = 'given'),
	(SELECT COUNT(*) FROM kit_issues x WHERE x.kit_id = k.id AND x.status = 'waiting')`

const kitFrom = ` FROM kits k JOIN catalog_items i ON i.id = k.item_id JOIN catalog_variants v ON v.id = k.variant_id
	LEFT JOIN tiers t ON t.id = k.tier_id LEFT JOIN ladders l ON l.id = t.ladder_id`

func scanKit(s interface{ Scan(...any) error }) (Kit, error) {
	var k Kit
	var starts, created int64
	err := s.Scan(&k.ID, &k.PublicID, &k.Occasion, &k.Ladder, &k.Tier, &k.TierZh, &k.TierEn, &k.Item, &k.ItemTitle, &k.Variant, &starts, &k.Active,
		&created, &k.tierID, &k.itemID, &k.Given, &k.Waiting)
	k.StartsAt, k.CreatedAt = time.UnixMicro(starts).UTC(), time.UnixMicro(created).UTC()
	return k, err
}

// List is the program's kits, newest first.
func (s *Service) List(ctx context.Context, sc program.Scope) ([]Kit, error) {
	if err := sc.Require(program.PermRewardsRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+kitCols+kitFrom+` WHERE k.program_id = $1 ORDER BY k.id DESC`, sc.Program.ID)
	ks, err := db.Collect(rows, err, scanKit)
	if ks == nil {
		ks = []Kit{}
	}
	return ks, err
}

// Get returns one kit.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Kit, error) {
	if err := sc.Require(program.PermRewardsRead); err != nil {
		return Kit{}, err
	}
	return getKit(ctx, s.DB.R, sc.Program.ID, ref)
}

func getKit(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, programID int64, ref string) (Kit, error) {
	k, err := scanKit(q.QueryRowContext(ctx, `SELECT `+kitCols+kitFrom+` WHERE k.program_id = $1 AND k.public_id = $2`, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Kit{}, notFound(ref)
	}
	return k, err
}

// Add names a catalog item as a kit for an occasion.
func (s *Service) Add(ctx context.Context, sc program.Scope, in KitInput) (Kit, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Kit{}, err
	}
	in.Ladder, in.Tier, in.Item, in.Variant = strings.TrimSpace(in.Ladder), strings.TrimSpace(in.Tier), strings.TrimSpace(in.Item), strings.TrimSpace(in.Variant)
	var f fault.Fields
	if !slices.Contains(Occasions, in.Occasion) {
		f.OneOf("occasion", fault.Names(Occasions))
	}
	if in.Item == "" {
		f.Required("item")
	}
	if in.Occasion == Promotion && in.Tier == "" {
		f.Add("tier", "kit.tier_required", "is required for a promotion kit")
	}
	if err := f.Err(); err != nil {
		return Kit{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		var itemID int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM catalog_items WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, in.Item).Scan(&itemID, &status)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "active") {
			return "", fault.Field("item", "kit.item_unknown", "names no item the catalog offers")
		}
		if err != nil {
			return "", err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, public_id FROM catalog_variants WHERE item_id = $1 ORDER BY id`, itemID)
		type variant struct {
			id  int64
			ref string
		}
		vs, err := db.Collect(rows, err, func(r *sql.Rows) (variant, error) {
			var v variant
			return v, r.Scan(&v.id, &v.ref)
		})
		if err != nil {
			return "", err
		}
		var variantID int64
		for _, v := range vs {
			if v.ref == in.Variant || (in.Variant == "" && len(vs) == 1) {
				variantID = v.id
			}
		}
		if variantID == 0 {
			if in.Variant == "" {
				return "", fault.Field("variant", "catalog.variant_required", "choose one of the item's variants")
			}
			return "", fault.Field("variant", "kit.variant_unknown", "is not a variant of the item")
		}
		var tierID sql.NullInt64
		if in.Occasion == Promotion {
			err := tx.QueryRowContext(ctx, `SELECT t.id FROM tiers t JOIN ladders l ON l.id = t.ladder_id WHERE t.program_id = $1 AND t.key = $2
				AND ($3 = '' OR l.key = $3) AND l.retired_at = 0 ORDER BY l.position LIMIT 1`, sc.Program.ID, in.Tier, in.Ladder).Scan(&tierID)
			if errors.Is(err, sql.ErrNoRows) {
				return "", fault.Field("tier", "catalog.tier_unknown", "names no tier of the program's ladders")
			}
			if err != nil {
				return "", err
			}
		}
		starts := in.StartsAt
		if starts.IsZero() {
			starts = tx.Now
		}
		ref := pubid.New("kit")
		if _, err := tx.ExecContext(ctx, `INSERT INTO kits (program_id, public_id, occasion, tier_id, item_id, variant_id, starts_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, sc.Program.ID, ref, string(in.Occasion), tierID, itemID, variantID, starts.UnixMicro(),
			tx.Now.UnixMicro()); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "kit.add", ObjectKind: "kit", ObjectID: ref,
			After: map[string]any{"occasion": in.Occasion, "tier": in.Tier, "item": in.Item, "starts_at": starts.UTC()}})
	})
	if err != nil {
		return Kit{}, err
	}
	return getKit(ctx, s.DB.R, sc.Program.ID, ref)
}

// SetActive stops a kit being given, or starts it again; kits already
// given stay.
func (s *Service) SetActive(ctx context.Context, sc program.Scope, ref string, active bool) (Kit, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Kit{}, err
	}
	if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE kits SET active = $3 WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, ref, map[bool]int{true: 1}[active])
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(ref)
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "kit.active", ObjectKind: "kit", ObjectID: ref,
			After: map[string]any{"active": active}})
	}); err != nil {
		return Kit{}, err
	}
	return getKit(ctx, s.DB.R, sc.Program.ID, ref)
}

// IssuesFilter narrows a list of issues.
type IssuesFilter struct {
	Kit    string
	Member string
	Status string
	Before int64
	Limit  int
}

// Issues lists members' kits, newest first; a member sees their own.
func (s *Service) Issues(ctx context.Context, sc program.Scope, f IssuesFilter) ([]Issue, int64, error) {
	if sc.Actor.Kind == program.ActorMember {
		f.Member = sc.Actor.PublicID
	} else if err := sc.Require(program.PermRewardsRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && f.Status != "given" && f.Status != "waiting" {
		var fs fault.Fields
		fs.OneOf("query.status", []string{"given", "waiting"})
		return nil, 0, fs.Err()
	}
	w := db.Where("x.program_id = $1", sc.Program.ID)
	if f.Kit != "" {
		w.Add("k.public_id = $?", f.Kit)
	}
	if f.Member != "" {
		w.Add("m.public_id = $?", f.Member)
	}
	if f.Status != "" {
		w.Add("x.status = $?", f.Status)
	}
	if f.Before > 0 {
		w.Add("x.id < $?", f.Before)
	}
	where, args := w.Page("x.id DESC", f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT x.id, k.public_id, k.occasion, i.title, i.kind, m.public_id, m.name, x.status, COALESCE(r.public_id, ''),
		COALESCE(r.status, ''), COALESCE(r.ship_address, ''), x.reason_code, x.reason_params, x.reason, x.updated_at
		FROM kit_issues x JOIN kits k ON k.id = x.kit_id JOIN catalog_items i ON i.id = k.item_id JOIN members m ON m.id = x.member_id
		LEFT JOIN redemptions r ON r.id = x.redemption_id`+where, args...)
	is, err := db.Collect(rows, err, func(r *sql.Rows) (Issue, error) {
		var x Issue
		var kind catalog.Kind
		var addr, params string
		var updated int64
		err := r.Scan(&x.ID, &x.Kit, &x.Occasion, &x.ItemTitle, &kind, &x.Member, &x.MemberName, &x.Status, &x.Redemption, &x.Shipment, &addr,
			&x.ReasonCode, &params, &x.Reason, &updated)
		x.UpdatedAt = time.UnixMicro(updated).UTC()
		x.NeedsAddr = catalog.AwaitsAddress(kind, catalog.Status(x.Shipment), addr != "")
		if x.ReasonCode != "" {
			x.Why = &fault.Error{Kind: fault.Conflict, Code: x.ReasonCode, Message: x.Reason}
			_ = json.Unmarshal([]byte(params), &x.Why.Params)
		}
		return x, err
	})
	if err != nil {
		return nil, 0, err
	}
	is, next := db.TrimPage(is, f.Limit, func(x Issue) int64 { return x.ID })
	if is == nil {
		is = []Issue{}
	}
	return is, next, nil
}

// IssueAll gives every program's due kits: the kits.issue job.
func (s *Service) IssueAll(ctx context.Context) (KitRun, error) {
	actor := program.Actor{Kind: program.ActorJob, PublicID: "job:kits", Name: "kits"}
	ctx = program.WithActor(ctx, actor)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT DISTINCT p.id, p.slug, p.time_zone FROM programs p JOIN kits k ON k.program_id = p.id AND k.active = 1
		ORDER BY p.id`)
	ps, err := db.Collect(rows, err, func(r *sql.Rows) (program.Program, error) {
		var p program.Program
		return p, r.Scan(&p.ID, &p.Slug, &p.TimeZone)
	})
	if err != nil {
		return KitRun{}, err
	}
	var total KitRun
	for _, p := range ps {
		r, err := s.issue(ctx, program.Scope{Program: p, Actor: actor, Role: program.RoleAdmin})
		total.Given, total.Waiting = total.Given+r.Given, total.Waiting+r.Waiting
		if err != nil {
			return total, fmt.Errorf("kits of %s: %w", p.Slug, err)
		}
	}
	return total, nil
}

// IssueNow gives the program's due kits at once (an operator's "issue
// now"), as the job would.
func (s *Service) IssueNow(ctx context.Context, sc program.Scope) (KitRun, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return KitRun{}, err
	}
	return s.issue(ctx, sc)
}

func (s *Service) issue(ctx context.Context, sc program.Scope) (KitRun, error) {
	var res KitRun
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+kitCols+kitFrom+` WHERE k.program_id = $1 AND k.active = 1 ORDER BY k.id`, sc.Program.ID)
	ks, err := db.Collect(rows, err, scanKit)
	if err != nil {
		return res, err
	}
	for _, k := range ks {
		due, err := s.due(ctx, sc.Program.ID, k)
		if err != nil {
			return res, err
		}
		for _, m := range due {
			st, err := s.give(ctx, sc, k, m)
			if err != nil {
				return res, err
			}
			switch st {
			case "given":
				res.Given++
			case "waiting":
				res.Waiting++
			}
		}
	}
	return res, nil
}

type due struct {
	id  int64
	ref string
}

// due is who should have the kit and has not: active members who joined
// from its start (welcome), or who reached its tier from below from its
// start (promotion), and whose kit is not given.
func (s *Service) due(ctx context.Context, programID int64, k Kit) ([]due, error) {
	var rows *sql.Rows
	var err error
	if k.Occasion == Welcome {
		rows, err = s.DB.R.QueryContext(ctx, `SELECT m.id, m.public_id FROM members m LEFT JOIN kit_issues x ON x.kit_id = $2 AND x.member_id = m.id
			WHERE m.program_id = $1 AND m.status = 'active' AND m.created_at >= $3 AND (x.id IS NULL OR x.status = 'waiting')
			ORDER BY m.id LIMIT `+fmt.Sprint(batch), programID, k.ID, k.StartsAt.UnixMicro())
	} else {
		rows, err = s.DB.R.QueryContext(ctx, `SELECT DISTINCT m.id, m.public_id FROM tier_changes c JOIN members m ON m.id = c.member_id
			JOIN tiers t ON t.id = c.to_tier_id LEFT JOIN tiers f ON f.id = c.from_tier_id
			LEFT JOIN kit_issues x ON x.kit_id = $2 AND x.member_id = m.id
			WHERE c.program_id = $1 AND c.to_tier_id = $4 AND c.at >= $3 AND (f.id IS NULL OR f.rank < t.rank) AND m.status = 'active'
			AND (x.id IS NULL OR x.status = 'waiting') ORDER BY m.id LIMIT `+fmt.Sprint(batch), programID, k.ID, k.StartsAt.UnixMicro(), k.tierID)
	}
	return db.Collect(rows, err, func(r *sql.Rows) (due, error) {
		var d due
		return d, r.Scan(&d.id, &d.ref)
	})
}

// give gives one member the kit ("given"), records why it waits
// ("waiting"), or finds it given meanwhile (""). The issue row is claimed
// first, so two runs at once give it once.
func (s *Service) give(ctx context.Context, sc program.Scope, k Kit, m due) (string, error) {
	gave := false
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		gave = false
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO kit_issues (program_id, kit_id, member_id, status, created_at, updated_at)
			VALUES ($1, $2, $3, 'given', $4, $4) ON CONFLICT (kit_id, member_id) DO UPDATE SET status = 'given', reason_code = '', reason_params = '{}',
			reason = '', updated_at = excluded.updated_at WHERE kit_issues.status = 'waiting' RETURNING id`,
			sc.Program.ID, k.ID, m.id, tx.Now.UnixMicro()).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // given meanwhile
		}
		if err != nil {
			return err
		}
		ref, err := s.Catalog.GiftTx(ctx, tx, sc, catalog.RedeemInput{Item: k.Item, Variant: k.Variant, Member: m.ref})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kit_issues SET redemption_id = (SELECT id FROM redemptions WHERE public_id = $2) WHERE id = $1`,
			id, ref); err != nil {
			return err
		}
		if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.KitGiven, MemberID: m.id, Subject: ref,
			Params: map[string]any{"item": k.ItemTitle}}); err != nil {
			return err
		}
		gave = true
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "kit.give", ObjectKind: "kit", ObjectID: k.PublicID,
			After: map[string]any{"member": m.ref, "redemption": ref}})
	})
	fe, refused := fault.As(err)
	if err == nil || !refused || fe.Kind == fault.Internal || fe.Kind == fault.Unavailable {
		if gave && err == nil {
			return "given", nil
		}
		return "", err
	}
	params, _ := json.Marshal(fe.Params)
	if fe.Params == nil {
		params = []byte("{}")
	}
	return "waiting", s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO kit_issues (program_id, kit_id, member_id, status, reason_code, reason_params, reason, created_at, updated_at)
			VALUES ($1, $2, $3, 'waiting', $4, $5, $6, $7, $7) ON CONFLICT (kit_id, member_id) DO UPDATE SET reason_code = excluded.reason_code,
			reason_params = excluded.reason_params, reason = excluded.reason, updated_at = excluded.updated_at WHERE kit_issues.status = 'waiting'`,
			sc.Program.ID, k.ID, m.id, fe.Code, string(params), fe.Message, tx.Now.UnixMicro())
		return err
	})
}
