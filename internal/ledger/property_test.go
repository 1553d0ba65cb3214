package ledger_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ledger"
)

// Random sequences of single, linked, pending, post, void, timeout and replayed
// transfers. After every step, per asset debits equal credits, no limited
// account is past its limit, balances equal the sum of their transfers, and
// every replay returned the first result.
func TestLedgerProperties(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		clk := newClock()
		d.SetClock(clk.Now)
		l := newLedger(t, d)
		rapid.Check(t, func(rt *rapid.T) {
			m := newModel(t, d, l)
			rt.Repeat(map[string]func(*rapid.T){
				"single":  func(rt *rapid.T) { m.submit(rt, m.move(rt, "s", ledger.Posted)) },
				"linked":  func(rt *rapid.T) { m.submit(rt, m.chain(rt)...) },
				"pending": func(rt *rapid.T) { m.submit(rt, m.move(rt, "p", ledger.Pending)) },
				"post":    func(rt *rapid.T) { m.settle(rt, ledger.Post) },
				"void":    func(rt *rapid.T) { m.settle(rt, ledger.Void) },
				"reverse": func(rt *rapid.T) { m.reverse(rt) },
				"replay":  func(rt *rapid.T) { m.replay(rt) },
				"time": func(rt *rapid.T) {
					clk.Advance(time.Duration(rapid.IntRange(1, 120).Draw(rt, "seconds")) * time.Second)
				},
				"expire": func(rt *rapid.T) {
					if _, err := l.ExpirePending(t.Context(), 1000); err != nil {
						rt.Fatal(err)
					}
				},
				"": func(rt *rapid.T) { checkInvariants(rt, d, m.program) },
			})
		})
	})
}

type model struct {
	d        *db.DB
	l        *ledger.Ledger
	program  int64
	accounts map[string][]ledger.Account // by asset
	seq      int
	done     []call                   // calls that returned, to replay
	first    map[string]ledger.Result // first OK result per client id
	pendings []string
	posted   []string
}

type call struct {
	ts []ledger.Transfer
	rs []ledger.Result
}

func newModel(t *testing.T, d *db.DB, l *ledger.Ledger) *model {
	m := &model{d: d, l: l, program: newProgram(t, d), accounts: map[string][]ledger.Account{}, first: map[string]ledger.Result{}}
	for _, asset := range []string{"points", "slots"} {
		src := open(t, l, m.program, asset, "source", "", ledger.NoLimit)
		m.accounts[asset] = append(m.accounts[asset], src)
		for i := 0; i < 3; i++ {
			a := open(t, l, m.program, asset, "limited", fmt.Sprint(i), ledger.DebitsMustNotExceedCredits)
			fund(t, l, m.program, src, a, int64(5+5*i))
			m.accounts[asset] = append(m.accounts[asset], a)
		}
		m.accounts[asset] = append(m.accounts[asset], open(t, l, m.program, asset, "mirror", "", ledger.CreditsMustNotExceedDebits))
	}
	return m
}

func (m *model) id(prefix string) string {
	m.seq++
	return fmt.Sprintf("%s%d", prefix, m.seq)
}

func (m *model) move(rt *rapid.T, prefix string, kind ledger.Kind) ledger.Transfer {
	asset := rapid.SampledFrom([]string{"points", "slots"}).Draw(rt, "asset")
	accts := m.accounts[asset]
	from := rapid.IntRange(0, len(accts)-1).Draw(rt, "from")
	to := rapid.IntRange(0, len(accts)-1).Draw(rt, "to")
	// Mostly different accounts, sometimes the same (which must fail cleanly);
	// now and then an account of the other asset.
	credit := accts[to].ID
	if rapid.IntRange(0, 9).Draw(rt, "cross") == 0 {
		other := m.accounts[map[string]string{"points": "slots", "slots": "points"}[asset]]
		credit = other[rapid.IntRange(0, len(other)-1).Draw(rt, "other")].ID
	}
	t := ledger.Transfer{ClientID: m.id(prefix), Kind: kind, DebitAccountID: accts[from].ID, CreditAccountID: credit,
		Amount: rapid.Int64Range(0, 12).Draw(rt, "amount")}
	if kind == ledger.Pending && rapid.Bool().Draw(rt, "timeout") {
		t.Timeout = time.Duration(rapid.IntRange(1, 180).Draw(rt, "timeout_s")) * time.Second
	}
	return t
}

func (m *model) chain(rt *rapid.T) []ledger.Transfer {
	n := rapid.IntRange(2, 4).Draw(rt, "chain")
	ts := make([]ledger.Transfer, n)
	for i := range ts {
		kind := rapid.SampledFrom([]ledger.Kind{ledger.Posted, ledger.Posted, ledger.Pending}).Draw(rt, "kind")
		ts[i] = m.move(rt, "c", kind)
		ts[i].Linked = i < n-1
	}
	return ts
}

func (m *model) settle(rt *rapid.T, kind ledger.Kind) {
	if len(m.pendings) == 0 {
		return
	}
	p := rapid.SampledFrom(m.pendings).Draw(rt, "pending")
	t := ledger.Transfer{ClientID: m.id(string(kind)), Kind: kind, Pending: p}
	if kind == ledger.Post {
		t.Amount = rapid.Int64Range(0, 13).Draw(rt, "amount")
	}
	m.submit(rt, t)
}

func (m *model) reverse(rt *rapid.T) {
	if len(m.posted) == 0 {
		return
	}
	m.submit(rt, ledger.Transfer{ClientID: m.id("r"), Reverses: rapid.SampledFrom(m.posted).Draw(rt, "target")})
}

func (m *model) replay(rt *rapid.T) {
	if len(m.done) == 0 {
		return
	}
	c := m.done[rapid.IntRange(0, len(m.done)-1).Draw(rt, "call")]
	rs, err := m.l.Transfer(rt.Context(), m.program, c.ts)
	if err != nil {
		rt.Fatal(err)
	}
	for i, r := range rs {
		first, committed := m.first[c.ts[i].ClientID]
		if !committed {
			continue // it failed the first time; a retry may now succeed or fail
		}
		if r.Code != ledger.OK || r.Record != first.Record {
			rt.Fatalf("replay of %s returned %+v, first result was %+v", c.ts[i].ClientID, r, first)
		}
	}
	m.record(c.ts, rs)
}

func (m *model) submit(rt *rapid.T, ts ...ledger.Transfer) {
	rs, err := m.l.Transfer(rt.Context(), m.program, ts)
	if err != nil {
		rt.Fatal(err)
	}
	// A chain is whole or nothing.
	for start := 0; start < len(ts); {
		end := start
		for end < len(ts)-1 && ts[end].Linked {
			end++
		}
		for k := start; k <= end; k++ {
			if (rs[k].Code == ledger.OK) != (rs[start].Code == ledger.OK) {
				rt.Fatalf("chain %d..%d half applied: %s vs %s", start, end, rs[start].Code, rs[k].Code)
			}
		}
		start = end + 1
	}
	m.record(ts, rs)
	m.done = append(m.done, call{ts, rs})
}

func (m *model) record(ts []ledger.Transfer, rs []ledger.Result) {
	for i, r := range rs {
		if r.Code != ledger.OK {
			continue
		}
		if _, ok := m.first[ts[i].ClientID]; ok {
			continue
		}
		m.first[ts[i].ClientID] = r
		switch r.Record.Kind {
		case ledger.Pending:
			m.pendings = append(m.pendings, ts[i].ClientID)
		case ledger.Posted, ledger.Post:
			m.posted = append(m.posted, ts[i].ClientID)
		}
	}
}
