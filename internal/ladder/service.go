package ladder

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Service holds ladders.
type Service struct {
	DB *db.DB
}

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// Validate checks a program's ladders as written, naming every problem with
// its place (ladders[0].tiers[2].resource).
func Validate(specs []LadderSpec) error {
	var f fault.Fields
	text := func(at string, t Text, required bool) {
		if required && (strings.TrimSpace(t.Zh) == "" || strings.TrimSpace(t.En) == "") {
			f.Add(at, "bilingual", "needs both zh and en")
		}
		if len([]rune(t.Zh)) > 100 || len([]rune(t.En)) > 100 {
			f.MaxLength(at, 100)
		}
	}
	if len(specs) > 10 {
		f.MaxItems("ladders", 10)
	}
	ladderKeys := map[string]bool{}
	for i, l := range specs {
		at := fmt.Sprintf("ladders[%d]", i)
		if !keyRE.MatchString(l.Key) {
			f.Add(at+".key", "key", "must be 1 to 40 lowercase letters, digits, - or _, starting with a letter")
		} else if ladderKeys[l.Key] {
			f.Add(at+".key", "duplicate", "{key} is used by another ladder", fault.P{"key": l.Key})
		}
		ladderKeys[l.Key] = true
		text(at+".name", l.Name, true)
		if l.Role != "" && !valid(member.Role(l.Role), member.Roles) {
			f.OneOf(at+".role", fault.Names(member.Roles))
		}
		if len(l.Tiers) == 0 || len(l.Tiers) > 12 {
			f.Add(at+".tiers", "items", "must have {min} to {max} entries", fault.P{"min": 1, "max": 12})
		}
		tierKeys := map[string]bool{}
		for j, t := range l.Tiers {
			tat := fmt.Sprintf("%s.tiers[%d]", at, j)
			if !keyRE.MatchString(t.Key) {
				f.Add(tat+".key", "key", "must be 1 to 40 lowercase letters, digits, - or _, starting with a letter")
			} else if tierKeys[t.Key] {
				f.Add(tat+".key", "duplicate", "{key} is used by another tier of this ladder", fault.P{"key": t.Key})
			}
			tierKeys[t.Key] = true
			text(tat+".name", t.Name, true)
			text(tat+".title", t.Title, false)
			if !valid(t.Resource, Resources) {
				f.OneOf(tat+".resource", fault.Names(Resources))
			}
			if !valid(t.ValueExchange, ValueExchanges) {
				f.OneOf(tat+".value_exchange", fault.Names(ValueExchanges))
			}
			if !valid(t.BudgetLayer, BudgetLayers) {
				f.OneOf(tat+".budget_layer", fault.Names(BudgetLayers))
			}
			if len(t.Benefits) > 20 {
				f.MaxItems(tat+".benefits", 20)
			}
			for k, b := range t.Benefits {
				text(fmt.Sprintf("%s.benefits[%d]", tat, k), b, true)
			}
			checkEntry(&f, tat+".entry", t.Entry, j == 0)
			checkKeep(&f, tat+".keep", t.Keep)
		}
	}
	return f.Err()
}

// Change is one line of what an apply did (or would do).
type Change struct {
	Op   string `json:"op" yaml:"op"` // create, update, delete
	What string `json:"what" yaml:"what"`
}

func (c Change) String() string {
	sign := map[string]string{"create": "+", "update": "~", "delete": "-"}[c.Op]
	return sign + " " + c.What
}

// ApplyTx makes the program's ladders what specs say, matching ladders and
// tiers by key: it creates what is new, updates what differs, and removes
// what the specs leave out — unless members stand on it or a live task names
// it, which fails the whole apply. A removed tier that members' history
// names is retired rather than deleted (so is its ladder), and comes back
// if a later file names it again. Every change is audited. It returns the
// changes, in order.
func ApplyTx(ctx context.Context, tx *db.Tx, programID int64, specs []LadderSpec) ([]Change, error) {
	if err := Validate(specs); err != nil {
		return nil, err
	}
	current, err := load(ctx, tx, programID)
	if err != nil {
		return nil, err
	}
	byKey := map[string]Ladder{}
	for _, l := range current {
		byKey[l.Key] = l
	}
	var changes []Change
	now := tx.Now.UnixMicro()
	seen := map[string]bool{}
	for pos, spec := range specs {
		seen[spec.Key] = true
		old, exists := byKey[spec.Key]
		var ladderID int64
		if !exists {
			err := tx.QueryRowContext(ctx, `INSERT INTO ladders (program_id, public_id, key, name_zh, name_en, member_role, position,
				created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
				ON CONFLICT (program_id, key) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
				member_role = excluded.member_role, position = excluded.position, updated_at = excluded.updated_at, retired_at = 0
				RETURNING id`,
				programID, pubid.New("lad"), spec.Key, spec.Name.Zh, spec.Name.En, spec.Role, pos+1, now).Scan(&ladderID)
			if err != nil {
				return nil, fmt.Errorf("create ladder: %w", db.MapError(err))
			}
			changes = append(changes, Change{"create", "ladder " + spec.Key})
		} else {
			ladderID = old.ID
			if old.Name != spec.Name || old.Role != spec.Role || !samePosition(current, spec.Key, pos) {
				if _, err := tx.ExecContext(ctx, `UPDATE ladders SET name_zh = $2, name_en = $3, member_role = $4, position = $5, updated_at = $6
					WHERE id = $1`, ladderID, spec.Name.Zh, spec.Name.En, spec.Role, pos+1, now); err != nil {
					return nil, err
				}
				changes = append(changes, Change{"update", "ladder " + spec.Key})
			}
		}
		tierChanges, err := applyTiers(ctx, tx, programID, ladderID, spec, old.Tiers, now)
		if err != nil {
			return nil, err
		}
		changes = append(changes, tierChanges...)
	}
	for _, l := range current {
		if seen[l.Key] {
			continue
		}
		for _, t := range l.Tiers {
			if err := deleteTier(ctx, tx, l.Key, t); err != nil {
				return nil, err
			}
		}
		// Retired tiers keep their ladder for the history that names them.
		if _, err := tx.ExecContext(ctx, `UPDATE ladders SET retired_at = $2 WHERE id = $1
			AND EXISTS (SELECT 1 FROM tiers WHERE ladder_id = $1)`, l.ID, now); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ladders WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM tiers WHERE ladder_id = $1)`, l.ID); err != nil {
			return nil, err
		}
		changes = append(changes, Change{"delete", "ladder " + l.Key})
	}
	if len(changes) > 0 {
		after, err := load(ctx, tx, programID)
		if err != nil {
			return nil, err
		}
		err = program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "ladders.apply", ObjectKind: "ladders",
			ObjectID: "all", Before: specsOf(current), After: map[string]any{"ladders": specsOf(after), "changes": changes}})
		if err != nil {
			return nil, err
		}
	}
	return changes, nil
}

func specsOf(ls []Ladder) []LadderSpec {
	out := make([]LadderSpec, len(ls))
	for i, l := range ls {
		out[i] = l.Spec()
	}
	return out
}

func samePosition(current []Ladder, key string, pos int) bool {
	return pos < len(current) && current[pos].Key == key
}

func applyTiers(ctx context.Context, tx *db.Tx, programID, ladderID int64, spec LadderSpec, old []Tier, now int64) ([]Change, error) {
	var changes []Change
	byKey := map[string]Tier{}
	for _, t := range old {
		byKey[t.Key] = t
	}
	seen := map[string]bool{}
	for i, t := range spec.Tiers {
		seen[t.Key] = true
		rank := i + 1
		benefits, entry, keep := encode(t)
		prev, exists := byKey[t.Key]
		name := spec.Key + "/" + t.Key
		switch {
		case !exists:
			_, err := tx.ExecContext(ctx, `INSERT INTO tiers (program_id, ladder_id, public_id, key, rank, name_zh, name_en, title_zh, title_en,
				resource, value_exchange, budget_layer, benefits, entry_rules, keep_rules, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
				ON CONFLICT (ladder_id, key) DO UPDATE SET rank = excluded.rank, name_zh = excluded.name_zh, name_en = excluded.name_en,
				title_zh = excluded.title_zh, title_en = excluded.title_en, resource = excluded.resource,
				value_exchange = excluded.value_exchange, budget_layer = excluded.budget_layer, benefits = excluded.benefits,
				entry_rules = excluded.entry_rules, keep_rules = excluded.keep_rules, updated_at = excluded.updated_at, retired_at = 0`,
				programID, ladderID, pubid.New("tier"), t.Key, rank, t.Name.Zh, t.Name.En, t.Title.Zh, t.Title.En, string(t.Resource),
				string(t.ValueExchange), string(t.BudgetLayer), benefits, entry, keep, now)
			if err != nil {
				return nil, fmt.Errorf("create tier: %w", db.MapError(err))
			}
			changes = append(changes, Change{"create", "tier " + name})
		case prev.Rank != rank || !reflect.DeepEqual(normalized(prev.TierSpec), normalized(t)):
			_, err := tx.ExecContext(ctx, `UPDATE tiers SET rank = $2, name_zh = $3, name_en = $4, title_zh = $5, title_en = $6, resource = $7,
				value_exchange = $8, budget_layer = $9, benefits = $10, entry_rules = $11, keep_rules = $12, updated_at = $13 WHERE id = $1`,
				prev.ID, rank, t.Name.Zh, t.Name.En, t.Title.Zh, t.Title.En, string(t.Resource), string(t.ValueExchange),
				string(t.BudgetLayer), benefits, entry, keep, now)
			if err != nil {
				return nil, err
			}
			changes = append(changes, Change{"update", "tier " + name})
		}
	}
	for _, t := range old {
		if !seen[t.Key] {
			if err := deleteTier(ctx, tx, spec.Key, t); err != nil {
				return nil, err
			}
			changes = append(changes, Change{"delete", "tier " + spec.Key + "/" + t.Key})
		}
	}
	return changes, nil
}

func deleteTier(ctx context.Context, tx *db.Tx, ladderKey string, t Tier) error {
	name := ladderKey + "/" + t.Key
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM member_tiers WHERE tier_id = $1`, t.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fault.New(fault.Conflict, "tier.has_members", "tier {tier} has {count} members: move them to another tier before removing it",
			fault.P{"tier": name, "count": n})
	}
	rows, err := tx.QueryContext(ctx, `SELECT ref FROM tier_refs WHERE tier_id = $1 ORDER BY ref LIMIT 20`, t.ID)
	refs, err := db.Collect(rows, err, func(r *sql.Rows) (string, error) {
		var ref string
		return ref, r.Scan(&ref)
	})
	if err != nil {
		return err
	}
	if len(refs) > 0 {
		return fault.New(fault.Conflict, "tier.in_use", "tier {tier} is named by {refs}: change or cancel them before removing it",
			fault.P{"tier": name, "refs": refs})
	}
	var history bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tier_changes WHERE from_tier_id = $1 OR to_tier_id = $1)`, t.ID).Scan(&history); err != nil {
		return err
	}
	if history {
		_, err := tx.ExecContext(ctx, `UPDATE tiers SET retired_at = $2 WHERE id = $1`, t.ID, tx.Now.UnixMicro())
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM tiers WHERE id = $1`, t.ID)
	return err
}

// ReferTx records that ref (a task: "task:tsk_…") names a tier of the
// program, replacing what ref named before; an empty ladder key names
// none. A tier that something names cannot be removed.
func ReferTx(ctx context.Context, tx *db.Tx, programID int64, ref, ladderKey, tierKey string) error {
	if err := UnreferTx(ctx, tx, programID, ref); err != nil || ladderKey == "" {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO tier_refs (program_id, tier_id, ref)
		SELECT $1, t.id, $2 FROM tiers t JOIN ladders l ON l.id = t.ladder_id
		WHERE l.program_id = $1 AND l.key = $3 AND t.key = $4 AND t.retired_at = 0`, programID, ref, ladderKey, tierKey)
	return err
}

// UnreferTx forgets what ref named.
func UnreferTx(ctx context.Context, tx *db.Tx, programID int64, ref string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM tier_refs WHERE program_id = $1 AND ref = $2`, programID, ref)
	return err
}

// normalized makes empty and missing the same for comparison.
func normalized(t TierSpec) TierSpec {
	if len(t.Benefits) == 0 {
		t.Benefits = nil
	}
	if t.Entry != nil && len(t.Entry.Criteria) == 0 {
		t.Entry.Criteria = nil
	}
	return t
}

func encode(t TierSpec) (benefits, entry, keep string) {
	bs := t.Benefits
	if bs == nil {
		bs = []Text{}
	}
	b, _ := json.Marshal(bs)
	if t.Entry != nil {
		e, _ := json.Marshal(t.Entry)
		entry = string(e)
	}
	if t.Keep != nil {
		k, _ := json.Marshal(t.Keep)
		keep = string(k)
	}
	return string(b), entry, keep
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// load reads a program's ladders with their tiers, in order.
func load(ctx context.Context, q querier, programID int64) ([]Ladder, error) {
	return loadFor(ctx, q, programID, "")
}

// loadFor reads the ladders for members of role ("" for every ladder).
func loadFor(ctx context.Context, q querier, programID int64, role string) ([]Ladder, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, public_id, key, name_zh, name_en, member_role, updated_at FROM ladders
		WHERE program_id = $1 AND retired_at = 0 AND ($2 = '' OR member_role = '' OR member_role = $2) ORDER BY position, id`, programID, role)
	if err != nil {
		return nil, fmt.Errorf("ladders: %w", db.MapError(err))
	}
	var out []Ladder
	idx := map[int64]int{}
	for rows.Next() {
		var l Ladder
		var updated int64
		if err := rows.Scan(&l.ID, &l.PublicID, &l.Key, &l.Name.Zh, &l.Name.En, &l.Role, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		l.UpdatedAt = time.UnixMicro(updated).UTC()
		l.Tiers = []Tier{}
		idx[l.ID] = len(out)
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, ladder_id, public_id, key, rank, name_zh, name_en, title_zh, title_en, resource,
		value_exchange, budget_layer, benefits, entry_rules, keep_rules FROM tiers WHERE program_id = $1 AND retired_at = 0
		ORDER BY ladder_id, rank, id`, programID)
	if err != nil {
		return nil, fmt.Errorf("tiers: %w", db.MapError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var t Tier
		var ladderID int64
		var benefits, entry, keep string
		if err := rows.Scan(&t.ID, &ladderID, &t.PublicID, &t.Key, &t.Rank, &t.Name.Zh, &t.Name.En, &t.Title.Zh, &t.Title.En,
			&t.Resource, &t.ValueExchange, &t.BudgetLayer, &benefits, &entry, &keep); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(benefits), &t.Benefits)
		if entry != "" && entry != "null" {
			t.Entry = new(EntryRule)
			_ = json.Unmarshal([]byte(entry), t.Entry)
		}
		if keep != "" && keep != "null" {
			t.Keep = new(KeepRule)
			_ = json.Unmarshal([]byte(keep), t.Keep)
		}
		if i, ok := idx[ladderID]; ok {
			out[i].Tiers = append(out[i].Tiers, t)
		}
	}
	return out, rows.Err()
}

// LoadTx reads a program's ladders inside tx.
func LoadTx(ctx context.Context, tx *db.Tx, programID int64) ([]Ladder, error) {
	return load(ctx, tx, programID)
}

// Ladders lists the scope's program's ladders; everyone in the program may
// read them (members see what the next rung holds). role, when given, keeps
// the ladders for that kind of member and those for everyone.
func (s *Service) Ladders(ctx context.Context, sc program.Scope, role member.Role) ([]Ladder, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return nil, err
	}
	return loadFor(ctx, s.DB.R, sc.Program.ID, string(role))
}

// Apply applies specs to the scope's program (see ApplyTx).
func (s *Service) Apply(ctx context.Context, sc program.Scope, specs []LadderSpec) ([]Change, error) {
	if err := sc.Require(program.PermLaddersWrite); err != nil {
		return nil, err
	}
	var changes []Change
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		changes, err = ApplyTx(ctx, tx, sc.Program.ID, specs)
		return err
	})
	return changes, err
}

// CreateDefaultTx gives a new program the default template; programs'
// creation calls it (see program.Service.OnCreate).
func CreateDefaultTx(ctx context.Context, tx *db.Tx, p program.Program) error {
	_, err := ApplyTx(ctx, tx, p.ID, DefaultTemplate())
	return err
}

// Standing is where a member stands on one ladder.
type Standing struct {
	Ladder     string    `json:"ladder"`
	LadderName Text      `json:"ladder_name"`
	Tier       string    `json:"tier"`
	Rank       int       `json:"rank"`
	Name       Text      `json:"name"`
	Title      Text      `json:"title"`
	Since      time.Time `json:"since"`
}

// Standings lists where a member stands on each ladder. A member may read
// their own.
func (s *Service) Standings(ctx context.Context, sc program.Scope, memberRef string) ([]Standing, error) {
	m, err := (&member.Service{DB: s.DB}).Get(ctx, sc, memberRef)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT l.key, l.name_zh, l.name_en, t.key, t.rank, t.name_zh, t.name_en, t.title_zh, t.title_en, mt.since
		FROM member_tiers mt JOIN ladders l ON l.id = mt.ladder_id JOIN tiers t ON t.id = mt.tier_id
		WHERE mt.member_id = $1 ORDER BY l.position, l.id`, m.ID)
	if err != nil {
		return nil, db.MapError(err)
	}
	defer rows.Close()
	out := []Standing{}
	for rows.Next() {
		var st Standing
		var since int64
		if err := rows.Scan(&st.Ladder, &st.LadderName.Zh, &st.LadderName.En, &st.Tier, &st.Rank, &st.Name.Zh, &st.Name.En, &st.Title.Zh, &st.Title.En, &since); err != nil {
			return nil, err
		}
		st.Since = time.UnixMicro(since).UTC()
		out = append(out, st)
	}
	return out, rows.Err()
}

// SetTier moves a member to a tier of a ladder by hand, with a reason;
// audited and kept in the member's tier history. The rule engine (L3, L4)
// moves members through the same SetTierTx.
func (s *Service) SetTier(ctx context.Context, sc program.Scope, memberRef, ladderKey, tierKey, reason string) (Standing, error) {
	if err := sc.Require(program.PermTiersAssign); err != nil {
		return Standing{}, err
	}
	var st Standing
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		st, err = SetTierTx(ctx, tx, sc.Program.ID, memberRef, ladderKey, tierKey, reason)
		return err
	})
	return st, err
}

// moved are what a move of a member's tier sets going, in its transaction.
var moved []func(ctx context.Context, tx *db.Tx, programID, memberID int64) error

// OnMove registers what must follow, in the same transaction, whenever a
// member's tier changes, for a package the ladder must not import (a loan
// that comes back when its member leaves the loan's rung). Call it from
// an init function.
func OnMove(fn func(ctx context.Context, tx *db.Tx, programID, memberID int64) error) {
	moved = append(moved, fn)
}

// SetTierTx moves a member to a tier inside tx.
func SetTierTx(ctx context.Context, tx *db.Tx, programID int64, memberRef, ladderKey, tierKey, reason string) (Standing, error) {
	reason = strings.TrimSpace(reason)
	var f fault.Fields
	if ladderKey == "" {
		f.Required("ladder")
	}
	if tierKey == "" {
		f.Required("tier")
	}
	if reason == "" || len([]rune(reason)) > 500 {
		f.Length("reason", 1, 500)
	}
	if err := f.Err(); err != nil {
		return Standing{}, err
	}
	m, err := member.LookupTx(ctx, tx, programID, memberRef)
	if err != nil {
		return Standing{}, err
	}
	ladders, err := load(ctx, tx, programID)
	if err != nil {
		return Standing{}, err
	}
	var l Ladder
	for _, x := range ladders {
		if x.Key == ladderKey {
			l = x
		}
	}
	if l.ID == 0 {
		return Standing{}, fault.New(fault.NotFound, "ladder.not_found", "ladder {ref} not found", fault.P{"ref": ladderKey})
	}
	if l.Role != "" && string(m.Role) != l.Role {
		var f fault.Fields
		f.Add("ladder", "ladder.wrong_role", "ladder {ladder} is for {role} members; {name} is {member_role}",
			fault.P{"ladder": l.Key, "role": l.Role, "name": m.Name, "member_role": string(m.Role)})
		return Standing{}, f.Err()
	}
	t, ok := l.Tier(tierKey)
	if !ok {
		var f fault.Fields
		f.Add("tier", "not_found", "ladder {ladder} has no tier {tier}", fault.P{"ladder": l.Key, "tier": tierKey})
		return Standing{}, f.Err()
	}
	var from sql.NullInt64
	var fromKey sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT mt.tier_id, t.key FROM member_tiers mt JOIN tiers t ON t.id = mt.tier_id
		WHERE mt.member_id = $1 AND mt.ladder_id = $2`+tx.ForUpdateOf("mt"), m.ID, l.ID).Scan(&from, &fromKey)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Standing{}, err
	}
	st := Standing{Ladder: l.Key, LadderName: l.Name, Tier: t.Key, Rank: t.Rank, Name: t.Name, Title: t.Title, Since: tx.Now}
	if from.Valid && from.Int64 == t.ID {
		return st, nil // already there
	}
	now := tx.Now.UnixMicro()
	if from.Valid {
		_, err = tx.ExecContext(ctx, `UPDATE member_tiers SET tier_id = $3, since = $4 WHERE member_id = $1 AND ladder_id = $2`, m.ID, l.ID, t.ID, now)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO member_tiers (program_id, member_id, ladder_id, tier_id, since) VALUES ($1, $2, $3, $4, $5)`,
			programID, m.ID, l.ID, t.ID, now)
	}
	if err != nil {
		return Standing{}, err
	}
	actor, _ := program.ActorFrom(ctx)
	if _, err := tx.ExecContext(ctx, `INSERT INTO tier_changes (program_id, member_id, ladder_id, from_tier_id, to_tier_id, reason, actor, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, programID, m.ID, l.ID, from, t.ID, reason, actor.PublicID, now); err != nil {
		return Standing{}, err
	}
	for _, fn := range moved {
		if err := fn(ctx, tx, programID, m.ID); err != nil {
			return Standing{}, err
		}
	}
	var before any
	if fromKey.Valid {
		before = map[string]string{"ladder": l.Key, "tier": fromKey.String}
	}
	return st, program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "member.tier", ObjectKind: "member", ObjectID: m.PublicID,
		Before: before, After: map[string]string{"ladder": l.Key, "tier": t.Key, "reason": reason}})
}

// OnTier is the member-list condition "stands on tier ref", ref written
// ladder/tier (main/experience): one subquery, whatever the tier's size.
func OnTier(ref string) (db.Cond, error) {
	if l, t, ok := strings.Cut(ref, "/"); !ok || !keyRE.MatchString(l) || !keyRE.MatchString(t) {
		return db.Cond{}, fault.Field("query.tier", "tier_ref", "must be ladder/tier, such as main/experience")
	}
	return db.Cond{SQL: `m.id IN (SELECT mt.member_id FROM member_tiers mt JOIN tiers t ON t.id = mt.tier_id
		JOIN ladders l ON l.id = mt.ladder_id WHERE mt.program_id = m.program_id AND l.key || '/' || t.key = $?)`, Arg: ref}, nil
}

// Move is one change of a member's tier on a ladder, with its reason.
type Move struct {
	Ladder Text      `json:"ladder"`
	From   Text      `json:"from"` // empty on the member's first rung
	To     Text      `json:"to"`
	Reason string    `json:"reason"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

// History lists a member's moves between tiers, newest first (a member
// may read their own).
func (s *Service) History(ctx context.Context, sc program.Scope, memberRef string, limit int) ([]Move, error) {
	if err := db.CheckLimit(limit); err != nil {
		return nil, err
	}
	m, err := (&member.Service{DB: s.DB}).Get(ctx, sc, memberRef)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT l.name_zh, l.name_en, coalesce(f.name_zh, ''), coalesce(f.name_en, ''),
		coalesce(t.name_zh, ''), coalesce(t.name_en, ''), c.reason, c.actor, c.at
		FROM tier_changes c JOIN ladders l ON l.id = c.ladder_id LEFT JOIN tiers f ON f.id = c.from_tier_id LEFT JOIN tiers t ON t.id = c.to_tier_id
		WHERE c.member_id = $1 ORDER BY c.id DESC LIMIT $2`, m.ID, limit)
	if err != nil {
		return nil, db.MapError(err)
	}
	defer rows.Close()
	out := []Move{}
	for rows.Next() {
		var mv Move
		var at int64
		if err := rows.Scan(&mv.Ladder.Zh, &mv.Ladder.En, &mv.From.Zh, &mv.From.En, &mv.To.Zh, &mv.To.En, &mv.Reason, &mv.Actor, &at); err != nil {
			return nil, err
		}
		mv.At = time.UnixMicro(at).UTC()
		out = append(out, mv)
	}
	return out, rows.Err()
}

// LoadAll reads a program's ladders with their tiers outside a transaction.
func LoadAll(ctx context.Context, d *db.DB, programID int64) ([]Ladder, error) {
	return load(ctx, d.R, programID)
}
