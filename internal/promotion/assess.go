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
	one := ""
	if member != 0 {
		one = " AND mt.member_id = " + arg(member)
	}
	var cols, joins []string
	// Each criterion is one grouped subquery over the members of the tier,
	// joined by member: a plain aggregate each, whatever the tier's size.
	for i, c := range rule.Criteria {
		alias := "c" + strconv.Itoa(i)
		sub := ""
		switch c.Kind {
		case ladder.ApprovedTasks:
			kinds := ""
			if len(c.Kinds) > 0 {
				var in string
				var vals []any
				in, vals, next = db.In(e, "t.kind", next, c.Kinds)
				args = append(args, vals...)
				kinds = " JOIN tasks t ON t.id = c.task_id AND " + in
			}
			sub = `SELECT c.member_id, COUNT(*) AS a, 0 AS b FROM at JOIN task_claims c ON c.member_id = at.member_id` + kinds + `
				JOIN submissions s ON s.claim_id = c.id JOIN reviews r ON r.submission_id = s.id
				WHERE r.decision = 'approved' AND s.occurrence_id IS NULL AND r.created_at >= at.since GROUP BY c.member_id`
		case ladder.AverageScore:
			sub = `SELECT c.member_id, SUM(r.score) AS a, COUNT(*) AS b FROM at JOIN task_claims c ON c.member_id = at.member_id
				JOIN submissions s ON s.claim_id = c.id JOIN reviews r ON r.submission_id = s.id
				WHERE r.decision = 'approved' AND r.score > 0 AND r.created_at >= at.since GROUP BY c.member_id`
		case ladder.OnTimeRate:
			// Of the tasks taken at the tier that were handed in or ran out
			// of time, those handed in (the deadline refuses a late one).
			sub = `SELECT c.member_id, SUM(CASE WHEN c.status = 'expired' THEN 0 ELSE 1 END) AS a, COUNT(*) AS b
				FROM at JOIN task_claims c ON c.member_id = at.member_id
				WHERE c.created_at >= at.since AND (c.status = 'expired' OR EXISTS (SELECT 1 FROM submissions s WHERE s.claim_id = c.id))
				GROUP BY c.member_id`
		case ladder.Reach:
			sub = `SELECT c.member_id, SUM(s.reach) AS a, 0 AS b FROM at JOIN task_claims c ON c.member_id = at.member_id
				JOIN submissions s ON s.claim_id = c.id JOIN reviews r ON r.submission_id = s.id
				WHERE r.decision = 'approved' AND r.created_at >= at.since GROUP BY c.member_id`
		case ladder.ObligationsKept:
			sub = `SELECT c.member_id, COUNT(*) AS a, 0 AS b FROM at JOIN task_claims c ON c.member_id = at.member_id
				JOIN task_occurrences o ON o.claim_id = c.id WHERE o.status = 'approved' AND o.due_at >= at.since GROUP BY c.member_id`
		case ladder.NoStrikes:
			sub = `SELECT x.member_id, COUNT(*) AS a, 0 AS b FROM at JOIN member_strikes x ON x.member_id = at.member_id
				WHERE x.at >= ` + arg(now.Add(-time.Duration(c.Days)*24*time.Hour).UnixMicro()) + ` GROUP BY x.member_id`
		case ladder.Nominated:
			sub = `SELECT x.member_id, COUNT(*) AS a, 0 AS b FROM at JOIN tier_nominations x ON x.member_id = at.member_id
				WHERE x.tier_id = ` + arg(st.To.ID) + ` AND x.at >= at.since GROUP BY x.member_id`
		case ladder.TenureDays:
			cols = append(cols, "0", "0")
			continue
		}
		joins = append(joins, " LEFT JOIN ("+sub+") "+alias+" ON "+alias+".member_id = at.member_id")
		cols = append(cols, "COALESCE("+alias+".a, 0)", "COALESCE("+alias+".b, 0)")
	}
	query := `WITH at AS (SELECT mt.member_id, mt.since FROM member_tiers mt JOIN members m ON m.id = mt.member_id
		WHERE mt.program_id = $1 AND mt.tier_id = $2 AND m.status = 'active'` + one + `)
		SELECT at.member_id, m.public_id, m.name, at.since`
	for _, c := range cols {
		query += ", " + c
	}
	query += " FROM at JOIN members m ON m.id = at.member_id" + strings.Join(joins, "") + " ORDER BY at.member_id"
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
