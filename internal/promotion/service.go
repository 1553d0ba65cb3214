package promotion

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/notify"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Service finds and decides promotion candidates and tells members their
// progress.
type Service struct {
	DB *db.DB
	// OnPromoted runs in the promoting transaction (a new identity card, a
	// notification, a promotion kit).
	OnPromoted []func(ctx context.Context, tx *db.Tx, programID int64, memberRef string, st ladder.Standing) error
}

// Candidate statuses.
const (
	Open     = "candidate" // waiting for an operator
	Approved = "approved"  // an operator promoted the member
	Declined = "declined"  // an operator said no
	Promoted = "promoted"  // the tier promotes by itself: done on finding
	Lapsed   = "lapsed"    // no longer meets the rule, or moved tier, before a decision
)

// declineRest is how long a declined member is not proposed again for the
// same tier.
const declineRest = 30 * 24 * time.Hour

// Candidate is a member an evaluation found ready for the tier above.
type Candidate struct {
	ID          int64      `json:"-"`
	PublicID    string     `json:"id"`
	Member      string     `json:"member"`
	MemberName  string     `json:"member_name"`
	Ladder      string     `json:"ladder"`
	From        string     `json:"from_tier"`
	To          string     `json:"to_tier"`
	Status      string     `json:"status" enum:"candidate,approved,declined,promoted,lapsed"`
	Evidence    []Evidence `json:"evidence"`
	FoundAt     time.Time  `json:"found_at"`
	EvaluatedAt time.Time  `json:"evaluated_at"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   time.Time  `json:"decided_at,omitzero"`
	Note        string     `json:"note,omitempty"`
}

// Result is what an evaluation found.
type Result struct {
	Assessed int `json:"assessed" doc:"Members weighed against the rule of the tier above theirs."`
	Found    int `json:"found" doc:"New candidates."`
	Promoted int `json:"promoted" doc:"Promoted at once (tiers that promote by themselves)."`
	Lapsed   int `json:"lapsed" doc:"Candidates that no longer meet the rule."`
}

// Evaluate weighs every member of the program against the rule of the tier
// above theirs: new candidates are kept with their evidence, open ones get
// fresh evidence or lapse, and tiers that promote by themselves promote.
func (s *Service) Evaluate(ctx context.Context, sc program.Scope) (Result, error) {
	if err := sc.Require(program.PermTiersAssign); err != nil {
		return Result{}, err
	}
	return s.evaluate(ctx, sc.Program)
}

// EvaluateAll evaluates every program (the scheduler's job).
func (s *Service) EvaluateAll(ctx context.Context) (Result, error) {
	ctx = program.WithActor(ctx, program.Actor{Kind: program.ActorJob, PublicID: "job:promotion", Name: "promotion"})
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, slug, time_zone FROM programs ORDER BY id`)
	ps, err := db.Collect(rows, err, func(r *sql.Rows) (program.Program, error) {
		var p program.Program
		return p, r.Scan(&p.ID, &p.Slug, &p.TimeZone)
	})
	if err != nil {
		return Result{}, err
	}
	var total Result
	for _, p := range ps {
		r, err := s.evaluate(ctx, p)
		if err != nil {
			return total, err
		}
		total.Assessed, total.Found, total.Promoted, total.Lapsed = total.Assessed+r.Assessed, total.Found+r.Found, total.Promoted+r.Promoted, total.Lapsed+r.Lapsed
	}
	return total, nil
}

// evaluate is one program's evaluation, a tier at a time, each in a
// transaction of its own.
func (s *Service) evaluate(ctx context.Context, p program.Program) (Result, error) {
	var res Result
	ls, err := ladder.LoadAll(ctx, s.DB, p.ID)
	if err != nil {
		return res, err
	}
	for _, st := range Steps(ls) {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			r, err := s.stepTx(ctx, tx, p, st)
			if err == nil {
				res.Assessed, res.Found, res.Promoted, res.Lapsed = res.Assessed+r.Assessed, res.Found+r.Found, res.Promoted+r.Promoted, res.Lapsed+r.Lapsed
			}
			return err
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func (s *Service) stepTx(ctx context.Context, tx *db.Tx, p program.Program, st Step) (Result, error) {
	var res Result
	as, err := assess(ctx, tx, s.DB.Engine, p.ID, st, *st.To.Entry, p.Location(), tx.Now, 0)
	if err != nil {
		return res, err
	}
	res.Assessed = len(as)
	now := tx.Now.UnixMicro()
	// Open candidates of the step, and who was declined lately.
	open := map[int64]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT member_id, id FROM promotion_candidates WHERE program_id = $1 AND to_tier_id = $2 AND status = 'candidate'`,
		p.ID, st.To.ID)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var m, id int64
		if err := rows.Scan(&m, &id); err != nil {
			rows.Close()
			return res, err
		}
		open[m] = id
	}
	rows.Close()
	resting := map[int64]bool{}
	rows, err = tx.QueryContext(ctx, `SELECT member_id FROM promotion_candidates WHERE program_id = $1 AND to_tier_id = $2 AND status = 'declined'
		AND decided_at >= $3`, p.ID, st.To.ID, now-declineRest.Microseconds())
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var m int64
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return res, err
		}
		resting[m] = true
	}
	rows.Close()
	for _, a := range as {
		id, isOpen := open[a.memberID]
		delete(open, a.memberID)
		ev, _ := json.Marshal(a.Criteria)
		switch {
		case !a.Ready && isOpen:
			if _, err := tx.ExecContext(ctx, `UPDATE promotion_candidates SET status = 'lapsed', evidence = $2, evaluated_at = $3 WHERE id = $1`, id, string(ev), now); err != nil {
				return res, err
			}
			res.Lapsed++
		case !a.Ready || resting[a.memberID]:
		case isOpen && a.Auto:
			// The tier was made to promote by itself after the member was found.
			if _, err := tx.ExecContext(ctx, `UPDATE promotion_candidates SET status = 'promoted', evidence = $2, evaluated_at = $3, decided_by = 'rule',
				decided_at = $3 WHERE id = $1`, id, string(ev), now); err != nil {
				return res, err
			}
			if err := s.promoteTx(ctx, tx, p.ID, a.Member, st, "promotion: met the rule of "+st.To.Key); err != nil {
				return res, err
			}
			res.Promoted++
		case isOpen:
			if _, err := tx.ExecContext(ctx, `UPDATE promotion_candidates SET evidence = $2, evaluated_at = $3 WHERE id = $1`, id, string(ev), now); err != nil {
				return res, err
			}
		default:
			status := Open
			if a.Auto {
				status = Promoted
			}
			ref := pubid.New("prc")
			if _, err := tx.ExecContext(ctx, `INSERT INTO promotion_candidates (program_id, public_id, member_id, ladder_id, from_tier_id, to_tier_id,
				evidence, status, found_at, evaluated_at, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11)`,
				p.ID, ref, a.memberID, st.Ladder.ID, st.From.ID, st.To.ID, string(ev), status, now, map[bool]string{true: "rule"}[a.Auto],
				map[bool]int64{true: now}[a.Auto]); err != nil {
				return res, err
			}
			if a.Auto {
				if err := s.promoteTx(ctx, tx, p.ID, a.Member, st, "promotion: met the rule of "+st.To.Key); err != nil {
					return res, err
				}
				res.Promoted++
			} else {
				res.Found++
			}
		}
	}
	if res.Found > 0 {
		if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: p.ID, Kind: notify.CandidatesFound, Subject: st.Ladder.Key + "/" + st.To.Key,
			Params: map[string]any{"count": res.Found, "tier_zh": st.To.Name.Zh, "tier_en": st.To.Name.En}}); err != nil {
			return res, err
		}
	}
	// Open candidates no longer at the tier have moved on: they lapse.
	for _, id := range open {
		if _, err := tx.ExecContext(ctx, `UPDATE promotion_candidates SET status = 'lapsed', evaluated_at = $2 WHERE id = $1`, id, now); err != nil {
			return res, err
		}
		res.Lapsed++
	}
	return res, nil
}

func (s *Service) promoteTx(ctx context.Context, tx *db.Tx, programID int64, memberRef string, st Step, reason string) error {
	standing, err := ladder.SetTierTx(ctx, tx, programID, memberRef, st.Ladder.Key, st.To.Key, reason)
	if err != nil {
		return err
	}
	m, err := member.LookupTx(ctx, tx, programID, memberRef)
	if err != nil {
		return err
	}
	if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: programID, Kind: notify.Promoted, MemberID: m.ID, Subject: st.Ladder.Key + "/" + st.To.Key,
		Params: map[string]any{"tier_zh": st.To.Name.Zh, "tier_en": st.To.Name.En, "title_zh": st.To.Title.Zh, "title_en": st.To.Title.En}}); err != nil {
		return err
	}
	for _, f := range s.OnPromoted {
		if err := f(ctx, tx, programID, memberRef, standing); err != nil {
			return err
		}
	}
	return nil
}

const candidateCols = `c.id, c.public_id, m.public_id, m.name, l.key, f.key, t.key, c.status, c.evidence, c.found_at, c.evaluated_at, c.decided_by, c.decided_at, c.note`

const candidateFrom = ` FROM promotion_candidates c JOIN members m ON m.id = c.member_id JOIN ladders l ON l.id = c.ladder_id
	JOIN tiers f ON f.id = c.from_tier_id JOIN tiers t ON t.id = c.to_tier_id`

func scanCandidate(r interface{ Scan(...any) error }) (Candidate, error) {
	var c Candidate
	var ev string
	var found, evaluated, decided int64
	err := r.Scan(&c.ID, &c.PublicID, &c.Member, &c.MemberName, &c.Ladder, &c.From, &c.To, &c.Status, &ev, &found, &evaluated, &c.DecidedBy, &decided, &c.Note)
	_ = json.Unmarshal([]byte(ev), &c.Evidence)
	c.FoundAt, c.EvaluatedAt = time.UnixMicro(found).UTC(), time.UnixMicro(evaluated).UTC()
	if decided > 0 {
		c.DecidedAt = time.UnixMicro(decided).UTC()
	}
	return c, err
}

// Filter narrows candidates.
type Filter struct {
	Status string // "" : open ones
	Ladder string
	To     string // the tier
	Before int64
	Limit  int
}

// Candidates lists candidates, oldest first among the open (the queue),
// newest first otherwise.
func (s *Service) Candidates(ctx context.Context, sc program.Scope, f Filter) ([]Candidate, int64, error) {
	if err := sc.Require(program.PermMembersRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	if f.Status == "" {
		f.Status = Open
	}
	if !validStatus(f.Status) {
		var fs fault.Fields
		fs.OneOf("query.status", []string{Open, Approved, Declined, Promoted, Lapsed})
		return nil, 0, fs.Err()
	}
	w := db.Where("c.program_id = $1", sc.Program.ID).Add("c.status = $?", f.Status)
	if f.Ladder != "" {
		w.Add("l.key = $?", f.Ladder)
	}
	if f.To != "" {
		w.Add("t.key = $?", f.To)
	}
	if f.Before > 0 {
		w.Add("c.id < $?", f.Before)
	}
	where, args := w.Page("c.id DESC", f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+candidateCols+candidateFrom+where, args...)
	cs, err := db.Collect(rows, err, scanCandidate)
	if err != nil {
		return nil, 0, err
	}
	cs, next := db.TrimPage(cs, f.Limit, func(c Candidate) int64 { return c.ID })
	if cs == nil {
		cs = []Candidate{}
	}
	return cs, next, nil
}

func validStatus(s string) bool {
	switch s {
	case Open, Approved, Declined, Promoted, Lapsed:
		return true
	}
	return false
}

// Decision is an operator's answer for one candidate.
type Decision struct {
	Candidate string       `json:"candidate"`
	Status    string       `json:"status"`
	Error     *fault.Error `json:"error,omitempty" doc:"Why this one could not be decided; the others are."`
}

// Decide approves (promotes) or declines candidates, one or many: each in
// a transaction of its own, under the candidate's lock, so a candidate is
// decided once however many operators answer at once; a member no longer
// at the tier below is refused by name and the rest go on.
func (s *Service) Decide(ctx context.Context, sc program.Scope, refs []string, approve bool, note string) ([]Decision, error) {
	if err := sc.Require(program.PermTiersAssign); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	var f fault.Fields
	if len(refs) == 0 || len(refs) > 500 {
		f.Add("candidates", "promotion.candidates", "name 1 to 500 candidates")
	}
	if len([]rune(note)) > 500 {
		f.MaxLength("note", 500)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	out := make([]Decision, 0, len(refs))
	for _, ref := range refs {
		d := Decision{Candidate: ref}
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			c, err := scanCandidate(tx.QueryRowContext(ctx, `SELECT `+candidateCols+candidateFrom+` WHERE c.program_id = $1 AND c.public_id = $2`+
				tx.ForUpdateOf("c"), sc.Program.ID, ref))
			if errors.Is(err, sql.ErrNoRows) {
				return fault.New(fault.NotFound, "promotion.not_found", "no promotion candidate {candidate}", fault.P{"candidate": ref})
			}
			if err != nil {
				return err
			}
			if c.Status != Open {
				return fault.New(fault.Conflict, "promotion.decided", "the candidate is already {status}", fault.P{"status": c.Status})
			}
			d.Status = Declined
			if approve {
				d.Status = Approved
				ls, err := ladder.LoadTx(ctx, tx, sc.Program.ID)
				if err != nil {
					return err
				}
				st, ok := findStep(ls, c.Ladder, c.To)
				if !ok {
					return fault.New(fault.Conflict, "promotion.rule_gone", "tier {tier} has no entry rule any more", fault.P{"tier": c.To})
				}
				var at string
				_ = tx.QueryRowContext(ctx, `SELECT t.key FROM member_tiers mt JOIN tiers t ON t.id = mt.tier_id JOIN members m ON m.id = mt.member_id
					WHERE m.public_id = $1 AND mt.ladder_id = $2`, c.Member, st.Ladder.ID).Scan(&at)
				if at != st.From.Key {
					return fault.New(fault.Conflict, "promotion.moved", "{name} is no longer at {tier}", fault.P{"name": c.MemberName, "tier": st.From.Key})
				}
				reason := "promotion approved"
				if note != "" {
					reason += ": " + note
				}
				if err := s.promoteTx(ctx, tx, sc.Program.ID, c.Member, st, reason); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE promotion_candidates SET status = $2, decided_by = $3, decided_at = $4, note = $5 WHERE id = $1`,
				c.ID, d.Status, sc.Actor.Name, tx.Now.UnixMicro(), note); err != nil {
				return err
			}
			return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "promotion." + d.Status, ObjectKind: "member", ObjectID: c.Member,
				After: map[string]any{"candidate": ref, "from": c.From, "to": c.To, "note": note}})
		})
		if err != nil {
			fe, ok := fault.As(err)
			if !ok {
				return out, err
			}
			d.Status, d.Error = "", fe
		}
		out = append(out, d)
	}
	return out, nil
}

func findStep(ls []ladder.Ladder, ladderKey, to string) (Step, bool) {
	for _, st := range Steps(ls) {
		if st.Ladder.Key == ladderKey && st.To.Key == to {
			return st, true
		}
	}
	return Step{}, false
}

// Progress is, for each ladder a member stands on, what the next tier asks
// and where the member is: the same assessment the evaluator makes. A
// member reads their own.
func (s *Service) Progress(ctx context.Context, sc program.Scope, memberRef string) ([]Assessment, error) {
	m, err := (&member.Service{DB: s.DB}).Get(ctx, sc, memberRef)
	if err != nil {
		return nil, err
	}
	ls, err := ladder.LoadAll(ctx, s.DB, sc.Program.ID)
	if err != nil {
		return nil, err
	}
	out := []Assessment{}
	now := s.DB.Now()
	for _, st := range Steps(ls) {
		as, err := assess(ctx, s.DB.R, s.DB.Engine, sc.Program.ID, st, *st.To.Entry, sc.Program.Location(), now, m.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	return out, nil
}

// Preview says, for each tier of specs with an entry rule, how many members
// it would make candidates today (the program file editor's preview).
func (s *Service) Preview(ctx context.Context, sc program.Scope, specs []ladder.LadderSpec) (map[string]int, error) {
	ls, err := ladder.LoadAll(ctx, s.DB, sc.Program.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	now := s.DB.Now()
	for _, spec := range specs {
		var cur ladder.Ladder
		for _, l := range ls {
			if l.Key == spec.Key {
				cur = l
			}
		}
		for i := 1; i < len(spec.Tiers); i++ {
			rule := spec.Tiers[i].Entry
			if rule == nil || cur.ID == 0 {
				continue
			}
			from, ok1 := cur.Tier(spec.Tiers[i-1].Key)
			to, ok2 := cur.Tier(spec.Tiers[i].Key)
			if !ok1 || !ok2 {
				continue // a tier not yet stored has no members
			}
			as, err := assess(ctx, s.DB.R, s.DB.Engine, sc.Program.ID, Step{Ladder: cur, From: from, To: to}, *rule, sc.Program.Location(), now, 0)
			if err != nil {
				return nil, err
			}
			n := 0
			for _, a := range as {
				if a.Ready {
					n++
				}
			}
			out[spec.Key+"/"+spec.Tiers[i].Key] = n
		}
	}
	return out, nil
}
