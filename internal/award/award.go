// Package award holds the program's honours (SPEC R7, R8, seed 002): the
// monthly best content and the quarterly creative star, whose candidates
// are ranked from the period's approved work by review score and reach,
// and honorary titles (the annual honorary advisor) with a citation. An
// operator chooses the winners and a prize — points, a catalog item, or
// something no catalog holds, said in words ("lunch with the product
// designer") — and every winner stands on the program's public honour
// wall, which shows nothing private.
package award

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/notify"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Kind is what an award honours.
type Kind string

// Kinds of award.
const (
	MonthlyBest   Kind = "monthly_best"   // the month's best piece of content
	QuarterlyStar Kind = "quarterly_star" // the quarter's most creative member
	Honorary      Kind = "honorary"       // a title for the year's long contribution
)

// Kinds in the order forms list them.
var Kinds = []Kind{MonthlyBest, QuarterlyStar, Honorary}

// Prize kinds.
const (
	NoPrize     = "none"
	PointsPrize = "points"
	ItemPrize   = "item"
	OtherPrize  = "other" // said in words: nothing the catalog holds
)

// PrizeKinds in the order forms list them.
var PrizeKinds = []string{PointsPrize, ItemPrize, OtherPrize, NoPrize}

// Round is one round of an award (the best content of 2026-03) or one
// honorary title of a year, with its winners.
type Round struct {
	ID        int64     `json:"-"`
	PublicID  string    `json:"id"`
	Kind      Kind      `json:"kind" enum:"monthly_best,quarterly_star,honorary"`
	Period    string    `json:"period" doc:"2026-03 (a month), 2026-Q1 (a quarter) or 2026 (a year)."`
	TitleZh   string    `json:"title_zh"`
	TitleEn   string    `json:"title_en"`
	StartsAt  time.Time `json:"starts_at" doc:"The period, in the program's time zone: its first moment…"`
	EndsAt    time.Time `json:"ends_at" doc:"…and the first moment after it."`
	CreatedAt time.Time `json:"created_at"`
	Winners   []Winner  `json:"winners"`
}

// Title is the award's title in lang.
func (a Round) Title(lang string) string {
	if lang == "en" {
		return a.TitleEn
	}
	return a.TitleZh
}

// Winner is a member an award went to, with what for and what they got.
type Winner struct {
	PublicID    string    `json:"id"`
	Member      string    `json:"member"`
	MemberName  string    `json:"member_name"`
	Submission  string    `json:"submission,omitempty"`
	TaskTitle   string    `json:"task_title,omitempty"`
	Citation    string    `json:"citation,omitempty"`
	PrizeKind   string    `json:"prize_kind" enum:"none,points,item,other"`
	PrizePoints int64     `json:"prize_points,omitempty"`
	Redemption  string    `json:"redemption,omitempty" doc:"The prize item's redemption, shipped like any."`
	PrizeText   string    `json:"prize_text,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Input is an award as an operator starts it; empty titles are the kind's
// own, with the period.
type RoundInput struct {
	Kind    Kind   `json:"kind" enum:"monthly_best,quarterly_star,honorary"`
	Period  string `json:"period" maxLength:"7" doc:"2026-03 for monthly_best, 2026-Q1 for quarterly_star, 2026 for honorary."`
	TitleZh string `json:"title_zh,omitempty" maxLength:"100" doc:"Required for honorary (年度荣誉顾问)."`
	TitleEn string `json:"title_en,omitempty" maxLength:"100"`
}

// Service keeps awards.
type Service struct {
	DB      *db.DB
	Ledger  *ledger.Ledger
	Catalog *catalog.Service
}

var (
	monthRe   = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)
	quarterRe = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	yearRe    = regexp.MustCompile(`^(\d{4})$`)
)

// window is the period of a kind in loc: its first moment and the first
// after it; ok is false when the period is not of the kind's form.
func window(k Kind, period string, loc *time.Location) (time.Time, time.Time, bool) {
	switch k {
	case MonthlyBest:
		m := monthRe.FindStringSubmatch(period)
		if m == nil {
			return time.Time{}, time.Time{}, false
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		start := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, loc)
		return start, start.AddDate(0, 1, 0), true
	case QuarterlyStar:
		m := quarterRe.FindStringSubmatch(period)
		if m == nil {
			return time.Time{}, time.Time{}, false
		}
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		start := time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
		return start, start.AddDate(0, 3, 0), true
	case Honorary:
		if !yearRe.MatchString(period) {
			return time.Time{}, time.Time{}, false
		}
		y, _ := strconv.Atoi(period)
		start := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return start, start.AddDate(1, 0, 0), true
	}
	return time.Time{}, time.Time{}, false
}

// defaultTitles are a kind's titles for a period.
func defaultTitles(k Kind, period string) (string, string) {
	switch k {
	case MonthlyBest:
		return "月度最佳内容奖 · " + period, "Best content of " + period
	case QuarterlyStar:
		return "季度创意之星 · " + period, "Creative star of " + period
	}
	return "", ""
}

func (in *RoundInput) check(loc *time.Location) (time.Time, time.Time, error) {
	var f fault.Fields
	in.Period, in.TitleZh, in.TitleEn = strings.TrimSpace(in.Period), strings.TrimSpace(in.TitleZh), strings.TrimSpace(in.TitleEn)
	known := false
	for _, k := range Kinds {
		known = known || k == in.Kind
	}
	if !known {
		f.OneOf("kind", fault.Names(Kinds))
		return time.Time{}, time.Time{}, f.Err()
	}
	start, end, ok := window(in.Kind, in.Period, loc)
	if !ok {
		f.Add("period", "award.period", "must be a period of the award's kind: {form}", fault.P{"form": map[Kind]string{MonthlyBest: "2026-03",
			QuarterlyStar: "2026-Q1", Honorary: "2026"}[in.Kind]})
	}
	zh, en := defaultTitles(in.Kind, in.Period)
	if in.TitleZh == "" {
		in.TitleZh = zh
	}
	if in.TitleEn == "" {
		in.TitleEn = en
	}
	if in.TitleEn == "" {
		in.TitleEn = in.TitleZh
	}
	if in.TitleZh == "" {
		f.Required("title_zh")
	}
	if len([]rune(in.TitleZh)) > 100 {
		f.MaxLength("title_zh", 100)
	}
	if len([]rune(in.TitleEn)) > 100 {
		f.MaxLength("title_en", 100)
	}
	return start, end, f.Err()
}

// Create starts an award for a period (audited); the same award of the
// same period is refused.
func (s *Service) Create(ctx context.Context, sc program.Scope, in RoundInput) (Round, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Round{}, err
	}
	start, end, err := in.check(sc.Program.Location())
	if err != nil {
		return Round{}, err
	}
	ref := pubid.New("awd")
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM awards WHERE program_id = $1 AND kind = $2 AND period = $3 AND title_zh = $4`,
			sc.Program.ID, string(in.Kind), in.Period, in.TitleZh).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.New(fault.Conflict, "award.exists", "{title} is already open", fault.P{"title": in.TitleZh})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO awards (program_id, public_id, kind, period, title_zh, title_en, starts_at, ends_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, sc.Program.ID, ref, string(in.Kind), in.Period, in.TitleZh, in.TitleEn,
			start.UnixMicro(), end.UnixMicro(), tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "award.create", ObjectKind: "award", ObjectID: ref,
			After: map[string]any{"kind": in.Kind, "period": in.Period, "title": in.TitleZh}})
	})
	if err != nil {
		return Round{}, err
	}
	return s.Get(ctx, sc, ref)
}

const awardCols = `a.id, a.public_id, a.kind, a.period, a.title_zh, a.title_en, a.starts_at, a.ends_at, a.created_at`

func scanAward(r interface{ Scan(...any) error }) (Round, error) {
	var a Round
	var start, end, created int64
	err := r.Scan(&a.ID, &a.PublicID, &a.Kind, &a.Period, &a.TitleZh, &a.TitleEn, &start, &end, &created)
	a.StartsAt, a.EndsAt, a.CreatedAt = time.UnixMicro(start).UTC(), time.UnixMicro(end).UTC(), time.UnixMicro(created).UTC()
	a.Winners = []Winner{}
	return a, err
}

func notFound(ref string) error {
	return fault.New(fault.NotFound, "award.not_found", "no award {award}", fault.P{"award": ref})
}

// List is the program's awards, newest first, with their winners.
func (s *Service) List(ctx context.Context, sc program.Scope) ([]Round, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+awardCols+` FROM awards a WHERE a.program_id = $1 ORDER BY a.starts_at DESC, a.id DESC`, sc.Program.ID)
	as, err := db.Collect(rows, err, func(r *sql.Rows) (Round, error) { return scanAward(r) })
	if err != nil {
		return nil, err
	}
	ws, err := s.winners(ctx, `w.program_id = $1`, sc.Program.ID)
	if err != nil {
		return nil, err
	}
	for i := range as {
		as[i].Winners = append(as[i].Winners, ws[as[i].ID]...)
	}
	if as == nil {
		as = []Round{}
	}
	return as, nil
}

// Get is one award with its winners.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Round, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return Round{}, err
	}
	a, err := scanAward(s.DB.R.QueryRowContext(ctx, `SELECT `+awardCols+` FROM awards a WHERE a.program_id = $1 AND a.public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, notFound(ref)
	}
	if err != nil {
		return Round{}, err
	}
	ws, err := s.winners(ctx, `w.award_id = $1`, a.ID)
	a.Winners = append(a.Winners, ws[a.ID]...)
	return a, err
}

// winners are the winners where cond holds, by award, in the order chosen.
func (s *Service) winners(ctx context.Context, cond string, arg int64) (map[int64][]Winner, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT w.award_id, w.public_id, m.public_id, m.name, COALESCE(sb.public_id, ''), COALESCE(t.title, ''), w.citation,
		w.prize_kind, w.prize_points, COALESCE(r.public_id, ''), w.prize_text, w.created_at
		FROM award_winners w JOIN members m ON m.id = w.member_id LEFT JOIN submissions sb ON sb.id = w.submission_id
		LEFT JOIN task_claims c ON c.id = sb.claim_id LEFT JOIN tasks t ON t.id = c.task_id LEFT JOIN redemptions r ON r.id = w.redemption_id
		WHERE `+cond+` ORDER BY w.id`, arg)
	out := map[int64][]Winner{}
	_, err = db.Collect(rows, err, func(r *sql.Rows) (struct{}, error) {
		var award, created int64
		var w Winner
		err := r.Scan(&award, &w.PublicID, &w.Member, &w.MemberName, &w.Submission, &w.TaskTitle, &w.Citation, &w.PrizeKind, &w.PrizePoints,
			&w.Redemption, &w.PrizeText, &created)
		w.CreatedAt = time.UnixMicro(created).UTC()
		out[award] = append(out[award], w)
		return struct{}{}, err
	})
	return out, err
}

// Contender is a piece of work (monthly best) or a member (quarterly star,
// honorary) ranked for an award from the period's approved work.
type Contender struct {
	Rank       int    `json:"rank"`
	Member     string `json:"member"`
	MemberName string `json:"member_name"`
	Submission string `json:"submission,omitempty" doc:"The piece of work (monthly best)."`
	TaskTitle  string `json:"task_title,omitempty"`
	Approved   int64  `json:"approved" doc:"Approved pieces of work in the period."`
	Score      int64  `json:"score" doc:"The review score (1 to 5); for a member, the average in hundredths (450: 4.50)."`
	Reach      int64  `json:"reach" doc:"Reported reach (views) of the work."`
	Won        bool   `json:"won" doc:"Already a winner of this award."`
}

// Candidates ranks the award's period: for the monthly best, each approved
// piece of work by its score, then its reach, then who was first; for the
// others, each member by their average score, then total reach, then how
// much they made.
func (s *Service) Candidates(ctx context.Context, sc program.Scope, ref string, limit int) ([]Contender, error) {
	if err := sc.Require(program.PermMembersRead); err != nil {
		return nil, err
	}
	if err := db.CheckLimit(limit); err != nil {
		return nil, err
	}
	a, err := s.Get(ctx, sc, ref)
	if err != nil {
		return nil, err
	}
	won := map[string]bool{}
	for _, w := range a.Winners {
		won[w.Member] = true
	}
	from := ` FROM reviews r JOIN submissions s ON s.id = r.submission_id JOIN task_claims c ON c.id = s.claim_id JOIN members m ON m.id = c.member_id
		WHERE r.program_id = $1 AND r.decision = 'approved' AND r.created_at >= $2 AND r.created_at < $3`
	var q string
	if a.Kind == MonthlyBest {
		q = `SELECT m.public_id, m.name, s.public_id, t.title, 1, r.score, s.reach` + strings.Replace(from, " JOIN members m", " JOIN tasks t ON t.id = c.task_id JOIN members m", 1) +
			` ORDER BY r.score DESC, s.reach DESC, r.created_at, r.id LIMIT $4`
	} else {
		q = `SELECT m.public_id, m.name, '', '', COUNT(*), SUM(r.score) * 100 / COUNT(*), SUM(s.reach)` + from +
			` GROUP BY m.id, m.public_id, m.name ORDER BY SUM(r.score) * 100 / COUNT(*) DESC, SUM(s.reach) DESC, COUNT(*) DESC, m.id LIMIT $4`
	}
	rows, err := s.DB.R.QueryContext(ctx, q, sc.Program.ID, a.StartsAt.UnixMicro(), a.EndsAt.UnixMicro(), limit)
	n := 0
	cs, err := db.Collect(rows, err, func(r *sql.Rows) (Contender, error) {
		var c Contender
		err := r.Scan(&c.Member, &c.MemberName, &c.Submission, &c.TaskTitle, &c.Approved, &c.Score, &c.Reach)
		n++
		c.Rank, c.Won = n, won[c.Member]
		return c, err
	})
	if cs == nil {
		cs = []Contender{}
	}
	return cs, err
}

// WinInput is a winner as an operator chooses them.
type WinInput struct {
	Member     string           `json:"member" maxLength:"64"`
	Submission string           `json:"submission,omitempty" maxLength:"64" doc:"The winning piece of work (monthly best: required)."`
	Citation   string           `json:"citation,omitempty" maxLength:"500" doc:"What for, as the honour wall says it."`
	PrizeKind  string           `json:"prize_kind" enum:"none,points,item,other"`
	Points     int64            `json:"points,omitempty" minimum:"0" maximum:"1000000"`
	Item       string           `json:"item,omitempty" maxLength:"64" doc:"A catalog item, given without points; its cost goes on its budget line."`
	Variant    string           `json:"variant,omitempty" maxLength:"64"`
	Address    *catalog.Address `json:"address,omitempty" doc:"Where a shipped item goes."`
	PrizeText  string           `json:"prize_text,omitempty" maxLength:"300" doc:"A prize no catalog holds: lunch with the product designer."`
}

func (in *WinInput) check(k Kind) error {
	var f fault.Fields
	in.Member, in.Submission, in.Citation, in.PrizeText = strings.TrimSpace(in.Member), strings.TrimSpace(in.Submission),
		strings.TrimSpace(in.Citation), strings.TrimSpace(in.PrizeText)
	if in.Member == "" {
		f.Required("member")
	}
	if k == MonthlyBest && in.Submission == "" {
		f.Add("submission", "award.submission_required", "is required: the monthly best honours a piece of work")
	}
	if k == Honorary && in.Citation == "" {
		f.Add("citation", "award.citation_required", "is required: an honorary title says what for")
	}
	if len([]rune(in.Citation)) > 500 {
		f.MaxLength("citation", 500)
	}
	switch in.PrizeKind {
	case NoPrize:
	case PointsPrize:
		if in.Points < 1 || in.Points > 1_000_000 {
			f.Range("points", 1, 1_000_000)
		}
	case ItemPrize:
		if in.Item == "" {
			f.Required("item")
		}
	case OtherPrize:
		if in.PrizeText == "" || len([]rune(in.PrizeText)) > 300 {
			f.Length("prize_text", 1, 300)
		}
	default:
		f.OneOf("prize_kind", PrizeKinds)
	}
	return f.Err()
}

// Win makes a member a winner of the award with their prize, all in one
// transaction: the points earned through the ledger, or the item given
// (stock and cost on its budget line, shipped like a redemption), and the
// member told. A member wins an award once; the piece of work must be
// theirs, approved in the award's period.
func (s *Service) Win(ctx context.Context, sc program.Scope, ref string, in WinInput) (Winner, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Winner{}, err
	}
	a, err := s.Get(ctx, sc, ref)
	if err != nil {
		return Winner{}, err
	}
	if err := in.check(a.Kind); err != nil {
		return Winner{}, err
	}
	wref := pubid.New("awn")
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var memberID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM members WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(), sc.Program.ID, in.Member).Scan(&memberID)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Field("member", "member.not_found", "no member {ref}", fault.P{"ref": in.Member})
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM award_winners WHERE award_id = $1 AND member_id = $2`, a.ID, memberID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.New(fault.Conflict, "award.already_won", "{member} already won {award}", fault.P{"member": in.Member, "award": a.TitleZh})
		}
		var sub sql.NullInt64
		if in.Submission != "" {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT s.id FROM submissions s JOIN task_claims c ON c.id = s.claim_id JOIN reviews r ON r.submission_id = s.id
				WHERE s.program_id = $1 AND s.public_id = $2 AND c.member_id = $3 AND r.decision = 'approved' AND r.created_at >= $4 AND r.created_at < $5`,
				sc.Program.ID, in.Submission, memberID, a.StartsAt.UnixMicro(), a.EndsAt.UnixMicro()).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.Field("submission", "award.submission_not_eligible", "must be the member's own work, approved in {period}", fault.P{"period": a.Period})
			}
			if err != nil {
				return err
			}
			sub = sql.NullInt64{Int64: id, Valid: true}
		}
		var redemption sql.NullInt64
		switch in.PrizeKind {
		case PointsPrize:
			if _, err := points.EarnTx(ctx, tx, s.Ledger, sc.Program.ID, points.Earning{Member: in.Member, Amount: in.Points, ClientID: "award:" + wref,
				Code: "award", Ref: "award:" + a.PublicID}); err != nil {
				return err
			}
		case ItemPrize:
			rref, err := s.Catalog.GiftTx(ctx, tx, sc, catalog.RedeemInput{Item: in.Item, Variant: in.Variant, Member: in.Member, Address: in.Address})
			if err != nil {
				return err
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM redemptions WHERE public_id = $1`, rref).Scan(&id); err != nil {
				return err
			}
			redemption = sql.NullInt64{Int64: id, Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO award_winners (program_id, public_id, award_id, member_id, submission_id, citation, prize_kind,
			prize_points, redemption_id, prize_text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			sc.Program.ID, wref, a.ID, memberID, sub, in.Citation, in.PrizeKind, in.Points, redemption, in.PrizeText, tx.Now.UnixMicro()); err != nil {
			return fmt.Errorf("award winner: %w", err)
		}
		if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.AwardWon, MemberID: memberID, Subject: wref,
			Params: map[string]any{"award_zh": a.TitleZh, "award_en": a.TitleEn}}); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "award.win", ObjectKind: "award", ObjectID: a.PublicID,
			After: map[string]any{"winner": wref, "member": in.Member, "submission": in.Submission, "prize": in.PrizeKind, "points": in.Points,
				"item": in.Item, "prize_text": in.PrizeText}})
	})
	if err != nil {
		return Winner{}, err
	}
	a, err = s.Get(ctx, sc, ref)
	for _, w := range a.Winners {
		if w.PublicID == wref {
			return w, err
		}
	}
	return Winner{}, err
}

// Of is the awards a member won, newest first; a member reads their own.
func (s *Service) Of(ctx context.Context, sc program.Scope, memberRef string) ([]Honour, error) {
	if sc.Actor.Kind == program.ActorMember && sc.Actor.PublicID != memberRef {
		return nil, fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": memberRef})
	}
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermMembersRead); err != nil {
			return nil, err
		}
	}
	return s.honours(ctx, `w.program_id = $1 AND m.public_id = $2`, sc.Program.ID, memberRef)
}

// Honour is one winner as the honour wall shows them: the award, the
// period, the member's name and the citation, nothing private (no prize,
// no contact, no record).
type Honour struct {
	Award     string    `json:"award"`
	AwardZh   string    `json:"award_zh"`
	AwardEn   string    `json:"award_en"`
	Kind      Kind      `json:"kind"`
	Period    string    `json:"period"`
	Name      string    `json:"name"`
	TaskTitle string    `json:"task_title,omitempty" doc:"The honoured work's task."`
	Citation  string    `json:"citation,omitempty"`
	At        time.Time `json:"at"`
}

// Wall is the program's honour wall, newest first: every winner, for
// anyone to read. The program is named by its slug.
func (s *Service) Wall(ctx context.Context, slug string) (program.Program, []Honour, error) {
	p, err := program.BySlug(ctx, s.DB, slug)
	if err != nil {
		return p, nil, err
	}
	hs, err := s.honours(ctx, `w.program_id = $1`, p.ID)
	return p, hs, err
}

func (s *Service) honours(ctx context.Context, cond string, args ...any) ([]Honour, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT a.public_id, a.title_zh, a.title_en, a.kind, a.period, m.name, COALESCE(t.title, ''), w.citation, w.created_at
		FROM award_winners w JOIN awards a ON a.id = w.award_id JOIN members m ON m.id = w.member_id LEFT JOIN submissions sb ON sb.id = w.submission_id
		LEFT JOIN task_claims c ON c.id = sb.claim_id LEFT JOIN tasks t ON t.id = c.task_id
		WHERE `+cond+` ORDER BY a.starts_at DESC, w.id`, args...)
	hs, err := db.Collect(rows, err, func(r *sql.Rows) (Honour, error) {
		var h Honour
		var at int64
		err := r.Scan(&h.Award, &h.AwardZh, &h.AwardEn, &h.Kind, &h.Period, &h.Name, &h.TaskTitle, &h.Citation, &at)
		h.At = time.UnixMicro(at).UTC()
		return h, err
	})
	if hs == nil {
		hs = []Honour{}
	}
	return hs, err
}
