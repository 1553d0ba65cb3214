package catalog

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/notify"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Status is where a redemption is.
type Status string

const (
	Ordered   Status = "ordered"   // waiting to be shipped or fulfilled
	Fulfilled Status = "fulfilled" // the member has it (a code, a virtual reward, the experience)
	Shipped   Status = "shipped"
	Delivered Status = "delivered"
	Returned  Status = "returned" // sent back after delivery: recorded, nothing refunded
	Cancelled Status = "cancelled"
)

// Statuses in the order a list's filter shows them.
var Statuses = []Status{Ordered, Fulfilled, Shipped, Delivered, Returned, Cancelled}

// Address is where merchandise goes.
type Address struct {
	Name    string `json:"name" maxLength:"100"`
	Phone   string `json:"phone" maxLength:"30"`
	Address string `json:"address" maxLength:"500"`
}

// check names each bad field under prefix ("address." inside a
// redemption, "" on its own).
func (a *Address) check(f *fault.Fields, prefix string) {
	a.Name, a.Phone, a.Address = strings.TrimSpace(a.Name), strings.TrimSpace(a.Phone), strings.TrimSpace(a.Address)
	if a.Name == "" || len([]rune(a.Name)) > 100 {
		f.Length(prefix+"name", 1, 100)
	}
	if len(a.Phone) < 5 || len(a.Phone) > 30 {
		f.Add(prefix+"phone", "catalog.phone", "must be a phone number")
	}
	if a.Address == "" || len([]rune(a.Address)) > 500 {
		f.Length(prefix+"address", 1, 500)
	}
}

// Redemption is a member's redemption of an item.
type Redemption struct {
	ID           int64     `json:"-"`
	PublicID     string    `json:"id"`
	Item         string    `json:"item"`
	ItemTitle    string    `json:"item_title"`
	Kind         Kind      `json:"kind"`
	Variant      string    `json:"variant"`
	VariantLabel string    `json:"variant_label,omitempty"`
	Member       string    `json:"member"`
	MemberName   string    `json:"member_name"`
	Points       int64     `json:"points"`
	UnitCost     int64     `json:"unit_cost"`
	Status       Status    `json:"status"`
	Code         string    `json:"code,omitempty" doc:"The coupon code given out."`
	Address      *Address  `json:"address,omitempty"`
	Carrier      string    `json:"carrier,omitempty"`
	Tracking     string    `json:"tracking,omitempty"`
	Note         string    `json:"note,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	budgetLine   string
	memberID     int64
}

// Cancellable says the redemption may still be cancelled, and everything
// returned: it is waiting to be shipped or fulfilled.
func (r Redemption) Cancellable() bool { return r.Status == Ordered }

// RedeemInput asks to redeem.
type RedeemInput struct {
	Item    string   `json:"item"`
	Variant string   `json:"variant,omitempty" doc:"Required when the item has several."`
	Member  string   `json:"member,omitempty" doc:"Operators: whom for; members redeem for themselves."`
	Address *Address `json:"address,omitempty" doc:"Required for merchandise."`
}

const redemptionCols = `r.id, r.public_id, i.public_id, i.title, i.kind, v.public_id, v.label, m.public_id, m.name, r.points, r.unit_cost, r.status,
	r.code, r.ship_name, r.ship_phone, r.ship_address, r.carrier, r.tracking, r.note, r.created_at, r.updated_at, r.budget_line, r.member_id`

const redemptionFrom = ` FROM redemptions r JOIN catalog_items i ON i.id = r.item_id JOIN catalog_variants v ON v.id = r.variant_id
	JOIN members m ON m.id = r.member_id`

func scanRedemption(s interface{ Scan(...any) error }) (Redemption, error) {
	var r Redemption
	var a Address
	var created, updated int64
	err := s.Scan(&r.ID, &r.PublicID, &r.Item, &r.ItemTitle, &r.Kind, &r.Variant, &r.VariantLabel, &r.Member, &r.MemberName, &r.Points,
		&r.UnitCost, &r.Status, &r.Code, &a.Name, &a.Phone, &a.Address, &r.Carrier, &r.Tracking, &r.Note, &created, &updated, &r.budgetLine, &r.memberID)
	if a.Address != "" {
		r.Address = &a
	}
	r.CreatedAt, r.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return r, err
}

// refusal says why the member may not redeem the item now, or nil: the one
// rule Redeem and the member's shelf share. used is how many the member
// has redeemed (not cancelled).
func refusal(ctx context.Context, r *ladder.Ranks, it Item, used int) (*fault.Error, time.Time, error) {
	if it.Status != "active" {
		return fault.New(fault.Conflict, "catalog.archived", "the item is no longer offered"), time.Time{}, nil
	}
	if e := it.Eligibility; e.Ladder != "" {
		ok, err := r.AtLeast(ctx, e.Ladder, e.MinTier)
		if err != nil {
			return nil, time.Time{}, err
		}
		if !ok {
			return fault.New(fault.Forbidden, "catalog.tier", "the item is for members at {tier} or above", fault.P{"tier": e.MinTier}), time.Time{}, nil
		}
	}
	opens, err := ladder.OpensFor(ctx, r, it.Windows, it.OpensAt)
	if err != nil {
		return nil, time.Time{}, err
	}
	if !opens.IsZero() && r.Now().Before(opens) {
		return fault.New(fault.Conflict, "catalog.not_open", "you may redeem it from {opens_at}", fault.P{"opens_at": opens.UTC().Format(time.RFC3339)}), opens, nil
	}
	if it.PerMemberLimit > 0 && used >= it.PerMemberLimit {
		return fault.New(fault.LimitExceeded, "catalog.member_limit", "each member may redeem it {limit} times", fault.P{"limit": it.PerMemberLimit}), opens, nil
	}
	return nil, opens, nil
}

func usedTx(ctx context.Context, tx *db.Tx, memberID, itemID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM redemptions WHERE member_id = $1 AND item_id = $2 AND status <> 'cancelled'`, memberID, itemID).Scan(&n)
	return n, err
}

// Redeem redeems an item for a member: points out of their balance, one
// unit of stock, a coupon code given out, and the unit cost spent on the
// budget line, all in one linked ledger chain and one transaction, or
// nothing. However many redeem at once, no stock, points or budget passes
// its limit, and no code is given twice.
func (s *Service) Redeem(ctx context.Context, sc program.Scope, in RedeemInput) (Redemption, error) {
	memberRef := in.Member
	if sc.Actor.Kind == program.ActorMember {
		memberRef = sc.Actor.PublicID
	} else if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Redemption{}, err
	} else if strings.TrimSpace(memberRef) == "" {
		return Redemption{}, fault.Field("member", "required", "is required")
	}
	var f fault.Fields
	if strings.TrimSpace(in.Item) == "" {
		f.Required("item")
	}
	if in.Address != nil {
		in.Address.check(&f, "address.")
	}
	if err := f.Err(); err != nil {
		return Redemption{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) { return s.redeemTx(ctx, tx, sc, memberRef, in, false) })
	if err != nil {
		return Redemption{}, err
	}
	return s.Redemption(ctx, sc, ref)
}

// GiftTx gives a member an item inside tx, as a prize or a kit: no points
// are taken and no tier window or limit applies, but the item's stock, code
// and unit cost on its budget line move as in any redemption, and it ships
// like one, once it has an address (SetAddress). Operators who may write
// rewards only.
func (s *Service) GiftTx(ctx context.Context, tx *db.Tx, sc program.Scope, in RedeemInput) (string, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return "", err
	}
	var f fault.Fields
	if strings.TrimSpace(in.Member) == "" {
		f.Required("member")
	}
	if strings.TrimSpace(in.Item) == "" {
		f.Required("item")
	}
	if in.Address != nil {
		in.Address.check(&f, "address.")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	return s.redeemTx(ctx, tx, sc, in.Member, in, true)
}

func (s *Service) redeemTx(ctx context.Context, tx *db.Tx, sc program.Scope, memberRef string, in RedeemInput, gift bool) (string, error) {
	{
		// The member's row is their lock: one redemption of theirs at a
		// time, so that a per-member limit holds under any concurrency.
		var memberID int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM members WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(), sc.Program.ID,
			memberRef).Scan(&memberID, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return "", fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": memberRef})
		}
		if err != nil {
			return "", err
		}
		if status != "active" {
			return "", fault.New(fault.Conflict, "catalog.member_inactive", "only an active member may redeem (the member is {status})", fault.P{"status": status})
		}
		it, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemCols+` FROM catalog_items WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, in.Item))
		if errors.Is(err, sql.ErrNoRows) {
			return "", notFound(in.Item)
		}
		if err != nil {
			return "", err
		}
		action := "redemption.create"
		if gift {
			it.Points, action = 0, "redemption.gift"
			if it.Status != "active" {
				return "", fault.New(fault.Conflict, "catalog.archived", "the item is no longer offered")
			}
		} else {
			used, err := usedTx(ctx, tx, memberID, it.ID)
			if err != nil {
				return "", err
			}
			why, _, err := refusal(ctx, ladder.NewRanks(tx, sc.Program.ID, memberID), it, used)
			if err != nil {
				return "", err
			}
			if why != nil {
				return "", why
			}
		}
		// A gift may be given before anyone knows where to send it (a kit):
		// the address is then required before it ships.
		if it.Kind.Shipped() && in.Address == nil && !gift {
			return "", fault.Field("address", "catalog.address_required", "is required: the item is shipped")
		}
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM catalog_variants WHERE item_id = $1`, it.ID).Scan(&count); err != nil {
			return "", err
		}
		if in.Variant == "" && count > 1 {
			return "", fault.Field("variant", "catalog.variant_required", "choose one of the item's variants")
		}
		v, err := variantOf(ctx, tx, it, in.Variant)
		if err != nil {
			return "", err
		}
		ref := pubid.New("rdm")
		chain, err := s.chain(ctx, tx, sc.Program.ID, it, v, memberRef, ref)
		if err != nil {
			return "", err
		}
		rs, err := s.Ledger.ApplyTx(ctx, tx, sc.Program.ID, chain.transfers)
		if err != nil {
			return "", err
		}
		for i, r := range rs {
			if r.Code == ledger.OK || r.Code == ledger.LinkedEventFailed {
				continue
			}
			return "", chain.refuse(ctx, tx, i, r)
		}
		st := Ordered
		seated := it.Kind == EventSeat && it.Event != ""
		if it.Kind.instant() || seated {
			st = Fulfilled
		}
		var a Address
		if in.Address != nil && it.Kind.Shipped() {
			a = *in.Address
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO redemptions (program_id, public_id, item_id, variant_id, member_id, points, unit_cost, budget_line,
			status, ship_name, ship_phone, ship_address, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
			RETURNING id`, sc.Program.ID, ref, it.ID, v.ID, memberID, it.Points, it.UnitCost, it.BudgetLine, string(st), a.Name, a.Phone, a.Address,
			tx.Now.UnixMicro()).Scan(&id); err != nil {
			return "", err
		}
		if it.Kind == Coupon {
			if err := giveCode(ctx, tx, it.ID, id); err != nil {
				return "", err
			}
		}
		if seated {
			// The seat is taken in this change: a full event refuses the
			// redemption whole, points and stock included.
			ticket, err := s.Seats.GiveSeatTx(ctx, tx, sc, it.Event, memberID)
			if err != nil {
				return "", err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE redemptions SET code = $2 WHERE id = $1`, id, ticket); err != nil {
				return "", err
			}
		}
		if it.Points > 0 {
			if err := points.TakeTx(ctx, tx, memberID, chain.pointsID, it.Points); err != nil {
				return "", err
			}
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: action, ObjectKind: "redemption", ObjectID: ref,
			After: map[string]any{"item": it.PublicID, "variant": v.PublicID, "member": memberRef, "points": it.Points, "unit_cost": it.UnitCost}})
	}
}

// chain is a redemption's linked transfers and how to name the one that
// failed.
type chain struct {
	transfers []ledger.Transfer
	parts     []string // "points", "stock", "budget", one a transfer
	pointsID  string
	it        Item
	memberRef string
	line      budget.BudgetLine
	programID int64
}

func (s *Service) chain(ctx context.Context, tx *db.Tx, programID int64, it Item, v Variant, memberRef, ref string) (chain, error) {
	c := chain{it: it, memberRef: memberRef, programID: programID, pointsID: "redeem:" + ref + ":points"}
	if it.Points > 0 {
		t, err := points.SpendTransfer(ctx, tx, programID, memberRef, c.pointsID, it.Points, "redeem", "redemption:"+ref)
		if err != nil {
			return c, err
		}
		c.transfers, c.parts = append(c.transfers, t), append(c.parts, "points")
	}
	out, err := ledger.OpenAccountTx(ctx, tx, stockOut(programID, v.PublicID))
	if err != nil {
		return c, err
	}
	c.transfers = append(c.transfers, ledger.Transfer{ClientID: "redeem:" + ref + ":stock", DebitAccountID: v.account, CreditAccountID: out.ID,
		Amount: 1, Code: "redeem", Ref: "redemption:" + ref})
	c.parts = append(c.parts, "stock")
	if it.UnitCost > 0 {
		t, line, err := budget.SpendTransfer(ctx, tx, programID, it.BudgetLine, "redeem:"+ref+":budget", "redemption:"+ref, it.UnitCost)
		if err != nil {
			return c, err
		}
		c.transfers, c.parts, c.line = append(c.transfers, t), append(c.parts, "budget"), line
	}
	for i := range c.transfers[:len(c.transfers)-1] {
		c.transfers[i].Linked = true
	}
	return c, nil
}

// refuse names what stopped the chain at transfer i.
func (c chain) refuse(ctx context.Context, tx *db.Tx, i int, r ledger.Result) error {
	if r.Code != ledger.ExceedsCredits {
		return r.Err()
	}
	switch c.parts[i] {
	case "points":
		have, err := points.BalanceTx(ctx, tx, c.programID, c.memberRef)
		if err != nil {
			return err
		}
		return fault.New(fault.LimitExceeded, "catalog.points_short", "the item costs {points} points; the balance is {balance}",
			fault.P{"points": c.it.Points, "balance": have})
	case "stock":
		return fault.New(fault.LimitExceeded, "catalog.out_of_stock", "{item} is out of stock", fault.P{"item": c.it.Title})
	}
	return budget.Refusal(ctx, tx, c.programID, c.line, c.it.UnitCost)
}

// giveCode gives the redemption the pool's oldest free code. The stock
// account, locked by the chain, already lets redemptions of the item in one
// at a time; SKIP LOCKED keeps even a stray second from waiting on the same
// row, and the unique index on redemption_id from ever sharing one.
func giveCode(ctx context.Context, tx *db.Tx, itemID, redemptionID int64) error {
	skip := ""
	if tx.Engine == db.Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	var codeID int64
	var code string
	err := tx.QueryRowContext(ctx, `SELECT id, code FROM coupon_codes WHERE item_id = $1 AND redemption_id IS NULL ORDER BY id LIMIT 1`+skip,
		itemID).Scan(&codeID, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.New(fault.LimitExceeded, "catalog.codes_out", "the coupon pool has no code left")
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE coupon_codes SET redemption_id = $2 WHERE id = $1 AND redemption_id IS NULL`, codeID, redemptionID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE redemptions SET code = $2 WHERE id = $1`, redemptionID, code)
	return err
}

func lockRedemption(ctx context.Context, tx *db.Tx, sc program.Scope, ref string) (Redemption, error) {
	r, err := scanRedemption(tx.QueryRowContext(ctx, `SELECT `+redemptionCols+redemptionFrom+` WHERE r.program_id = $1 AND r.public_id = $2`+
		tx.ForUpdateOf("r"), sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sc.Actor.Kind == program.ActorMember && r.Member != sc.Actor.PublicID) {
		return Redemption{}, fault.New(fault.NotFound, "catalog.redemption_not_found", "no redemption {redemption}", fault.P{"redemption": ref})
	}
	return r, err
}

// Cancel cancels a redemption not yet shipped or fulfilled: the points,
// the unit of stock and the budget spent all come back (reversing
// transfers), the points into the lots they came from. A member cancels
// their own.
func (s *Service) Cancel(ctx context.Context, sc program.Scope, ref, reason string) (Redemption, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermRewardsWrite); err != nil {
			return Redemption{}, err
		}
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 500 {
		var f fault.Fields
		f.MaxLength("reason", 500)
		return Redemption{}, f.Err()
	}
	_, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		r, err := lockRedemption(ctx, tx, sc, ref)
		if err != nil {
			return "", err
		}
		if !r.Cancellable() {
			return "", fault.New(fault.Conflict, "catalog.not_cancellable", "a redemption that is {status} cannot be cancelled", fault.P{"status": string(r.Status)})
		}
		return ref, s.refundTx(ctx, tx, sc, r, reason)
	})
	if err != nil {
		return Redemption{}, err
	}
	return s.Redemption(ctx, sc, ref)
}

// refundTx gives a redemption's points, unit of stock and budget back
// (reversing transfers), the points into the lots they came from, and
// marks it cancelled.
func (s *Service) refundTx(ctx context.Context, tx *db.Tx, sc program.Scope, r Redemption, reason string) error {
	var ts []ledger.Transfer
	if r.Points > 0 {
		ts = append(ts, ledger.Transfer{ClientID: "refund:" + r.PublicID + ":points", Reverses: "redeem:" + r.PublicID + ":points", Code: "redeem_refund", Ref: "redemption:" + r.PublicID})
	}
	ts = append(ts, ledger.Transfer{ClientID: "refund:" + r.PublicID + ":stock", Reverses: "redeem:" + r.PublicID + ":stock", Code: "redeem_refund", Ref: "redemption:" + r.PublicID})
	if r.UnitCost > 0 {
		ts = append(ts, ledger.Transfer{ClientID: "refund:" + r.PublicID + ":budget", Reverses: "redeem:" + r.PublicID + ":budget", Code: "redeem_refund", Ref: "redemption:" + r.PublicID})
	}
	for i := range ts[:len(ts)-1] {
		ts[i].Linked = true
	}
	rs, err := s.Ledger.ApplyTx(ctx, tx, sc.Program.ID, ts)
	if err != nil {
		return err
	}
	for _, res := range rs {
		if err := res.Err(); err != nil {
			return err
		}
	}
	if err := points.RestoreTx(ctx, tx, "redeem:"+r.PublicID+":points"); err != nil {
		return err
	}
	return s.setStatus(ctx, tx, sc, r, Cancelled, map[string]any{"reason": reason}, `note = $4`, reason)
}

// RefundSeatTx refunds the redemption whose code is the ticket of a seat
// given up or called off (a VIP seat from the catalog), inside that
// change; a seat no redemption gave is left alone.
func (s *Service) RefundSeatTx(ctx context.Context, tx *db.Tx, sc program.Scope, ticket, reason string) error {
	var ref string
	err := tx.QueryRowContext(ctx, `SELECT r.public_id FROM redemptions r JOIN catalog_items i ON i.id = r.item_id
		WHERE r.program_id = $1 AND r.code = $2 AND i.kind = 'event_seat' AND r.status = 'fulfilled'`, sc.Program.ID, ticket).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	r, err := lockRedemption(ctx, tx, sc, ref)
	if err != nil {
		return err
	}
	return s.refundTx(ctx, tx, sc, r, reason)
}

func (s *Service) setStatus(ctx context.Context, tx *db.Tx, sc program.Scope, r Redemption, to Status, audit map[string]any, set string, args ...any) error {
	q := `UPDATE redemptions SET status = $2, updated_at = $3`
	if set != "" {
		q += ", " + set
	}
	if _, err := tx.ExecContext(ctx, q+` WHERE id = $1`, append([]any{r.ID, string(to), tx.Now.UnixMicro()}, args...)...); err != nil {
		return err
	}
	audit["status"] = to
	if to == Shipped {
		if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.RedemptionShip, MemberID: r.memberID, Subject: r.PublicID,
			Params: map[string]any{"item": r.ItemTitle, "carrier": audit["carrier"], "tracking": audit["tracking"]}}); err != nil {
			return err
		}
	}
	return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "redemption." + string(to), ObjectKind: "redemption",
		ObjectID: r.PublicID, Before: map[string]any{"status": r.Status}, After: audit})
}

// Shipment is an operator's update of a redemption's progress.
type Shipment struct {
	Status   Status `json:"status" enum:"shipped,delivered,returned,fulfilled"`
	Carrier  string `json:"carrier,omitempty" maxLength:"60"`
	Tracking string `json:"tracking,omitempty" maxLength:"60"`
	Note     string `json:"note,omitempty" maxLength:"500"`
}

// next says which statuses follow which: merchandise is shipped, delivered
// and perhaps returned; other waiting kinds are fulfilled.
func next(k Kind, from, to Status) bool {
	if k.Shipped() {
		return (from == Ordered && to == Shipped) || (from == Shipped && to == Delivered) || (from == Delivered && to == Returned)
	}
	return from == Ordered && to == Fulfilled && !k.instant()
}

// Steps are the statuses an operator may move the redemption to next.
func (r Redemption) Steps() []Status {
	var out []Status
	for _, to := range []Status{Shipped, Delivered, Returned, Fulfilled} {
		if next(r.Kind, r.Status, to) {
			out = append(out, to)
		}
	}
	return out
}

// Advance moves a redemption on: shipped (with carrier and tracking
// number), delivered, returned (recorded, nothing refunded) or fulfilled.
func (s *Service) Advance(ctx context.Context, sc program.Scope, ref string, in Shipment) (Redemption, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Redemption{}, err
	}
	in.Carrier, in.Tracking, in.Note = strings.TrimSpace(in.Carrier), strings.TrimSpace(in.Tracking), strings.TrimSpace(in.Note)
	var f fault.Fields
	if in.Status == Shipped && (in.Carrier == "" || in.Tracking == "") {
		if in.Carrier == "" {
			f.Required("carrier")
		}
		if in.Tracking == "" {
			f.Required("tracking")
		}
	}
	if len([]rune(in.Carrier)) > 60 {
		f.MaxLength("carrier", 60)
	}
	if len([]rune(in.Tracking)) > 60 {
		f.MaxLength("tracking", 60)
	}
	if len([]rune(in.Note)) > 500 {
		f.MaxLength("note", 500)
	}
	if err := f.Err(); err != nil {
		return Redemption{}, err
	}
	_, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		r, err := lockRedemption(ctx, tx, sc, ref)
		if err != nil {
			return "", err
		}
		if !next(r.Kind, r.Status, in.Status) {
			return "", fault.New(fault.Conflict, "catalog.status_step", "a {kind} redemption that is {from} cannot become {to}",
				fault.P{"kind": string(r.Kind), "from": string(r.Status), "to": string(in.Status)})
		}
		if in.Status == Shipped && r.Address == nil {
			return "", fault.New(fault.Conflict, "catalog.address_missing", "the redemption has no address to ship to yet")
		}
		audit := map[string]any{"note": in.Note}
		set, args := `note = $4`, []any{in.Note}
		if in.Status == Shipped {
			set, args = `note = $4, carrier = $5, tracking = $6`, append(args, in.Carrier, in.Tracking)
			audit["carrier"], audit["tracking"] = in.Carrier, in.Tracking
		}
		return ref, s.setStatus(ctx, tx, sc, r, in.Status, audit, set, args...)
	})
	if err != nil {
		return Redemption{}, err
	}
	return s.Redemption(ctx, sc, ref)
}

// SetAddress gives a redemption waiting to be shipped its address, or
// changes it: a gift given before anyone knew where to send it, or a
// member's correction. A member sets their own; operators need
// rewards.write.
func (s *Service) SetAddress(ctx context.Context, sc program.Scope, ref string, a Address) (Redemption, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermRewardsWrite); err != nil {
			return Redemption{}, err
		}
	}
	var f fault.Fields
	a.check(&f, "")
	if err := f.Err(); err != nil {
		return Redemption{}, err
	}
	_, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		r, err := lockRedemption(ctx, tx, sc, ref)
		if err != nil {
			return "", err
		}
		if !r.AddressOpen() {
			return "", fault.New(fault.Conflict, "catalog.address_fixed", "only a shipped item not yet sent takes an address")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE redemptions SET ship_name = $2, ship_phone = $3, ship_address = $4, updated_at = $5 WHERE id = $1`,
			r.ID, a.Name, a.Phone, a.Address, tx.Now.UnixMicro()); err != nil {
			return "", err
		}
		// The audit keeps that it changed, not where a member lives.
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "redemption.address", ObjectKind: "redemption",
			ObjectID: ref, Before: map[string]any{"had_address": r.Address != nil}, After: map[string]any{"had_address": true}})
	})
	if err != nil {
		return Redemption{}, err
	}
	return s.Redemption(ctx, sc, ref)
}

// AddressOpen says the redemption's address may still be given or changed:
// a shipped item not yet sent.
func (r Redemption) AddressOpen() bool { return r.Kind.Shipped() && r.Status == Ordered }

// NeedsAddress says the redemption waits for an address before it can
// ship.
func (r Redemption) NeedsAddress() bool { return AwaitsAddress(r.Kind, r.Status, r.Address != nil) }

// AwaitsAddress is NeedsAddress for a redemption read elsewhere.
func AwaitsAddress(k Kind, st Status, hasAddress bool) bool {
	return k.Shipped() && st == Ordered && !hasAddress
}

// Redemption returns one; a member reads their own.
func (s *Service) Redemption(ctx context.Context, sc program.Scope, ref string) (Redemption, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermRewardsRead); err != nil {
			return Redemption{}, err
		}
	}
	r, err := scanRedemption(s.DB.R.QueryRowContext(ctx, `SELECT `+redemptionCols+redemptionFrom+` WHERE r.program_id = $1 AND r.public_id = $2`,
		sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sc.Actor.Kind == program.ActorMember && r.Member != sc.Actor.PublicID) {
		return Redemption{}, fault.New(fault.NotFound, "catalog.redemption_not_found", "no redemption {redemption}", fault.P{"redemption": ref})
	}
	return r, err
}

// RedemptionFilter narrows a list of redemptions.
type RedemptionFilter struct {
	Member string
	Item   string
	Status Status
	Before int64
	Limit  int
}

// Redemptions lists redemptions, newest first; a member sees their own.
func (s *Service) Redemptions(ctx context.Context, sc program.Scope, f RedemptionFilter) ([]Redemption, int64, error) {
	if sc.Actor.Kind == program.ActorMember {
		f.Member = sc.Actor.PublicID
	} else if err := sc.Require(program.PermRewardsRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		var fs fault.Fields
		fs.OneOf("query.status", fault.Names(Statuses))
		return nil, 0, fs.Err()
	}
	w := db.Where("r.program_id = $1", sc.Program.ID)
	if f.Member != "" {
		w.Add("m.public_id = $?", f.Member)
	}
	if f.Item != "" {
		w.Add("i.public_id = $?", f.Item)
	}
	if f.Status != "" {
		w.Add("r.status = $?", string(f.Status))
	}
	if f.Before > 0 {
		w.Add("r.id < $?", f.Before)
	}
	where, args := w.Page("r.id DESC", f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+redemptionCols+redemptionFrom+where, args...)
	rs, err := db.Collect(rows, err, scanRedemption)
	if err != nil {
		return nil, 0, err
	}
	rs, nextID := db.TrimPage(rs, f.Limit, func(r Redemption) int64 { return r.ID })
	if rs == nil {
		rs = []Redemption{}
	}
	return rs, nextID, nil
}
