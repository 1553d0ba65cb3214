// Package catalog holds what members redeem their points for (SPEC R3,
// seed 002): virtual rewards, e-commerce coupons from a pool of unique
// codes, merchandise with stock, variants and shipment, product-use rights,
// VIP event seats and one-off experiences. Each variant's stock is a ledger
// account; a redemption moves points, stock and the item's unit cost on its
// budget line as one linked chain, all or nothing.
package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Kind is what an item is.
type Kind string

const (
	Virtual     Kind = "virtual"     // a digital reward: wallpaper, a title, a course
	Coupon      Kind = "coupon"      // an e-commerce coupon: one unique code a redemption
	Merchandise Kind = "merchandise" // a thing shipped: stock per variant, an address, a shipment
	ProductUse  Kind = "product_use" // a right to use a product for a time
	EventSeat   Kind = "event_seat"  // a VIP seat at an event
	Experience  Kind = "experience"  // a one-off experience: a factory visit, lunch with the designer
)

// Kinds in the order forms list them.
var Kinds = []Kind{Virtual, Coupon, Merchandise, ProductUse, EventSeat, Experience}

// Shipped says the item is sent to an address.
func (k Kind) Shipped() bool { return k == Merchandise }

// instant: a redemption of the kind is fulfilled at once (the code or the
// virtual reward is the member's on redeeming); other kinds wait for an
// operator to ship or fulfil them.
func (k Kind) instant() bool { return k == Virtual || k == Coupon }

// ItemEligibility limits who may redeem: at least a tier of a ladder.
type ItemEligibility struct {
	Ladder  string `json:"ladder,omitempty"`
	MinTier string `json:"min_tier,omitempty"`
}

// Window opens an item early to a tier and those above it (R3's
// tier-priority windows: higher tiers redeem first).
type Window = ladder.Window

// Variant is one redeemable form of an item (a size and colour), with its
// stock from the ledger.
type Variant struct {
	ID       int64  `json:"-"`
	PublicID string `json:"id"`
	Label    string `json:"label" doc:"Empty for an item without variants."`
	Stock    int64  `json:"stock"`
	Redeemed int64  `json:"redeemed"`
	account  int64
}

// Item is a catalog item.
type Item struct {
	ID             int64           `json:"-"`
	PublicID       string          `json:"id"`
	Kind           Kind            `json:"kind"`
	Title          string          `json:"title"`
	Description    string          `json:"description,omitempty"`
	Points         int64           `json:"points"`
	UnitCost       int64           `json:"unit_cost" doc:"In fen, spent on the budget line at each redemption."`
	BudgetLine     string          `json:"budget_line,omitempty"`
	PerMemberLimit int             `json:"per_member_limit" doc:"0: no limit."`
	Eligibility    ItemEligibility `json:"eligibility"`
	Windows        []Window        `json:"windows"`
	Event          string          `json:"event,omitempty" doc:"event_seat: the event whose seat a redemption takes."`
	OpensAt        time.Time       `json:"opens_at,omitzero" doc:"When everyone may redeem; windows open earlier for their tiers."`
	Status         string          `json:"status" enum:"active,archived"`
	Variants       []Variant       `json:"variants"`
	CodesFree      int64           `json:"codes_free,omitempty" doc:"Coupons: codes not yet given out."`
	CreatedAt      time.Time       `json:"created_at"`
}

// Stock is the item's stock over its variants.
func (it Item) Stock() int64 {
	var n int64
	for _, v := range it.Variants {
		n += v.Stock
	}
	return n
}

// VariantInput is a variant as written, with the stock to add.
type VariantInput struct {
	Label string `json:"label" maxLength:"60"`
	Stock int64  `json:"stock" minimum:"0" doc:"Units to put in stock (coupons: codes are imported instead)."`
}

// ItemInput is an item as written.
type ItemInput struct {
	Kind           Kind            `json:"kind" enum:"virtual,coupon,merchandise,product_use,event_seat,experience"`
	Title          string          `json:"title" maxLength:"200"`
	Description    string          `json:"description,omitempty" maxLength:"4000"`
	Points         int64           `json:"points" minimum:"0"`
	UnitCost       int64           `json:"unit_cost,omitempty" minimum:"0"`
	BudgetLine     string          `json:"budget_line,omitempty" maxLength:"100"`
	PerMemberLimit int             `json:"per_member_limit,omitempty" minimum:"0"`
	Eligibility    ItemEligibility `json:"eligibility,omitempty"`
	Windows        []Window        `json:"windows,omitempty" maxItems:"20"`
	Event          string          `json:"event,omitempty" maxLength:"64" doc:"event_seat: the event (seats by reward) whose seat a redemption takes, in the same change."`
	OpensAt        time.Time       `json:"opens_at,omitzero"`
	Variants       []VariantInput  `json:"variants,omitempty" maxItems:"100" doc:"Merchandise: sizes and colours; others take one unnamed variant."`
}

// Limits on an item.
const (
	MaxPoints = 100_000_000
	MaxStock  = 1_000_000
)

func (in *ItemInput) check(ladders []ladder.Ladder) error {
	var f fault.Fields
	in.Title, in.Description, in.BudgetLine = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description), strings.TrimSpace(in.BudgetLine)
	ok := false
	for _, k := range Kinds {
		ok = ok || k == in.Kind
	}
	if !ok {
		f.OneOf("kind", fault.Names(Kinds))
	}
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		f.Length("title", 1, 200)
	}
	if len([]rune(in.Description)) > 4000 {
		f.MaxLength("description", 4000)
	}
	if in.Points < 0 || in.Points > MaxPoints {
		f.Range("points", 0, MaxPoints)
	}
	if in.UnitCost < 0 || in.UnitCost > budget.MaxAmount {
		f.Range("unit_cost", 0, budget.MaxAmount)
	}
	if in.UnitCost > 0 && in.BudgetLine == "" {
		f.Add("budget_line", "catalog.budget_line_required", "is required for an item with a unit cost")
	}
	if in.PerMemberLimit < 0 || in.PerMemberLimit > 1000 {
		f.Range("per_member_limit", 0, 1000)
	}
	if (in.Eligibility.Ladder != "" || in.Eligibility.MinTier != "") && !ladder.HasTier(ladders, in.Eligibility.Ladder, in.Eligibility.MinTier) {
		f.Add("eligibility.min_tier", "catalog.tier_unknown", "names no tier of the program's ladders")
	}
	ladder.CheckWindows(&f, ladders, in.Windows, in.OpensAt)
	in.Event = strings.TrimSpace(in.Event)
	if in.Event != "" && in.Kind != EventSeat {
		f.Add("event", "catalog.event_kind", "only an event_seat item names an event")
	}
	if in.Kind != Merchandise && len(in.Variants) > 1 {
		f.Add("variants", "catalog.variants_merchandise", "only merchandise has several variants")
	}
	if len(in.Variants) > 100 {
		f.MaxItems("variants", 100)
	}
	seen := map[string]bool{}
	for i := range in.Variants {
		v := &in.Variants[i]
		v.Label = strings.TrimSpace(v.Label)
		if len([]rune(v.Label)) > 60 {
			f.MaxLength(fmt.Sprintf("variants[%d].label", i), 60)
		}
		if seen[v.Label] {
			f.Add(fmt.Sprintf("variants[%d].label", i), "catalog.variant_taken", "another variant has this label")
		}
		seen[v.Label] = true
		if v.Stock < 0 || v.Stock > MaxStock {
			f.Range(fmt.Sprintf("variants[%d].stock", i), 0, MaxStock)
		}
		if in.Kind == Coupon && v.Stock != 0 {
			f.Add(fmt.Sprintf("variants[%d].stock", i), "catalog.coupon_stock", "a coupon's stock is its codes: import them")
		}
	}
	if len(in.Variants) == 0 {
		in.Variants = []VariantInput{{}}
	}
	return f.Err()
}

// Service keeps the catalog and redemptions.
type Service struct {
	DB      *db.DB
	Ledger  *ledger.Ledger
	Members *member.Service
	// Seats gives the seat an event_seat item names (the event package).
	Seats SeatGiver
}

// SeatGiver is what the catalog asks of events: whether an event may be
// named, and a seat at it for a member, inside the redemption's change
// (refused whole when the event is full).
type SeatGiver interface {
	CheckSeatEventTx(ctx context.Context, tx *db.Tx, programID int64, eventRef string) error
	GiveSeatTx(ctx context.Context, tx *db.Tx, sc program.Scope, eventRef string, memberID int64) (ticket string, err error)
}

func stockSource(programID int64) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: "stock", Code: "stock_source"}
}

func stockAccount(programID int64, variant string) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: "stock", Code: "item_stock", Ref: "variant:" + variant, Limit: ledger.DebitsMustNotExceedCredits}
}

func stockOut(programID int64, variant string) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: "stock", Code: "item_redeemed", Ref: "variant:" + variant}
}

const itemCols = `id, public_id, kind, title, description, points, unit_cost, budget_line, per_member_limit, eligibility, windows, opens_at, event, status, created_at`

func scanItem(s interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var elig, windows string
	var opens, created int64
	err := s.Scan(&it.ID, &it.PublicID, &it.Kind, &it.Title, &it.Description, &it.Points, &it.UnitCost, &it.BudgetLine, &it.PerMemberLimit,
		&elig, &windows, &opens, &it.Event, &it.Status, &created)
	if err != nil {
		return it, err
	}
	_ = json.Unmarshal([]byte(elig), &it.Eligibility)
	_ = json.Unmarshal([]byte(windows), &it.Windows)
	if it.Windows == nil {
		it.Windows = []Window{}
	}
	if opens > 0 {
		it.OpensAt = time.UnixMicro(opens).UTC()
	}
	it.CreatedAt = time.UnixMicro(created).UTC()
	return it, nil
}

// checkEvent says an event_seat item's event may be named.
func (s *Service) checkEvent(ctx context.Context, tx *db.Tx, programID int64, ref string) error {
	if ref == "" {
		return nil
	}
	if s.Seats == nil {
		return fault.Field("event", "catalog.event_unknown", "names no event of the program")
	}
	return s.Seats.CheckSeatEventTx(ctx, tx, programID, ref)
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// Create adds an item with its variants and their first stock.
func (s *Service) Create(ctx context.Context, sc program.Scope, in ItemInput) (Item, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Item{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		ladders, err := ladder.LoadTx(ctx, tx, sc.Program.ID)
		if err != nil {
			return "", err
		}
		if err := in.check(ladders); err != nil {
			return "", err
		}
		if err := s.checkEvent(ctx, tx, sc.Program.ID, in.Event); err != nil {
			return "", err
		}
		if in.BudgetLine != "" {
			if _, err := budget.CheckLineTx(ctx, tx, sc.Program.ID, in.BudgetLine, "budget_line"); err != nil {
				return "", err
			}
		}
		elig, _ := json.Marshal(in.Eligibility)
		windows, _ := json.Marshal(in.Windows)
		if in.Windows == nil {
			windows = []byte("[]")
		}
		ref := pubid.New("itm")
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO catalog_items (program_id, public_id, kind, title, description, points, unit_cost, budget_line,
			per_member_limit, eligibility, windows, opens_at, event, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
			RETURNING id`, sc.Program.ID, ref, string(in.Kind), in.Title, in.Description, in.Points, in.UnitCost, in.BudgetLine, in.PerMemberLimit,
			string(elig), string(windows), micros(in.OpensAt), in.Event, tx.Now.UnixMicro()).Scan(&id); err != nil {
			return "", err
		}
		for _, v := range in.Variants {
			if _, err := s.addVariant(ctx, tx, sc.Program.ID, id, ref, v); err != nil {
				return "", err
			}
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "catalog.create", ObjectKind: "catalog_item", ObjectID: ref, After: in})
	})
	if err != nil {
		return Item{}, err
	}
	return s.Get(ctx, sc, ref)
}

func (s *Service) addVariant(ctx context.Context, tx *db.Tx, programID, itemID int64, itemRef string, v VariantInput) (string, error) {
	ref := pubid.New("var")
	acc, err := ledger.OpenAccountTx(ctx, tx, stockAccount(programID, ref))
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_variants (program_id, item_id, public_id, label, stock_account_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, programID, itemID, ref, v.Label, acc.ID, tx.Now.UnixMicro()); err != nil {
		if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
			return "", fault.Field("label", "catalog.variant_taken", "another variant has this label")
		}
		return "", err
	}
	if v.Stock > 0 {
		if err := s.restockTx(ctx, tx, programID, ref, v.Stock, "stock:"+ref+":first"); err != nil {
			return "", err
		}
	}
	return ref, nil
}

func (s *Service) restockTx(ctx context.Context, tx *db.Tx, programID int64, variant string, n int64, clientID string) error {
	src, err := ledger.OpenAccountTx(ctx, tx, stockSource(programID))
	if err != nil {
		return err
	}
	to, err := ledger.OpenAccountTx(ctx, tx, stockAccount(programID, variant))
	if err != nil {
		return err
	}
	tr := ledger.Transfer{ClientID: clientID, DebitAccountID: src.ID, CreditAccountID: to.ID, Amount: n, Code: "restock", Ref: "variant:" + variant}
	if n < 0 {
		tr.DebitAccountID, tr.CreditAccountID, tr.Amount, tr.Code = to.ID, src.ID, -n, "unstock"
	}
	rs, err := s.Ledger.ApplyTx(ctx, tx, programID, []ledger.Transfer{tr})
	if err != nil {
		return err
	}
	if rs[0].Code == ledger.ExceedsCredits {
		return fault.Field("stock", "catalog.below_zero", "takes more than is in stock")
	}
	return rs[0].Err()
}

func lockItem(ctx context.Context, tx *db.Tx, programID int64, ref string) (Item, error) {
	it, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemCols+` FROM catalog_items WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(), programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, notFound(ref)
	}
	return it, err
}

func notFound(ref string) error {
	return fault.New(fault.NotFound, "catalog.not_found", "no catalog item {item}", fault.P{"item": ref})
}

// Update rewrites an item's description, price, cost, limits and windows;
// variants are added with AddVariant and stocked with Restock.
func (s *Service) Update(ctx context.Context, sc program.Scope, ref string, in ItemInput) (Item, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Item{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := lockItem(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		in.Variants = nil
		ladders, err := ladder.LoadTx(ctx, tx, sc.Program.ID)
		if err != nil {
			return err
		}
		if err := in.check(ladders); err != nil {
			return err
		}
		if in.Kind != before.Kind {
			return fault.Field("kind", "catalog.kind_fixed", "cannot change once the item exists")
		}
		if err := s.checkEvent(ctx, tx, sc.Program.ID, in.Event); err != nil {
			return err
		}
		if in.BudgetLine != "" && in.BudgetLine != before.BudgetLine {
			if _, err := budget.CheckLineTx(ctx, tx, sc.Program.ID, in.BudgetLine, "budget_line"); err != nil {
				return err
			}
		}
		elig, _ := json.Marshal(in.Eligibility)
		windows, _ := json.Marshal(in.Windows)
		if in.Windows == nil {
			windows = []byte("[]")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE catalog_items SET title = $2, description = $3, points = $4, unit_cost = $5, budget_line = $6,
			per_member_limit = $7, eligibility = $8, windows = $9, opens_at = $10, event = $12, updated_at = $11 WHERE id = $1`, before.ID, in.Title, in.Description,
			in.Points, in.UnitCost, in.BudgetLine, in.PerMemberLimit, string(elig), string(windows), micros(in.OpensAt), tx.Now.UnixMicro(), in.Event); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "catalog.update", ObjectKind: "catalog_item", ObjectID: ref,
			Before: before, After: in})
	})
	if err != nil {
		return Item{}, err
	}
	return s.Get(ctx, sc, ref)
}

// SetStatus archives an item (members no longer see it) or brings it back.
func (s *Service) SetStatus(ctx context.Context, sc program.Scope, ref, status string) (Item, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Item{}, err
	}
	if status != "active" && status != "archived" {
		var f fault.Fields
		f.OneOf("status", []string{"active", "archived"})
		return Item{}, f.Err()
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := lockItem(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE catalog_items SET status = $2, updated_at = $3 WHERE id = $1`, before.ID, status, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "catalog.status", ObjectKind: "catalog_item", ObjectID: ref,
			Before: map[string]any{"status": before.Status}, After: map[string]any{"status": status}})
	})
	if err != nil {
		return Item{}, err
	}
	return s.Get(ctx, sc, ref)
}

// AddVariant adds a variant (a size, a colour) to merchandise.
func (s *Service) AddVariant(ctx context.Context, sc program.Scope, ref string, v VariantInput) (Item, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Item{}, err
	}
	v.Label = strings.TrimSpace(v.Label)
	var f fault.Fields
	if v.Label == "" || len([]rune(v.Label)) > 60 {
		f.Length("label", 1, 60)
	}
	if v.Stock < 0 || v.Stock > MaxStock {
		f.Range("stock", 0, MaxStock)
	}
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		it, err := lockItem(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		if it.Kind != Merchandise {
			return fault.Field("label", "catalog.variants_merchandise", "only merchandise has several variants")
		}
		vref, err := s.addVariant(ctx, tx, sc.Program.ID, it.ID, it.PublicID, v)
		if err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "catalog.variant_add", ObjectKind: "catalog_item", ObjectID: ref,
			After: map[string]any{"variant": vref, "label": v.Label, "stock": v.Stock}})
	})
	if err != nil {
		return Item{}, err
	}
	return s.Get(ctx, sc, ref)
}

// Restock adds units to a variant's stock (or, negative, takes unredeemed
// units out: lost, damaged); coupons are stocked by importing codes.
func (s *Service) Restock(ctx context.Context, sc program.Scope, ref, variant string, n int64, reason string) (Item, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Item{}, err
	}
	reason = strings.TrimSpace(reason)
	var f fault.Fields
	if n == 0 || n > MaxStock || n < -MaxStock {
		f.Add("stock", "catalog.restock", "must be a number of units other than 0, at most 1,000,000 either way")
	}
	if len([]rune(reason)) > 500 {
		f.MaxLength("reason", 500)
	}
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		it, err := lockItem(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		if it.Kind == Coupon {
			return fault.Field("stock", "catalog.coupon_stock", "a coupon's stock is its codes: import them")
		}
		v, err := variantOf(ctx, tx, it, variant)
		if err != nil {
			return err
		}
		if err := s.restockTx(ctx, tx, sc.Program.ID, v.PublicID, n, fmt.Sprintf("stock:%s:%d", v.PublicID, tx.Now.UnixMicro())); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "catalog.restock", ObjectKind: "catalog_item", ObjectID: ref,
			After: map[string]any{"variant": v.PublicID, "units": n, "reason": reason}})
	})
	if err != nil {
		return Item{}, err
	}
	return s.Get(ctx, sc, ref)
}

// variantOf finds an item's variant by id; "" is the item's only one.
func variantOf(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, it Item, ref string) (Variant, error) {
	var v Variant
	var err error
	if ref == "" {
		err = q.QueryRowContext(ctx, `SELECT id, public_id, label, stock_account_id FROM catalog_variants WHERE item_id = $1 ORDER BY id LIMIT 1`,
			it.ID).Scan(&v.ID, &v.PublicID, &v.Label, &v.account)
	} else {
		err = q.QueryRowContext(ctx, `SELECT id, public_id, label, stock_account_id FROM catalog_variants WHERE item_id = $1 AND public_id = $2`,
			it.ID, ref).Scan(&v.ID, &v.PublicID, &v.Label, &v.account)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Variant{}, fault.Field("variant", "catalog.variant_unknown", "is not a variant of this item")
	}
	return v, err
}

// withVariants fills items' variants and stock: two reads however many items.
func (s *Service) withVariants(ctx context.Context, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	at := map[int64]int{}
	for i, it := range items {
		ids[i] = it.ID
		at[it.ID] = i
		items[i].Variants = []Variant{}
	}
	in, args, _ := db.In(s.DB.Engine, "v.item_id", 1, ids)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT v.item_id, v.id, v.public_id, v.label, v.stock_account_id, a.credits_posted - a.debits_posted,
		a.debits_posted FROM catalog_variants v JOIN ledger_accounts a ON a.id = v.stock_account_id WHERE `+in+` ORDER BY v.id`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var item int64
		var v Variant
		if err := rows.Scan(&item, &v.ID, &v.PublicID, &v.Label, &v.account, &v.Stock, &v.Redeemed); err != nil {
			rows.Close()
			return err
		}
		items[at[item]].Variants = append(items[at[item]].Variants, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	in, args, _ = db.In(s.DB.Engine, "item_id", 1, ids)
	rows, err = s.DB.R.QueryContext(ctx, `SELECT item_id, COUNT(*) FROM coupon_codes WHERE redemption_id IS NULL AND `+in+` GROUP BY item_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var item, n int64
		if err := rows.Scan(&item, &n); err != nil {
			return err
		}
		items[at[item]].CodesFree = n
	}
	return rows.Err()
}

// Get returns an item; members see active items only.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Item, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return Item{}, err
	}
	it, err := scanItem(s.DB.R.QueryRowContext(ctx, `SELECT `+itemCols+` FROM catalog_items WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && it.Status != "active" && !program.Can(sc.Role, program.PermRewardsRead)) {
		return Item{}, notFound(ref)
	}
	if err != nil {
		return Item{}, err
	}
	items := []Item{it}
	if err := s.withVariants(ctx, items); err != nil {
		return Item{}, err
	}
	return items[0], nil
}

// Filter narrows the catalog.
type Filter struct {
	Kind   Kind
	Status string // operators: active (the default) or archived
	Before int64
	Limit  int
}

// List lists items, newest first; members see active items.
func (s *Service) List(ctx context.Context, sc program.Scope, f Filter) ([]Item, int64, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	status := "active"
	if f.Status != "" && program.Can(sc.Role, program.PermRewardsRead) {
		status = f.Status
	}
	w := db.Where("program_id = $1", sc.Program.ID).Add("status = $?", status)
	if f.Kind != "" {
		w.Add("kind = $?", string(f.Kind))
	}
	if f.Before > 0 {
		w.Add("id < $?", f.Before)
	}
	where, args := w.Page("id DESC", f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+itemCols+` FROM catalog_items`+where, args...)
	items, err := db.Collect(rows, err, scanItem)
	if err != nil {
		return nil, 0, err
	}
	items, next := db.TrimPage(items, f.Limit, func(it Item) int64 { return it.ID })
	return items, next, s.withVariants(ctx, items)
}
