package demo_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"kox/internal/app"
	"kox/internal/apptest"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/demo"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func load(t *testing.T, d *db.DB, size demo.Size) {
	t.Helper()
	a := app.Assemble(app.Config{Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DataKey: apptest.Key}, d)
	t.Cleanup(a.Ledger.Close)
	if err := demo.Load(context.Background(), demo.Deps{DB: d, Ledger: a.Ledger, Tasks: a.Tasks, Budget: a.Budget, Catalog: a.Catalog,
		Points: a.Points, Payouts: a.Payouts, Badges: a.Badges, Promotion: a.Promotion, Notify: a.Notify, Size: size}); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// The demo has what SPEC P8 and issue 4 promise, and a second load changes
// nothing.
func TestDemo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		load(t, d, demo.Full)
		members := func(slug string) int {
			return count(t, d, `SELECT count(*) FROM members m JOIN programs p ON p.id = m.program_id WHERE p.slug = $1`, slug)
		}
		if members(demo.CarSlug) != demo.Full.Car || members(demo.FashionSlug) != demo.Full.Fashion {
			t.Fatalf("members: car %d, fashion %d", members(demo.CarSlug), members(demo.FashionSlug))
		}
		// The hourly evaluation, run on the loaded data, found candidates
		// with their evidence, and the strikes kept some out.
		if n := count(t, d, `SELECT count(*) FROM promotion_candidates WHERE status = 'candidate' AND evidence LIKE '%"met":true%'`); n == 0 {
			t.Error("no promotion candidate with evidence")
		}
		if n := count(t, d, `SELECT count(*) FROM keep_warnings WHERE status = 'warned'`); n == 0 {
			t.Error("no member warned by a keep rule")
		}
		if n := count(t, d, `SELECT count(*) FROM member_strikes`); n == 0 {
			t.Error("no compliance strike")
		}
		// Every event the load made reached its readers: members hear of
		// approvals, changes asked and warnings, operators of candidates.
		if n := count(t, d, `SELECT count(*) FROM outbox WHERE dispatched_at = 0`); n != 0 {
			t.Errorf("%d events not dispatched", n)
		}
		// Kits: the new owners' welcome boxes given while stock lasted, the
		// rest waiting; the approved experience officers their kit.
		if given, waiting := count(t, d, `SELECT count(*) FROM kit_issues x JOIN kits k ON k.id = x.kit_id WHERE k.occasion = 'welcome' AND x.status = 'given'`),
			count(t, d, `SELECT count(*) FROM kit_issues x JOIN kits k ON k.id = x.kit_id WHERE k.occasion = 'welcome' AND x.status = 'waiting'`); given != 8 || waiting != 2 {
			t.Errorf("welcome kits: %d given, %d waiting", given, waiting)
		}
		if n := count(t, d, `SELECT count(*) FROM kit_issues x JOIN kits k ON k.id = x.kit_id WHERE k.occasion = 'promotion' AND x.status = 'given'`); n == 0 {
			t.Error("no promotion kit given")
		}
		for _, st := range []string{"invited", "joined", "declined", "left"} {
			if n := count(t, d, `SELECT count(*) FROM member_community WHERE status = $1`, st); n == 0 {
				t.Errorf("no member whose community status is %s", st)
			}
		}
		// Events: a full factory tour with a waitlist and seats offered from
		// it, a track day with check-ins.
		for q, want := range map[string]int{
			`SELECT count(*) FROM event_seats WHERE status = 'waitlisted'`: 1,
			`SELECT count(*) FROM event_seats WHERE status = 'offered'`:    1,
			`SELECT count(*) FROM event_seats WHERE checked_in_at > 0`:     12,
			`SELECT count(*) FROM events WHERE status = 'published'`:       2,
		} {
			if n := count(t, d, q); n < want {
				t.Errorf("%s: %d, want at least %d", q, n, want)
			}
		}
		// Campaigns: OTA 3.2 live, the S7 launch scheduled with its OTA 4.0
		// briefing under embargo, read by officers, its task still a draft.
		for q, want := range map[string]int{
			`SELECT count(*) FROM campaigns WHERE status = 'live'`:                                                  1,
			`SELECT count(*) FROM campaigns WHERE status = 'scheduled' AND golive_at > $1`:                          1,
			`SELECT count(*) FROM briefings WHERE ladder <> '' AND public_at > $1 AND status = 'published'`:         1,
			`SELECT count(*) FROM briefing_reads r JOIN briefings b ON b.id = r.briefing_id WHERE b.public_at > $1`: 10,
			`SELECT count(*) FROM tasks t JOIN briefings b ON b.task = t.public_id WHERE t.status = 'draft'`:        1,
			`SELECT count(*) FROM briefing_attachments`:                                                             2,
		} {
			var args []any
			if strings.Contains(q, "$1") {
				args = append(args, time.Now().UnixMicro())
			}
			if n := count(t, d, q, args...); n < want {
				t.Errorf("%s: %d, want at least %d", q, n, want)
			}
		}
		// The honour wall has this month's best, the quarter's star and the year's advisor.
		if n := count(t, d, `SELECT count(*) FROM award_winners`); n != 3 {
			t.Errorf("%d award winners, want 3", n)
		}
		for _, kind := range []string{"task_approved", "changes_requested", "warned", "candidates_found", "award_won"} {
			if count(t, d, `SELECT count(*) FROM notifications n JOIN outbox e ON e.id = n.outbox_id WHERE e.kind = $1`, kind) == 0 {
				t.Errorf("no %s notification", kind)
			}
		}
		if n := count(t, d, `SELECT count(*) FROM members WHERE source IN ('seeded', 'scripted')`); n == 0 {
			t.Fatal("no seeded or scripted members to show the disclosure flag")
		}
		if n := count(t, d, `SELECT count(DISTINCT t.key) FROM member_tiers mt JOIN tiers t ON t.id = mt.tier_id JOIN ladders l ON l.id = t.ladder_id WHERE l.key = 'main'`); n != 4 {
			t.Fatalf("members on %d of the four rungs", n)
		}
		for _, status := range []string{"draft", "published", "cancelled"} {
			if count(t, d, `SELECT count(*) FROM tasks WHERE status = $1`, status) == 0 {
				t.Errorf("no %s task", status)
			}
		}
		for _, status := range []string{"claimed", "assigned", "applied", "selected", "not_selected", "submitted", "changes_requested",
			"approved", "rejected", "withdrawn", "cancelled"} {
			if count(t, d, `SELECT count(*) FROM task_claims WHERE status = $1`, status) == 0 {
				t.Errorf("no %s claim", status)
			}
		}
		diary := count(t, d, `SELECT count(*) FROM task_occurrences o JOIN task_claims c ON c.id = o.claim_id JOIN tasks t ON t.id = c.task_id
			WHERE t.kind = 'diary'`)
		diarists := count(t, d, `SELECT count(*) FROM loans WHERE diary_claim <> ''`)
		if diarists == 0 || diary != diarists*26 {
			t.Fatalf("diary occurrences %d, want %d loans × 26", diary, diarists)
		}
		// The fleet (A3): forty cars in every status, loans in every
		// state, one late back and flagged, costs that sum.
		if n := count(t, d, `SELECT count(*) FROM loan_units`); n != 40 {
			t.Errorf("%d units, want 40", n)
		}
		for _, st := range []string{"available", "reserved", "on_loan", "in_service", "retired"} {
			if count(t, d, `SELECT count(*) FROM loan_units WHERE status = $1`, st) == 0 {
				t.Errorf("no %s unit", st)
			}
		}
		for _, st := range []string{"reserved", "on_loan", "returned"} {
			if count(t, d, `SELECT count(*) FROM loans WHERE status = $1`, st) == 0 {
				t.Errorf("no %s loan", st)
			}
		}
		if count(t, d, `SELECT count(*) FROM loans WHERE overdue_told_on <> ''`) != 1 || count(t, d, `SELECT count(*) FROM loan_scenarios`) == 0 ||
			count(t, d, `SELECT count(*) FROM loan_checks WHERE stage = 'return'`) != 1 {
			t.Error("the fleet lacks its late loan, its scenarios or its return")
		}
		if costs := count(t, d, `SELECT coalesce(SUM(amount), 0) FROM unit_costs`); costs == 0 ||
			costs != count(t, d, `SELECT coalesce(SUM(amount), 0) FROM ledger_transfers WHERE code = 'budget_spend' AND ref LIKE 'unit:%'`) {
			t.Error("the fleet's costs are not what its budget line spent")
		}
		// Events' tier windows and story task (A2): the tour opened to the
		// top rungs first; last week's tea party's story went to the twenty
		// who came, and to no one else.
		if count(t, d, `SELECT count(*) FROM events WHERE windows <> '[]' AND opens_at > 0`) != 1 ||
			count(t, d, `SELECT count(*) FROM events WHERE story_task <> '' AND stories_at > 0`) != 1 {
			t.Error("no event with tier windows, or no story given")
		}
		if n := count(t, d, `SELECT count(*) FROM event_seats WHERE story_claim <> '' AND story_claim <> '-' AND story_claim NOT LIKE '!%'`); n != 20 ||
			count(t, d, `SELECT count(*) FROM event_seats WHERE story_claim <> '' AND checked_in_at = 0`) != 0 {
			t.Errorf("%d attendees given the story, want the 20 who came", n)
		}
		if count(t, d, `SELECT count(*) FROM redemptions r JOIN event_seats s ON s.ticket = r.code WHERE s.status = 'going'`) == 0 {
			t.Error("no VIP seat redeemed from the catalog with its ticket")
		}
		// The council (A4): a chair and councillors sitting, a seat given
		// up and one to come; a session held with its minutes and one to
		// come with answers; feedback in every status; mentors' threads and
		// a mentor's nomination.
		if count(t, d, `SELECT count(*) FROM council_seats WHERE role = 'chair'`) != 1 || count(t, d, `SELECT count(*) FROM council_seats WHERE ended_on <> ''`) != 1 ||
			count(t, d, `SELECT count(*) FROM council_seats`) < 6 {
			t.Error("the council lacks its chair, its given-up seat or its councillors")
		}
		if count(t, d, `SELECT count(*) FROM council_sessions WHERE status = 'held' AND minutes <> ''`) != 1 ||
			count(t, d, `SELECT count(*) FROM council_sessions WHERE status = 'scheduled'`) != 1 ||
			count(t, d, `SELECT count(*) FROM session_invites WHERE answer = 'yes'`) == 0 {
			t.Error("the council lacks its sessions or their answers")
		}
		for _, st := range []string{"new", "heard", "considered", "adopted", "declined"} {
			if count(t, d, `SELECT count(*) FROM feedback_items WHERE status = $1`, st) == 0 {
				t.Errorf("no %s feedback", st)
			}
		}
		if count(t, d, `SELECT count(*) FROM feedback_items WHERE session_id <> 0`) == 0 || count(t, d, `SELECT count(*) FROM mentor_notes`) == 0 ||
			count(t, d, `SELECT count(*) FROM tier_nominations WHERE actor LIKE 'mentor %'`) != 1 {
			t.Error("the council lacks its session's feedback, a mentor's thread or a mentor's nomination")
		}
		for _, status := range []string{"approved", "missed", "submitted", "open"} {
			if count(t, d, `SELECT count(*) FROM task_occurrences WHERE status = $1`, status) == 0 {
				t.Errorf("no %s diary week", status)
			}
		}
		if n := count(t, d, `SELECT count(*) FROM submissions WHERE check_result LIKE '%"passed":false%'`); n == 0 {
			t.Error("no submission failing the brief check")
		}
		// Points on members' accounts are what tasks paid, operators
		// granted and awards gave, less what redemptions spent.
		paid := count(t, d, `SELECT coalesce(sum(points_paid), 0) FROM task_claims`)
		moved := func(code string) int {
			return count(t, d, `SELECT coalesce(sum(amount), 0) FROM ledger_transfers WHERE asset = 'points' AND code = $1 AND kind = 'posted'`, code)
		}
		held := count(t, d, `SELECT coalesce(sum(credits_posted - debits_posted), 0) FROM ledger_accounts WHERE code = 'member_points'`)
		if paid == 0 || moved("award") == 0 || paid+moved("grant")+moved("award")-moved("redeem")+moved("redeem_refund") != held {
			t.Fatalf("points paid %d, granted %d, awarded %d, redeemed %d, refunded %d; held %d", paid, moved("grant"), moved("award"), moved("redeem"),
				moved("redeem_refund"), held)
		}
		// Rewards: redemptions in every state, distinct codes, an approved
		// plan spent and committed, a reserve request, a paid batch.
		for _, status := range []string{"ordered", "fulfilled", "shipped", "delivered", "returned", "cancelled"} {
			if count(t, d, `SELECT count(*) FROM redemptions WHERE status = $1`, status) == 0 {
				t.Errorf("no %s redemption", status)
			}
		}
		if n, distinct := count(t, d, `SELECT count(*) FROM redemptions WHERE code <> ''`), count(t, d, `SELECT count(DISTINCT code) FROM redemptions WHERE code <> ''`); n == 0 || n != distinct {
			t.Errorf("%d coupon codes given, %d distinct", n, distinct)
		}
		for q, what := range map[string]string{
			`SELECT count(*) FROM budget_plans WHERE status = 'approved'`:                                             "approved plan",
			`SELECT count(*) FROM budget_requests WHERE kind = 'reserve' AND status = 'approved'`:                     "approved reserve request",
			`SELECT count(*) FROM budget_requests WHERE status = 'requested'`:                                         "request awaiting finance",
			`SELECT count(*) FROM payout_batches WHERE status = 'paid'`:                                               "paid payout batch",
			`SELECT count(*) FROM ledger_accounts WHERE code = 'budget_spent' AND credits_posted > 0`:                 "line with spending",
			`SELECT count(*) FROM ledger_accounts WHERE code = 'budget_committed' AND credits_posted > debits_posted`: "commitment",
			`SELECT count(*) FROM member_badges`:                                                                      "badge awarded",
		} {
			if count(t, d, q) == 0 {
				t.Errorf("no %s", what)
			}
		}
		// Every asset of the ledger sums to zero, and every line's plan is
		// what its accounts hold.
		if n := count(t, d, `SELECT count(*) FROM (SELECT asset FROM ledger_accounts GROUP BY program_id, asset
			HAVING sum(credits_posted - debits_posted) <> 0 OR sum(credits_pending - debits_pending) <> 0) x`); n != 0 {
			t.Errorf("%d assets do not sum to zero", n)
		}
		if n := count(t, d, `SELECT count(*) FROM budget_lines l WHERE l.amount <> (SELECT coalesce(sum(a.credits_posted - a.debits_posted), 0)
			FROM ledger_accounts a WHERE a.program_id = l.program_id AND a.asset = 'CNY'
			AND (a.ref = 'line:' || l.public_id OR a.ref LIKE 'line:' || l.public_id || '/%') AND a.code IN ('budget_line', 'budget_spent', 'budget_committed'))`); n != 0 {
			t.Errorf("%d budget lines whose plan is not available + held + committed + spent", n)
		}
		before := snapshot(t, d)
		load(t, d, demo.Full)
		if after := snapshot(t, d); after != before {
			t.Fatalf("a second load changed the database:\nbefore %s\nafter  %s", before, after)
		}
		// A demo left half made is reported, not silently taken as loaded.
		if _, err := d.W.Exec(`UPDATE programs SET slug = 'renamed' WHERE slug = $1`, demo.FashionSlug); err != nil {
			t.Fatal(err)
		}
		err := demo.Load(context.Background(), demo.Deps{DB: d, Size: demo.Full})
		if err == nil || !strings.Contains(err.Error(), "incomplete") {
			t.Fatalf("loading over half a demo: %v, want it reported as incomplete", err)
		}
	})
}

// Two fresh databases get the same demo, ids included (the small size, for
// speed: the same code and seeds make the full one).
func TestDemoIsDeterministic(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		load(t, d, demo.Small)
		other := dbtest.Open(t, d.Engine)
		load(t, other, demo.Small)
		if ids(t, d) != ids(t, other) {
			t.Fatal("two loads made different ids")
		}
		if count(t, d, `SELECT count(*) FROM task_claims`) == 0 || count(t, d, `SELECT count(*) FROM task_occurrences`) != 26*count(t, d, `SELECT count(*) FROM loans WHERE diary_claim <> ''`) {
			t.Fatal("the small demo lacks claims or the diary")
		}
	})
}

func ids(t *testing.T, d *db.DB) string {
	t.Helper()
	rows, err := d.R.Query(`SELECT public_id FROM members ORDER BY id LIMIT 50`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	var tasks []string
	trows, _ := d.R.Query(`SELECT public_id FROM tasks ORDER BY id`)
	for trows.Next() {
		var s string
		trows.Scan(&s)
		tasks = append(tasks, s)
	}
	trows.Close()
	return strings.Join(out, ",") + "|" + strings.Join(tasks, ",")
}

// snapshot is every table's row count and highest id, and the ledger's
// balances: what any write would change.
func snapshot(t *testing.T, d *db.DB) string {
	t.Helper()
	tables := []string{"programs", "operators", "program_operators", "sessions", "api_keys", "audit_log", "members", "member_tags",
		"member_social_accounts", "member_consents", "member_notes", "account_matrix", "ladders", "tiers", "member_tiers", "tier_changes",
		"tasks", "task_claims", "task_occurrences", "submissions", "submission_posts", "reviews", "task_templates", "ledger_accounts",
		"ledger_transfers", "ledger_pending", "member_login_codes", "idempotency_keys", "tier_refs"}
	var b strings.Builder
	for _, tb := range tables {
		fmt.Fprintf(&b, "%s=%d ", tb, count(t, d, `SELECT count(*) FROM `+tb))
	}
	fmt.Fprintf(&b, "balances=%d/%d", count(t, d, `SELECT coalesce(sum(credits_posted), 0) FROM ledger_accounts`),
		count(t, d, `SELECT coalesce(sum(debits_posted), 0) FROM ledger_accounts`))
	return b.String()
}
