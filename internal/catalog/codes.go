package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/sheet"
)

// Limits on a file of codes.
const (
	MaxCodeBytes = 10 << 20
	MaxCodes     = 100_000
	MaxCodeLen   = 100
)

// CodeRowError is what is wrong with one row of a file of codes: the row as
// the spreadsheet numbers it, and the reason as a field error's code.
type CodeRowError struct {
	Row    int    `json:"row"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// CodeImport is the outcome of importing codes: all of them, or, when any
// row is wrong, none, with every wrong row named.
type CodeImport struct {
	Added  int            `json:"added"`
	Errors []CodeRowError `json:"errors"`
	Item   Item           `json:"item"`
}

// ImportCodes adds a file's codes (CSV or XLSX, one code a row in the first
// column, an optional heading "code" or "券码") to a coupon's pool: each
// code becomes one unit of stock. A code already in the pool, or twice in
// the file, is an error of its row, and then nothing is added.
func (s *Service) ImportCodes(ctx context.Context, sc program.Scope, ref string, format sheet.Format, data []byte) (CodeImport, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return CodeImport{}, err
	}
	if len(data) > MaxCodeBytes {
		return CodeImport{}, fault.New(fault.Invalid, "import.too_big", "the file is larger than {max} MB", fault.P{"max": MaxCodeBytes >> 20})
	}
	rows, err := sheet.Read(format, data, MaxCodes+1)
	if err != nil {
		return CodeImport{}, err
	}
	out := CodeImport{Errors: []CodeRowError{}}
	var codes []string
	at := map[string]int{}
	for i, r := range rows {
		code := ""
		if len(r) > 0 {
			code = strings.TrimSpace(sheet.Plain(r[0]))
		}
		if i == 0 && (strings.EqualFold(code, "code") || code == "券码" || code == "兑换码") {
			continue
		}
		switch {
		case code == "":
			continue
		case len(code) > MaxCodeLen:
			out.Errors = append(out.Errors, CodeRowError{Row: i + 1, Code: "catalog.code_long", Reason: fmt.Sprintf("longer than %d characters", MaxCodeLen)})
		case at[code] > 0:
			out.Errors = append(out.Errors, CodeRowError{Row: i + 1, Code: "catalog.code_twice", Reason: fmt.Sprintf("also in row %d", at[code])})
		default:
			at[code] = i + 1
			codes = append(codes, code)
		}
	}
	if len(rows) > MaxCodes+1 {
		return CodeImport{}, fault.New(fault.Invalid, "import.too_many", "the file has more than {max} rows", fault.P{"max": MaxCodes})
	}
	if len(codes) == 0 && len(out.Errors) == 0 {
		return CodeImport{}, fault.New(fault.Invalid, "catalog.no_codes", "the file holds no codes")
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		it, err := lockItem(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		if it.Kind != Coupon {
			return fault.New(fault.Conflict, "catalog.not_coupon", "only a coupon item has a pool of codes")
		}
		// Codes already in the pool are errors of their rows.
		for lo := 0; lo < len(codes); lo += 5000 {
			part := codes[lo:min(lo+5000, len(codes))]
			in, args, _ := db.In(tx.Engine, "code", 2, part)
			rs, err := tx.QueryContext(ctx, `SELECT code FROM coupon_codes WHERE item_id = $1 AND `+in, append([]any{it.ID}, args...)...)
			if err != nil {
				return err
			}
			for rs.Next() {
				var c string
				if err := rs.Scan(&c); err != nil {
					rs.Close()
					return err
				}
				out.Errors = append(out.Errors, CodeRowError{Row: at[c], Code: "catalog.code_taken", Reason: "already in the pool"})
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
		}
		if len(out.Errors) > 0 {
			return nil
		}
		for lo := 0; lo < len(codes); lo += 1000 {
			part := codes[lo:min(lo+1000, len(codes))]
			args := make([]any, 0, 4*len(part))
			for _, c := range part {
				args = append(args, sc.Program.ID, it.ID, c, tx.Now.UnixMicro())
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO coupon_codes (program_id, item_id, code, imported_at) VALUES `+
				tx.Engine.Rows(1, len(part), 4), args...); err != nil {
				return err
			}
		}
		v, err := variantOf(ctx, tx, it, "")
		if err != nil {
			return err
		}
		if err := s.restockTx(ctx, tx, sc.Program.ID, v.PublicID, int64(len(codes)), fmt.Sprintf("codes:%s:%d", v.PublicID, tx.Now.UnixMicro())); err != nil {
			return err
		}
		out.Added = len(codes)
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "catalog.codes_import", ObjectKind: "catalog_item", ObjectID: ref,
			After: map[string]any{"added": len(codes)}})
	})
	if err != nil {
		return CodeImport{}, err
	}
	if out.Item, err = s.Get(ctx, sc, ref); err != nil {
		return CodeImport{}, err
	}
	return out, nil
}

// ShelfItem is an item as one member sees it: whether they may redeem it now,
// from when, and whether their points reach.
type ShelfItem struct {
	Item
	OpensAt    time.Time    `json:"opens_for_me,omitzero" doc:"When this member may redeem (their tier's window)."`
	Affordable bool         `json:"affordable"`
	Used       int          `json:"used" doc:"How many this member has redeemed."`
	CanRedeem  bool         `json:"can_redeem"`
	Refusal    *fault.Error `json:"refusal,omitempty" doc:"Why not, when not: the same error redeeming would give."`
}

// Shelf is the active catalog as a member sees it, with their balance.
type Shelf struct {
	Balance int64       `json:"balance"`
	Offers  []ShelfItem `json:"offers"`
}

// Shelf lists the active catalog for a member, each item with whether and
// from when they may redeem it: the rules Redeem applies, read once.
func (s *Service) Shelf(ctx context.Context, sc program.Scope, memberRef string, kind Kind) (Shelf, error) {
	if sc.Actor.Kind == program.ActorMember {
		memberRef = sc.Actor.PublicID
	} else if err := sc.Require(program.PermRewardsRead); err != nil {
		return Shelf{}, err
	}
	m, err := s.Members.Get(ctx, sc, memberRef)
	if err != nil {
		return Shelf{}, err
	}
	items, _, err := s.List(ctx, sc, Filter{Kind: kind, Limit: 200})
	if err != nil {
		return Shelf{}, err
	}
	out := Shelf{Offers: []ShelfItem{}}
	err = s.DB.InReadTx(ctx, func(tx *db.Tx) error {
		if out.Balance, err = points.BalanceTx(ctx, tx, sc.Program.ID, m.PublicID); err != nil {
			return err
		}
		used := map[int64]int{}
		rows, err := tx.QueryContext(ctx, `SELECT item_id, COUNT(*) FROM redemptions WHERE member_id = $1 AND status <> 'cancelled' GROUP BY item_id`, m.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return err
			}
			used[id] = n
		}
		rows.Close()
		r := ladder.NewRanks(tx, sc.Program.ID, m.ID)
		for _, it := range items {
			why, opens, err := refusal(ctx, r, it, used[it.ID])
			if err != nil {
				return err
			}
			o := ShelfItem{Item: it, OpensAt: opens, Used: used[it.ID], Affordable: out.Balance >= it.Points}
			switch {
			case why != nil:
				o.Refusal = why
			case it.Stock() == 0:
				o.Refusal = fault.New(fault.LimitExceeded, "catalog.out_of_stock", "{item} is out of stock", fault.P{"item": it.Title})
			case !o.Affordable:
				o.Refusal = fault.New(fault.LimitExceeded, "catalog.points_short", "the item costs {points} points; the balance is {balance}",
					fault.P{"points": it.Points, "balance": out.Balance})
			}
			o.CanRedeem = o.Refusal == nil
			out.Offers = append(out.Offers, o)
		}
		return nil
	})
	return out, err
}
