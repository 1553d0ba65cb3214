package points_test

import (
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
	"kox/internal/points"
)

// Points earned at different times expire oldest first, on the right local
// day (Shanghai), once each however often the job runs; a deduction takes
// from the oldest lot first.
func TestPointsExpireOldestFirstOnTheLocalDay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		// 15 March 2025, 01:30 in Shanghai: still 14 March in UTC.
		w := apptest.New(t, d, time.Date(2025, 3, 15, 1, 30, 0, 0, sh))
		if _, err := w.A.Points.SetExpiryMonths(w.Ctx, w.SC, 12); err != nil {
			t.Fatal(err)
		}
		m := w.Member()
		w.Give(100, m)
		w.Set(time.Date(2025, 6, 1, 12, 0, 0, 0, sh))
		w.Give(50, m)
		if _, err := w.A.Points.Adjust(w.Ctx, w.SC, points.Adjustment{Members: []string{m.PublicID}, Amount: -30, Reason: "纠正重复发放"}); err != nil {
			t.Fatal(err)
		}
		st, _, err := w.A.Points.Statement(w.Ctx, w.SC, m.PublicID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		first := time.Date(2026, 3, 16, 0, 0, 0, 0, sh)
		if st.Balance != 120 || st.NextExpiry == nil || st.NextExpiry.Amount != 70 || !st.NextExpiry.At.Equal(first) {
			t.Fatalf("statement %+v next %+v", st, st.NextExpiry)
		}
		expire := func(want int) {
			t.Helper()
			n, err := w.A.Points.Expire(w.Ctx)
			if err != nil || n != want {
				t.Fatalf("expired %d lots (%v), want %d", n, err, want)
			}
		}
		w.Set(first.Add(-time.Second)) // the last second of 15 March 2026, Shanghai
		expire(0)
		w.Set(first)
		expire(1)
		expire(0)
		st, _, _ = w.A.Points.Statement(w.Ctx, w.SC, m.PublicID, 0, 10)
		if st.Balance != 50 || st.History[0].Code != "expire" || st.History[0].Amount != -70 {
			t.Fatalf("after the first expiry: %+v", st)
		}
		if st.NextExpiry == nil || !st.NextExpiry.At.Equal(time.Date(2026, 6, 2, 0, 0, 0, 0, sh)) {
			t.Fatalf("next %+v", st.NextExpiry)
		}
		w.Set(time.Date(2026, 7, 1, 0, 0, 0, 0, sh))
		expire(1)
		expire(0)
		if st, _, _ = w.A.Points.Statement(w.Ctx, w.SC, m.PublicID, 0, 10); st.Balance != 0 || st.NextExpiry != nil {
			t.Fatalf("at the end: %+v", st)
		}
	})
}

func TestExpiresAtKeepsTheMonthsLastDay(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, c := range []struct {
		earned time.Time
		months int
		want   time.Time
	}{
		{time.Date(2026, 1, 31, 23, 0, 0, 0, sh), 1, time.Date(2026, 3, 1, 0, 0, 0, 0, sh)}, // through 28 February
		{time.Date(2024, 2, 29, 9, 0, 0, 0, sh), 12, time.Date(2025, 3, 1, 0, 0, 0, 0, sh)}, // through 28 February 2025
		{time.Date(2026, 11, 30, 9, 0, 0, 0, sh), 3, time.Date(2027, 3, 1, 0, 0, 0, 0, sh)}, // through 28 February 2027
		{time.Date(2026, 5, 10, 9, 0, 0, 0, sh), 0, time.Time{}},
	} {
		if got := points.ExpiresAt(c.earned, sh, c.months); !got.Equal(c.want) {
			t.Errorf("%s + %d months: %s, want %s", c.earned, c.months, got, c.want)
		}
	}
}

// Grants and deductions for many members go in whole or not at all.
func TestAdjustIsAllOrNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC))
		a, b := w.Member(), w.Member()
		w.Give(10, a)
		_, err := w.A.Points.Adjust(w.Ctx, w.SC, points.Adjustment{Members: []string{a.PublicID, b.PublicID}, Amount: -5, Reason: "扣"})
		if fe, _ := fault.As(err); fe == nil || fe.Code != "points.not_enough" || fe.Params["member"] != b.PublicID {
			t.Fatalf("deduct past a balance: %v", err)
		}
		st, _, _ := w.A.Points.Statement(w.Ctx, w.SC, a.PublicID, 0, 10)
		if st.Balance != 10 {
			t.Fatalf("a refused batch changed a: %d", st.Balance)
		}
		if _, err := w.A.Points.Adjust(w.Ctx, w.Role("viewer"), points.Adjustment{Members: []string{a.PublicID}, Amount: 5, Reason: "x"}); fault.KindOf(err) != fault.Forbidden {
			t.Fatalf("a viewer granted: %v", err)
		}
	})
}
