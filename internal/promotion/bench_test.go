package promotion_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ladder"
	"kox/internal/member"
)

const benchMembers = 100_000

// BenchmarkEvaluation weighs 100,000 members of one tier against an entry
// rule of four criteria (approved tasks, average score, on-time rate, no
// strikes) beside a plain aggregate query over the same rows (the tier's
// members with their claims, hand-ins and reviews, counted by member),
// each the median of 5 runs, on
// each engine. scripts/bench holds the evaluation to at most twice the
// aggregate.
func BenchmarkEvaluation(b *testing.B) {
	for _, e := range dbtest.Engines {
		b.Run(string(e), func(b *testing.B) {
			d := dbtest.Open(b, e)
			w := apptest.New(b, d, time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC))
			rule := &ladder.EntryRule{Match: "all", Criteria: []ladder.Criterion{{Kind: ladder.ApprovedTasks, Min: 2},
				{Kind: ladder.AverageScore, Min: 4}, {Kind: ladder.OnTimeRate, Min: 80}, {Kind: ladder.NoStrikes, Days: 90}}}
			specs := ladder.DefaultTemplate()
			specs[0].Tiers[1].Entry = rule
			if _, err := w.A.Ladders.Apply(w.Ctx, w.SC, specs); err != nil {
				b.Fatal(err)
			}
			seedRecords(b, w, d)
			ctx := context.Background()
			pid := w.SC.Program.ID
			// The baseline reads the same rows and the same columns the rule
			// reads — the tier's members with their claims, hand-ins, reviews
			// and strikes — and only sums them up by member.
			var tier int64
			if err := d.R.QueryRow(`SELECT t.id FROM tiers t JOIN ladders l ON l.id = t.ladder_id WHERE l.program_id = $1 AND l.key = 'main'
				AND t.key = 'information'`, pid).Scan(&tier); err != nil {
				b.Fatal(err)
			}
			aggregate := func() {
				rows, err := d.R.QueryContext(ctx, `SELECT mt.member_id, MAX(mt.since), COUNT(r.decision), SUM(r.score), MAX(r.created_at),
					COUNT(s.occurrence_id), MAX(s.version), MAX(c.created_at), COUNT(c.status), (SELECT COUNT(*) FROM member_strikes x WHERE x.member_id = mt.member_id)
					FROM member_tiers mt LEFT JOIN task_claims c ON c.program_id = mt.program_id AND c.member_id = mt.member_id
					LEFT JOIN submissions s ON s.claim_id = c.id LEFT JOIN reviews r ON r.submission_id = s.id
					WHERE mt.program_id = $1 AND mt.tier_id = $2 GROUP BY mt.member_id`, pid, tier)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				var id, since, decided, scores, reviewed, occurrences, version, taken, statuses, strikes sql.NullInt64
				for rows.Next() {
					if err := rows.Scan(&id, &since, &decided, &scores, &reviewed, &occurrences, &version, &taken, &statuses, &strikes); err != nil {
						b.Fatal(err)
					}
					n++
				}
				rows.Close()
				if n != benchMembers {
					b.Fatalf("the aggregate read %d members", n)
				}
			}
			evaluate := func() {
				counts, err := w.A.Promotion.Preview(ctx, w.SC, specs)
				if err != nil {
					b.Fatal(err)
				}
				if counts["main/experience"] == 0 {
					b.Fatal("no member met the rule")
				}
			}
			b.ResetTimer()
			b.ReportMetric(median(aggregate), "aggregate-ms")
			b.ReportMetric(median(evaluate), "evaluation-ms")
		})
	}
}

func median(f func()) float64 {
	f() // warm
	var ms []float64
	for i := 0; i < 5; i++ {
		t := time.Now()
		f()
		ms = append(ms, float64(time.Since(t).Microseconds())/1000)
	}
	sort.Float64s(ms)
	return ms[2]
}

// seedRecords makes benchMembers members on the bottom tier, each with
// two tasks taken and handed in, most approved with a score, and a strike
// for one in fifty; rows written in bulk.
func seedRecords(b *testing.B, w *apptest.World, d *db.DB) {
	ctx := w.Ctx
	pid := w.SC.Program.ID
	for start := 0; start < benchMembers; start += 5000 {
		batch := make([]member.NewMember, 5000)
		for i := range batch {
			batch[i] = member.NewMember{Fields: member.Fields{Name: fmt.Sprintf("车主%06d", start+i), Role: member.KOC, Status: member.Active}}
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return member.CreateManyTx(ctx, tx, pid, batch) }); err != nil {
			b.Fatal(err)
		}
	}
	exec := func(q string, args ...any) {
		if err := d.InTx(ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(ctx, q, args...); return err }); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`INSERT INTO member_tiers (program_id, member_id, ladder_id, tier_id, since)
		SELECT m.program_id, m.id, l.id, t.id, 0 FROM members m JOIN ladders l ON l.program_id = m.program_id AND l.key = 'main'
		JOIN tiers t ON t.ladder_id = l.id AND t.key = 'information' WHERE m.program_id = $1`, pid)
	exec(`INSERT INTO tasks (program_id, public_id, title, kind, status, mode, brief, eligibility, capacity, created_at, updated_at)
		VALUES ($1, 'tsk_bench1', '任务一', 'content', 'published', 'open', '{}', '{}', 200000, 1, 1),
		       ($1, 'tsk_bench2', '任务二', 'content', 'published', 'open', '{}', '{}', 200000, 1, 1)`, pid)
	for k := 1; k <= 2; k++ {
		exec(`INSERT INTO task_claims (program_id, public_id, task_id, member_id, status, created_at, updated_at)
			SELECT m.program_id, 'clm_b'||`+fmt.Sprint(k)+`||'_'||m.id, t.id, m.id, CASE WHEN m.id % 10 = 0 THEN 'expired' ELSE 'approved' END, 10, 10
			FROM members m JOIN tasks t ON t.program_id = m.program_id AND t.public_id = $2 WHERE m.program_id = $1`, pid, fmt.Sprintf("tsk_bench%d", k))
	}
	exec(`INSERT INTO submissions (program_id, public_id, claim_id, version, check_result, status, created_at)
		SELECT c.program_id, 'sub_'||c.public_id, c.id, 1, '{}', 'approved', 20 FROM task_claims c WHERE c.program_id = $1 AND c.status = 'approved'`, pid)
	exec(`INSERT INTO reviews (program_id, submission_id, reviewer, decision, score, created_at)
		SELECT s.program_id, s.id, 'bench', 'approved', 3 + s.id % 3, 30 FROM submissions s WHERE s.program_id = $1`, pid)
	exec(`INSERT INTO member_strikes (program_id, public_id, member_id, reason, actor, at)
		SELECT m.program_id, 'stk_'||m.id, m.id, '违规', 'bench', $2 FROM members m WHERE m.program_id = $1 AND m.id % 50 = 0`, pid, w.Now().UnixMicro())
	if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
