package ledger_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ledger"
)

// Benchmarks report ops/s: transfers per second for the ledger, rows per
// second for the baseline. scripts/bench runs them all in one go and writes
// BENCHMARKS.md with the ratios of each ledger figure to the baseline of the
// same shape, measured in the same run.

const (
	batchSize = 1000
	racers    = 64
)

func BenchmarkLedger(b *testing.B) {
	for _, e := range dbtest.Engines {
		b.Run(string(e), func(b *testing.B) {
			b.Run("single", func(b *testing.B) { benchSequential(b, e, 1, false) })
			b.Run("linked-pair", func(b *testing.B) { benchSequential(b, e, 2, true) })
			b.Run(fmt.Sprintf("batch-%d", batchSize), func(b *testing.B) { benchSequential(b, e, batchSize, false) })
			b.Run(fmt.Sprintf("uncontended-%d", racers), func(b *testing.B) { benchRacers(b, e, false) })
			b.Run(fmt.Sprintf("hot-account-%d", racers), func(b *testing.B) { benchRacers(b, e, true) })
		})
	}
}

func BenchmarkBaseline(b *testing.B) {
	for _, e := range dbtest.Engines {
		b.Run(string(e), func(b *testing.B) {
			b.Run("single", func(b *testing.B) { benchInsert(b, e, 1, 1) })
			b.Run("pair", func(b *testing.B) { benchInsert(b, e, 2, 1) })
			b.Run(fmt.Sprintf("batch-%d", batchSize), func(b *testing.B) { benchInsert(b, e, batchSize, 1) })
			b.Run(fmt.Sprintf("parallel-%d", racers), func(b *testing.B) { benchInsert(b, e, 1, racers) })
		})
	}
}

type benchEnv struct {
	d       *db.DB
	l       *ledger.Ledger
	program int64
	source  ledger.Account
}

func newBenchEnv(b *testing.B, e db.Engine) benchEnv {
	d := dbtest.Open(b, e)
	l := ledger.New(d)
	b.Cleanup(l.Close)
	p := newProgram(b, d)
	return benchEnv{d: d, l: l, program: p, source: open(b, l, p, "points", "issued", "", ledger.NoLimit)}
}

// limited opens n limited accounts, each funded with plenty.
func (env benchEnv) limited(b *testing.B, prefix string, n int) []ledger.Account {
	out := make([]ledger.Account, n)
	var ts []ledger.Transfer
	for i := range out {
		out[i] = open(b, env.l, env.program, "points", "limited", fmt.Sprintf("%s:%d", prefix, i), ledger.DebitsMustNotExceedCredits)
		ts = append(ts, ledger.Transfer{ClientID: fmt.Sprintf("fund:%s:%d", prefix, i), DebitAccountID: env.source.ID, CreditAccountID: out[i].ID, Amount: 1 << 40})
	}
	mustOK(b, transfer(b, env.l, env.program, ts...))
	return out
}

// benchSequential: one caller, b.N calls of size transfers each (linked when
// asked), from limited accounts to limited accounts.
func benchSequential(b *testing.B, e db.Engine, size int, linked bool) {
	env := newBenchEnv(b, e)
	from := env.limited(b, "from", 16)
	to := env.limited(b, "to", 16)
	ctx := context.Background()
	ts := make([]ledger.Transfer, size)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for j := range ts {
			ts[j] = ledger.Transfer{ClientID: fmt.Sprintf("t%d-%d", i, j), DebitAccountID: from[(i+j)%16].ID,
				CreditAccountID: to[(i*7+j)%16].ID, Amount: 1, Linked: linked && j < size-1}
		}
		rs, err := env.l.Transfer(ctx, env.program, ts)
		if err != nil || rs[0].Code != ledger.OK {
			b.Fatalf("transfer: %v %v", err, rs)
		}
	}
	b.ReportMetric(float64(b.N*size)/time.Since(start).Seconds(), "ops/s")
}

// benchRacers: 64 goroutines each make single transfers, all from one hot
// account or each from its own, each in a transaction of its own (as a
// domain transaction carries its transfer).
func benchRacers(b *testing.B, e db.Engine, hot bool) {
	env := newBenchEnv(b, e)
	from := env.limited(b, "from", racers)
	to := env.limited(b, "to", racers)
	ctx := context.Background()
	spread(b, racers, 1, func(g int, i int64) error {
		src := from[g]
		if hot {
			src = from[0]
		}
		t := ledger.Transfer{ClientID: fmt.Sprintf("r%d", i), DebitAccountID: src.ID, CreditAccountID: to[g].ID, Amount: 1}
		var rs []ledger.Result
		err := env.d.InTx(ctx, func(tx *db.Tx) error {
			var err error
			rs, err = env.l.ApplyTx(ctx, tx, env.program, []ledger.Transfer{t})
			return err
		})
		if err == nil && rs[0].Code != ledger.OK {
			err = fmt.Errorf("transfer: %s", rs[0].Code)
		}
		return err
	})
}

// spread runs b.N operations of size ops each over workers goroutines, each
// operation numbered from 1, and reports ops/s.
func spread(b *testing.B, workers, size int, op func(worker int, i int64) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if err := op(g, i); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N*size)/time.Since(start).Seconds(), "ops/s")
}

// benchInsert is the baseline: b.N transactions per worker share, each
// inserting rows plain rows in one multi-row INSERT, by workers goroutines.
func benchInsert(b *testing.B, e db.Engine, rows, workers int) {
	d := dbtest.Open(b, e)
	ctx := context.Background()
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE bench_rows (
			id `+e.Dialect().ID+`, program_id BIGINT NOT NULL, client_id TEXT NOT NULL,
			debit BIGINT NOT NULL, credit BIGINT NOT NULL, amount BIGINT NOT NULL, created_at BIGINT NOT NULL,
			UNIQUE (program_id, client_id))`)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	spread(b, workers, rows, func(_ int, i int64) error {
		return d.InTx(ctx, func(tx *db.Tx) error {
			args := make([]any, 0, rows*6)
			for j := 0; j < rows; j++ {
				args = append(args, 1, fmt.Sprintf("b%d-%d", i, j), j, j+1, 1, tx.Now.UnixMicro())
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO bench_rows (program_id, client_id, debit, credit, amount, created_at) VALUES `+
				e.Rows(1, rows, 6), args...)
			return err
		})
	})
}
