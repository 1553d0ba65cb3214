// Package identity holds members' identity cards (L6): the number anyone
// may verify, the title the card was issued with, and the rule that a new
// title brings a new card, superseding the one before. Drawing a card is
// package card's.
package identity

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
)

// Service issues and verifies cards.
type Service struct {
	DB      *db.DB
	Members *member.Service
	Ladders *ladder.Service
}

// Card is a member's current card.
type Card struct {
	Number      string      `json:"number" example:"K7QH2-MX9TC"`
	Program     string      `json:"program"`
	Name        string      `json:"name"`
	Title       ladder.Text `json:"title"`
	MemberSince time.Time   `json:"member_since"`
	IssuedAt    time.Time   `json:"issued_at"`
}

// State is what a card's verification says of it.
type State string

const (
	Current    State = "current"    // a member today, with this card
	Superseded State = "superseded" // a newer card replaced it
	Gone       State = "gone"       // the member left the program
)

// Verification is what anyone who scans a card may know: nothing private.
type Verification struct {
	Number      string      `json:"number"`
	State       State       `json:"state" enum:"current,superseded,gone"`
	Program     string      `json:"program"`
	Name        string      `json:"name"`
	Title       ladder.Text `json:"title"`
	MemberSince time.Time   `json:"member_since"`
	IssuedAt    time.Time   `json:"issued_at"`
}

// newNumber is a card number: ten unbiased base32 characters in two groups.
func newNumber() string {
	t := rand.Text()[:10]
	return t[:5] + "-" + t[5:]
}

// title is the member's title on the card: that of their highest tier (the
// tier's name where it has no title).
func title(standings []ladder.Standing) ladder.Text {
	var best *ladder.Standing
	for i := range standings {
		if best == nil || standings[i].Rank > best.Rank {
			best = &standings[i]
		}
	}
	if best == nil {
		return ladder.Text{}
	}
	if best.Title.Zh != "" || best.Title.En != "" {
		return best.Title
	}
	return best.Name
}

// Card returns the member's current card (a member their own; operators
// who may read members anyone's), issuing one on first asking, and a new
// one that supersedes the last when the member's title has changed.
func (s *Service) Card(ctx context.Context, sc program.Scope, memberRef string) (Card, error) {
	m, err := s.Members.Get(ctx, sc, memberRef)
	if err != nil {
		return Card{}, err
	}
	if m.Status == member.Left || m.Status == member.Banned {
		return Card{}, fault.New(fault.Conflict, "card.member_gone", "{name} is {status}: no card for them", fault.P{"name": m.Name, "status": string(m.Status)})
	}
	standings, err := s.Ladders.Standings(ctx, sc, m.PublicID)
	if err != nil {
		return Card{}, err
	}
	want := title(standings)
	c := Card{Program: sc.Program.Name, Name: m.Name, Title: want, MemberSince: m.CreatedAt}
	// Two first asks at once: the unique index on current cards lets one
	// issue; the other reads the card it issued.
	for attempt := 0; ; attempt++ {
		err = s.issue(ctx, sc, m, want, &c)
		if k, _ := db.ConstraintOf(err); k == db.UniqueViolation && attempt == 0 {
			continue
		}
		break
	}
	if err != nil {
		return Card{}, fmt.Errorf("identity: %w", err)
	}
	return c, nil
}

// issue reads the member's current card into c, or issues one (superseding
// a card with another title).
func (s *Service) issue(ctx context.Context, sc program.Scope, m member.Member, want ladder.Text, c *Card) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var number, zh, en string
		var id, issued int64
		err := tx.QueryRowContext(ctx, `SELECT id, number, title_zh, title_en, issued_at FROM member_cards
			WHERE member_id = $1 AND superseded_at = 0`+tx.ForUpdate(), m.ID).Scan(&id, &number, &zh, &en, &issued)
		switch {
		case err == nil && zh == want.Zh && en == want.En:
			c.Number, c.IssuedAt = number, time.UnixMicro(issued).UTC()
			return nil
		case err == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE member_cards SET superseded_at = $2 WHERE id = $1`, id, tx.Now.UnixMicro()); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		c.Number, c.IssuedAt = newNumber(), tx.Now
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_cards (program_id, member_id, number, title_zh, title_en, issued_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, sc.Program.ID, m.ID, c.Number, want.Zh, want.En, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "card.issue", ObjectKind: "member", ObjectID: m.PublicID,
			After: map[string]any{"number": c.Number, "title": want, "supersedes": number}})
	})
}

// Verify says whether a card is genuine and current, to anyone: the
// program, the member's name and title, since when; nothing else.
func (s *Service) Verify(ctx context.Context, number string) (Verification, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if len(number) == 10 {
		number = number[:5] + "-" + number[5:]
	}
	var v Verification
	var status string
	var issued, superseded, since int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT c.number, c.title_zh, c.title_en, c.issued_at, c.superseded_at, p.name, m.name, m.status, m.created_at
		FROM member_cards c JOIN members m ON m.id = c.member_id JOIN programs p ON p.id = c.program_id WHERE c.number = $1`, number).
		Scan(&v.Number, &v.Title.Zh, &v.Title.En, &issued, &superseded, &v.Program, &v.Name, &status, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return Verification{}, fault.New(fault.NotFound, "card.not_found", "there is no card {number}", fault.P{"number": number})
	}
	if err != nil {
		return Verification{}, fmt.Errorf("identity: verify: %w", db.MapError(err))
	}
	v.IssuedAt, v.MemberSince = time.UnixMicro(issued).UTC(), time.UnixMicro(since).UTC()
	switch {
	case member.Status(status) == member.Left || member.Status(status) == member.Banned:
		v.State = Gone
	case superseded > 0:
		v.State = Superseded
	default:
		v.State = Current
	}
	return v, nil
}

// SupersedeTx marks the member's current card superseded inside tx (a
// promotion changed their title): its verification page says so at once,
// and the member's next look at their card issues the new one.
func SupersedeTx(ctx context.Context, tx *db.Tx, programID int64, memberRef string) error {
	_, err := tx.ExecContext(ctx, `UPDATE member_cards SET superseded_at = $3 WHERE superseded_at = 0 AND program_id = $1
		AND member_id = (SELECT id FROM members WHERE program_id = $1 AND public_id = $2)`, programID, memberRef, tx.Now.UnixMicro())
	return err
}
