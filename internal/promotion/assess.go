// Package promotion makes the ladder live upward (SPEC L3, L5): it weighs
// members against the entry rule of the tier above theirs — each criterion
// a figure of their record since they entered their tier — finds
// candidates with their evidence for an operator to approve or decline (or
// promotes them, where a tier says so), and tells each member exactly what
// the next tier needs and how far they are. One assessment, in SQL over
// every member of a tier at once or over one member, serves the evaluator
// and the member's progress alike, so the two never disagree.
package promotion

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/ladder"
)

// Evidence is one criterion of a rule, as one member stands against it.
type Evidence struct {
	Kind  string   `json:"kind"`
	Min   float64  `json:"min,omitempty" doc:"The threshold as written: a count, a score, a percent, days or reach."`
	Days  int      `json:"days,omitempty" doc:"no_strikes: the window in days."`
	Kinds []string `json:"kinds,omitempty"`
	// Value is the member's figure: a count, an average score (one
	// decimal), a percent (whole, rounded down), days, reach; for
	// no_strikes the strikes in the window, for nominated the nominations.
	Value float64 `json:"value"`
	Met   bool    `json:"met"`
}

// Assessment is one member against the entry rule of the tier above.
type Assessment struct {
	Member     string     `json:"member"`
	MemberName string     `json:"member_name"`
	Ladder     string     `json:"ladder"`
	From       string     `json:"from_tier"`
	To         string     `json:"to_tier"`
	Match      string     `json:"match"`
	Auto       bool       `json:"auto"`
	Since      time.Time  `json:"since" doc:"When the member entered their tier."`
	Criteria   []Evidence `json:"criteria"`
	Ready      bool       `json:"ready" doc:"The rule is met: the member is a candidate."`
	memberID   int64
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// Step is a tier with an entry rule and the tier below it, whose members
// the rule weighs.
type Step struct {
	Ladder ladder.Ladder
	From   ladder.Tier
	To     ladder.Tier
}

// Steps are the program's tiers that have an entry rule, each with the tier
// below.
func Steps(ls []ladder.Ladder) []Step {
	var out []Step
	for _, l := range ls {
		for i := 1; i < len(l.Tiers); i++ {
			if l.Tiers[i].Entry != nil {
				out = append(out, Step{Ladder: l, From: l.Tiers[i-1], To: l.Tiers[i]})
			}
		}
	}
	return out
}

// assess weighs the members standing at st.From (one of them when member is
// not 0) against st.To's entry rule, at now in the program's zone.
func assess(ctx context.Context, q querier, e db.Engine, programID int64, st Step, rule ladder.EntryRule, loc *time.Location, now time.Time, member int64) ([]Assessment, error) {
	args := []any{programID, st.From.ID}
	next := 3
	arg := func(v any) string {
		args = append(args, v)
		next++
		return "$" + strconv.Itoa(next-1)
	}
	var outer []string
	one := ""
	if member != 0 {
		one = " AND mt.member_id = " + arg(member)
	}
	var cols, joins []string
	work := false // the claims, hand-ins and reviews are joined in
	// Work at the tier is read in one pass grouped by member, as a plain
	// aggregate is: the member's claims, their hand-ins and reviews, each
	// counted where it falls after the member entered the tier. Strikes,
	// nominations and diary entries, in tables of their own, are each one
	// grouped subquery joined to the groups. Each criterion is two figures.
	approved := "r.decision = 'approved' AND r.created_at >= mt.since"
	for i, c := range rule.Criteria {
		alias := "x" + strconv.Itoa(i)
		col := "g.f" + strconv.Itoa(i)
		switch c.Kind {
		case ladder.ApprovedTasks:
			work = true
			cond := approved + " AND s.occurrence_id IS NULL"
			if len(c.Kinds) > 0 {
				var in string
				var vals []any
				in, vals, next = db.In(e, "t.kind", next, c.Kinds)
				args = append(args, vals...)
				cond += " AND c.task_id IN (SELECT t.id FROM tasks t WHERE t.program_id = $1 AND " + in + ")"
			}
			// A claim has one approved hand-in (outside diaries): no DISTINCT.
			cols = append(cols, "COUNT(CASE WHEN "+cond+" THEN 1 END) AS f"+strconv.Itoa(i)+"a, 0 AS f"+strconv.Itoa(i)+"b")
		case ladder.AverageScore:
			work = true
			cols = append(cols, "COALESCE(SUM(CASE WHEN "+approved+" AND r.score > 0 THEN r.score END), 0) AS f"+strconv.Itoa(i)+"a",
				"COUNT(CASE WHEN "+approved+" AND r.score > 0 THEN 1 END) AS f"+strconv.Itoa(i)+"b")
		case ladder.OnTimeRate:
			// Of the tasks taken at the tier that were handed in (counted
			// by their first hand-in) or ran out of time untouched, those
			// handed in: the deadline refuses a late one.
			work = true
			taken := "c.created_at >= mt.since AND "
			cols = append(cols, "COUNT(CASE WHEN "+taken+"c.status <> 'expired' AND s.version = 1 AND s.occurrence_id IS NULL THEN 1 END) AS f"+strconv.Itoa(i)+"a",
				"COUNT(CASE WHEN "+taken+"((s.version = 1 AND s.occurrence_id IS NULL) OR (s.id IS NULL AND c.status = 'expired')) THEN 1 END) AS f"+strconv.Itoa(i)+"b")
		case ladder.Reach:
			work = true
			cols = append(cols, "COALESCE(SUM(CASE WHEN "+approved+" THEN s.reach END), 0) AS f"+strconv.Itoa(i)+"a, 0 AS f"+strconv.Itoa(i)+"b")
		default:
			cols = append(cols, "0 AS f"+strconv.Itoa(i)+"a, 0 AS f"+strconv.Itoa(i)+"b")
		}
		switch c.Kind {
		case ladder.ObligationsKept:
			joins = append(joins, " LEFT JOIN (SELECT c.member_id, COUNT(*) AS a FROM task_claims c JOIN task_occurrences o ON o.claim_id = c.id"+
				" JOIN member_tiers k ON k.member_id = c.member_id AND k.tier_id = $2 WHERE c.program_id = $1 AND o.status = 'approved'"+
				" AND o.due_at >= k.since GROUP BY c.member_id) "+alias+" ON "+alias+".member_id = g.member_id")
			col = "COALESCE(" + alias + ".a, 0)"
		case ladder.NoStrikes:
			joins = append(joins, " LEFT JOIN (SELECT member_id, COUNT(*) AS a FROM member_strikes WHERE program_id = $1 AND at >= "+
				arg(now.Add(-time.Duration(c.Days)*24*time.Hour).UnixMicro())+" GROUP BY member_id) "+alias+" ON "+alias+".member_id = g.member_id")
			col = "COALESCE(" + alias + ".a, 0)"
		case ladder.Nominated:
			joins = append(joins, " LEFT JOIN (SELECT member_id, MAX(at) AS a FROM tier_nominations WHERE program_id = $1 AND tier_id = "+
				arg(st.To.ID)+" GROUP BY member_id) "+alias+" ON "+alias+".member_id = g.member_id")
			col = "CASE WHEN " + alias + ".a >= g.since THEN 1 ELSE 0 END"
		}
		if col == "g.f"+strconv.Itoa(i) {
			col = "g.f" + strconv.Itoa(i) + "a, g.f" + strconv.Itoa(i) + "b"
		} else {
			col += ", 0"
		}
		outer = append(outer, col)
	}
	// One level: the tier's members in member order (its index), their
	// records joined in and grouped by member without a sort; grouping by
	// the member's key as well lets PostgreSQL read the member's columns.
	query := `SELECT g.member_id, g.public_id, g.name, g.since`
	for _, c := range outer {
		query += ", " + c
	}
	inner := `SELECT mt.member_id, m.public_id, m.name, mt.since`
	for _, c := range cols {
		inner += ", " + c
	}
	inner += ` FROM member_tiers mt JOIN members m ON m.id = mt.member_id`
	if work {
		inner += ` LEFT JOIN task_claims c ON c.program_id = mt.program_id AND c.member_id = mt.member_id
			LEFT JOIN submissions s ON s.claim_id = c.id LEFT JOIN reviews r ON r.submission_id = s.id`
	}
	inner += ` WHERE mt.program_id = $1 AND mt.tier_id = $2 AND m.status = 'active'` + one + ` GROUP BY mt.member_id, mt.since, m.id`
	query += ` FROM (` + inner + `) g` + strings.Join(joins, "")
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("assess %s/%s: %w", st.Ladder.Key, st.To.Key, err)
	}
	defer rows.Close()
	today := localDay(now, loc)
	var out []Assessment
	figures := make([]int64, 2*len(rule.Criteria))
	dest := make([]any, 4+len(figures))
	for rows.Next() {
		a := Assessment{Ladder: st.Ladder.Key, From: st.From.Key, To: st.To.Key, Match: rule.Match, Auto: rule.Auto}
		var since int64
		dest[0], dest[1], dest[2], dest[3] = &a.memberID, &a.Member, &a.MemberName, &since
		for i := range figures {
			dest[4+i] = &figures[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		a.Since = time.UnixMicro(since).UTC()
		if rule.Criteria != nil {
			a.Criteria = make([]Evidence, len(rule.Criteria))
		}
		met := 0
		for i, c := range rule.Criteria {
			x, y := figures[2*i], figures[2*i+1]
			if c.Kind == ladder.TenureDays {
				x = int64(today.Sub(localDay(a.Since, loc)).Hours() / 24)
			}
			a.Criteria[i] = weigh(c, x, y)
			if a.Criteria[i].Met {
				met++
			}
		}
		a.Ready = (rule.Match == "any" && met > 0) || (rule.Match != "any" && met == len(rule.Criteria))
		out = append(out, a)
	}
	return out, rows.Err()
}

// weigh compares a member's figures (a, and b where a ratio needs it) with
// a criterion, in integers: exactly at the threshold meets it.
func weigh(c ladder.Criterion, a, b int64) Evidence {
	ev := Evidence{Kind: c.Kind, Min: c.Min, Days: c.Days, Kinds: c.Kinds}
	t := c.Threshold()
	switch c.Kind {
	case ladder.AverageScore: // a: the sum of scores, b: how many; t: tenths
		if b > 0 {
			ev.Value = float64(a*10/b) / 10
			ev.Met = a*10 >= t*b
		}
	case ladder.OnTimeRate: // a: on time, b: hand-ins; t: percent
		if b > 0 {
			ev.Value = float64(a * 100 / b)
			ev.Met = a*100 >= t*b
		}
	case ladder.NoStrikes:
		ev.Value, ev.Met = float64(a), a == 0
	case ladder.Nominated:
		ev.Value, ev.Met = float64(a), a > 0
	default:
		ev.Value, ev.Met = float64(a), a >= t
	}
	return ev
}

// localDay is the start of t's day in loc, as a date (UTC midnight), for
// whole days between dates.
func localDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
