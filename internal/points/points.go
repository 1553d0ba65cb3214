// Package points holds members' points (SPEC R2): the account each member's
// points live in, earning them through the ledger, and the statement a
// member and their operators read. Tasks pay through it and rewards will
// spend through it, so neither needs the other.
package points

import (
	"context"
	"fmt"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/member"
	"kox/internal/program"
)

// Asset is the ledger asset points are counted in.
const Asset = "points"

// Account is the spec of a member's points account, which may not go below
// zero.
func Account(programID int64, memberRef string) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: Asset, Code: "member_points", Ref: "member:" + memberRef, Limit: ledger.DebitsMustNotExceedCredits}
}

// issued is the program's account points are issued from.
func issued(programID int64) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: Asset, Code: "points_issued"}
}

// Earning is points a member earns: how many, the transfer's client id
// (what makes paying twice impossible), what for and the object it is for.
type Earning struct {
	Member   string // the member's public id
	Amount   int64
	ClientID string
	Code     string // task_reward, award, grant, …
	Ref      string // submission:sub_…
}

// EarnTx pays an earning inside tx, so that it commits with the change that
// earned it. The results are for Ledger.Observe once tx commits.
func EarnTx(ctx context.Context, tx *db.Tx, l *ledger.Ledger, programID int64, e Earning) ([]ledger.Result, error) {
	from, err := ledger.OpenAccountTx(ctx, tx, issued(programID))
	if err != nil {
		return nil, err
	}
	to, err := ledger.OpenAccountTx(ctx, tx, Account(programID, e.Member))
	if err != nil {
		return nil, err
	}
	rs, err := l.ApplyTx(ctx, tx, programID, []ledger.Transfer{{ClientID: e.ClientID, DebitAccountID: from.ID, CreditAccountID: to.ID,
		Amount: e.Amount, Code: e.Code, Ref: e.Ref}})
	if err != nil {
		return nil, err
	}
	if err := rs[0].Err(); err != nil {
		return nil, fmt.Errorf("earn points: %w", err)
	}
	if !rs[0].Replayed {
		if err := addLot(ctx, tx, programID, e.Member, e.Amount, e.ClientID); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// Movement is one posted change of a member's points.
type Movement struct {
	At     time.Time `json:"at"`
	Amount int64     `json:"amount" doc:"Positive: earned; negative: spent or expired."`
	Code   string    `json:"code"`
	Ref    string    `json:"ref"`
	ID     int64     `json:"-"`
}

// Statement is a member's points: balance, what is free to spend, and a page
// of movements, newest first.
type Statement struct {
	Balance   int64      `json:"balance"`
	Available int64      `json:"available"`
	History   []Movement `json:"history"`
	// NextExpiry is what expires first and when (nil: nothing expires).
	NextExpiry *Expiry `json:"next_expiry,omitempty"`
}

// Expiry is an amount of points and the moment they expire.
type Expiry struct {
	Amount int64     `json:"amount"`
	At     time.Time `json:"at"`
}

// Service reads points.
type Service struct {
	DB      *db.DB
	Ledger  *ledger.Ledger
	Members *member.Service
}

// Statement returns a member's points with a page of posted movements (what
// is reserved or was voided is not a movement); a member may read their own,
// operators need ledger.read. next is the cursor of the next page (0: none).
func (s *Service) Statement(ctx context.Context, sc program.Scope, memberRef string, before int64, limit int) (Statement, int64, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermLedgerRead); err != nil {
			return Statement{}, 0, err
		}
	}
	m, err := s.Members.Get(ctx, sc, memberRef)
	if err != nil {
		return Statement{}, 0, err
	}
	out := Statement{History: []Movement{}}
	a, err := s.Ledger.FindAccount(ctx, Account(sc.Program.ID, m.PublicID))
	if fault.Is(err, fault.NotFound) {
		return out, 0, nil
	}
	if err != nil {
		return Statement{}, 0, err
	}
	out.Balance, out.Available = a.Balance(), a.Available()
	if out.NextExpiry, err = nextExpiry(ctx, s.DB, m.ID); err != nil {
		return Statement{}, 0, err
	}
	rs, next, err := s.Ledger.History(ctx, sc.Program.ID, a.ID, before, limit, ledger.Posted, ledger.Post)
	if err != nil {
		return Statement{}, 0, err
	}
	for _, r := range rs {
		amount := r.Amount
		if r.DebitAccountID == a.ID {
			amount = -amount
		}
		out.History = append(out.History, Movement{At: r.CreatedAt, Amount: amount, Code: r.Code, Ref: r.Ref, ID: r.ID})
	}
	return out, next, nil
}
