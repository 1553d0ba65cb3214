package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"kox/internal/db"
)

// How a batch of transfers is applied, in one database transaction:
//
//  1. read the transfers that posts, voids and reversals refer to (immutable
//     rows, so reading them before any lock is safe);
//  2. lock every account involved, in id order, so that concurrent batches —
//     in this process or another — queue behind each other instead of
//     deadlocking (PostgreSQL: SELECT … FOR UPDATE; SQLite: the transaction
//     already holds the only write lock);
//  3. read, under those locks, what may have changed: earlier transfers with
//     the same client ids, and whether referenced pendings were settled or
//     targets reversed;
//  4. decide every transfer in memory against the locked balances, chain by
//     chain, undoing a chain that fails;
//  5. write the new transfers and the balance changes in a few multi-row
//     statements.
//
// A batch costs a handful of statements however many transfers it holds,
// which is what makes group commit pay. The accounts' CHECK constraints stay as
// a backstop: if this code were wrong the database would refuse the commit.

// node is a transfer known to the batch: committed earlier (loaded) or new.
type node struct {
	rec      Record
	fresh    bool
	settled  Kind  // pending: Post or Void once settled, "" while open
	reversed bool  // posted: a reversal exists
	pending  *node // fresh post/void: the pending it settles
	reverses *node // fresh reversal: the transfer it undoes
}

type acct struct {
	Account
	base Account // as locked, to compute the change to write
}

type batch struct {
	tx        *db.Tx
	programID int64
	now       time.Time
	// optimistic: assume no new client id was committed before, skip reading
	// them, and insert with ON CONFLICT DO NOTHING; if any was, the insert
	// comes back short and errSeenBefore sends the caller round again with
	// optimistic off. Saves a statement per batch in the common case.
	optimistic bool
	// newIDs: the caller made every client id just now, so none can have
	// been committed: skip reading them, and take every failure as it is.
	newIDs bool

	accounts map[int64]*acct
	byClient map[string]*node
	fresh    []*node
	undo     []func()
}

// errSeenBefore: an optimistic batch met a client id committed earlier.
var errSeenBefore = errors.New("ledger: a client id was seen before")

// mode is how much a batch may assume about its client ids.
type mode int

const (
	modeCareful    mode = iota // read earlier transfers with the same ids: replays are safe
	modeOptimistic             // assume none was committed; errSeenBefore if one was
	modeNewIDs                 // the caller made every id just now: none can have been
)

// applyCalls applies each call's transfers in order, in tx. It returns one
// result slice per call; an error means nothing may be committed.
func applyCalls(ctx context.Context, tx *db.Tx, programID int64, calls [][]Transfer, m mode) ([][]Result, error) {
	b := &batch{tx: tx, programID: programID, now: tx.Now, optimistic: m == modeOptimistic, newIDs: m == modeNewIDs,
		accounts: map[int64]*acct{}, byClient: map[string]*node{}}
	results := make([][]Result, len(calls))
	nodes := make([][]*node, len(calls))
	static := make([][]Code, len(calls))
	for i, ts := range calls {
		results[i] = make([]Result, len(ts))
		nodes[i] = make([]*node, len(ts))
		static[i] = make([]Code, len(ts))
		for j := range ts {
			static[i][j] = validate(ts[j])
		}
	}
	if err := b.load(ctx, calls, static); err != nil {
		return nil, err
	}
	for i, ts := range calls {
		for _, ch := range chains(ts) {
			b.chain(ts, ch, static[i], results[i], nodes[i])
		}
		// A transfer that failed against stored state may be the replay of
		// one that succeeded before, which only the careful pass can tell.
		if b.optimistic {
			for j, r := range results[i] {
				if r.Code != OK && static[i][j] == OK {
					return nil, errSeenBefore
				}
			}
		}
	}
	if err := b.write(ctx); err != nil {
		return nil, err
	}
	for i := range calls {
		for j, n := range nodes[i] {
			if results[i][j].Code == OK {
				results[i][j].Record = n.rec
			}
		}
	}
	return results, nil
}

// chains splits a call into [start, end) ranges of linked transfers; a chain
// still open at the end of the call is marked by end = -1.
func chains(ts []Transfer) [][2]int {
	var out [][2]int
	for i := 0; i < len(ts); {
		j := i
		for j < len(ts) && ts[j].Linked {
			j++
		}
		if j == len(ts) { // the last transfer still says Linked
			out = append(out, [2]int{i, -1})
			break
		}
		out = append(out, [2]int{i, j + 1})
		i = j + 1
	}
	return out
}

func (b *batch) chain(ts []Transfer, ch [2]int, static []Code, res []Result, nodes []*node) {
	start, end := ch[0], ch[1]
	if end == -1 {
		for k := start; k < len(ts); k++ {
			res[k].Code = LinkedEventFailed
		}
		res[len(ts)-1].Code = LinkedEventChainOpen
		return
	}
	b.undo = b.undo[:0]
	failed := -1
	for k := start; k < end; k++ {
		code := static[k]
		var n *node
		var replayed bool
		if code == OK {
			code, n, replayed = b.one(ts[k])
		}
		res[k] = Result{Code: code, Replayed: replayed}
		nodes[k] = n
		if code != OK {
			failed = k
			break
		}
	}
	if failed < 0 {
		return
	}
	for i := len(b.undo) - 1; i >= 0; i-- {
		b.undo[i]()
	}
	for k := start; k < end; k++ {
		if k != failed {
			res[k] = Result{Code: LinkedEventFailed}
		}
		nodes[k] = nil
	}
}

// validate checks what needs no database.
func validate(t Transfer) Code {
	switch {
	case t.ClientID == "" || strings.TrimSpace(t.ClientID) != t.ClientID:
		return IDMustNotBeEmpty
	case len(t.ClientID) > MaxClientID:
		return IDTooLong
	case len(t.Code) > MaxCode:
		return CodeTooLong
	case len(t.Ref) > MaxRef:
		return RefTooLong
	case t.Timeout < 0:
		return TimeoutMustNotBeNegative
	}
	kind := kindOf(t)
	if t.Timeout > 0 && kind != Pending {
		return TimeoutOnlyForPending
	}
	switch kind {
	case Posted, Pending:
		if t.Pending != "" {
			return PendingOnlyForPostOrVoid
		}
		if t.Reverses != "" {
			if kind != Posted {
				return KindInvalid
			}
			return validateSettle(t)
		}
		switch {
		case t.Amount <= 0:
			return AmountMustBePositive
		case t.DebitAccountID <= 0:
			return DebitAccountNotFound
		case t.CreditAccountID <= 0:
			return CreditAccountNotFound
		case t.DebitAccountID == t.CreditAccountID:
			return AccountsMustBeDifferent
		}
		return OK
	case Post, Void:
		if t.Pending == "" {
			return PendingTransferNotFound
		}
		return validateSettle(t)
	}
	return KindInvalid
}

// validateSettle checks a post, void or reversal, whose accounts may be left 0.
func validateSettle(t Transfer) Code {
	switch {
	case t.Amount < 0:
		return AmountMustBePositive
	case t.DebitAccountID < 0:
		return DebitAccountNotFound
	case t.CreditAccountID < 0:
		return CreditAccountNotFound
	case t.DebitAccountID != 0 && t.DebitAccountID == t.CreditAccountID:
		return AccountsMustBeDifferent
	}
	return OK
}

func kindOf(t Transfer) Kind {
	if t.Kind == "" {
		return Posted
	}
	return t.Kind
}

// one decides a single transfer against the batch's state and, when it
// succeeds, applies it (with undo entries for its chain).
func (b *batch) one(t Transfer) (Code, *node, bool) {
	if n := b.byClient[t.ClientID]; n != nil {
		if b.same(n, t) {
			return OK, n, true
		}
		return ExistsWithDifferentFields, nil, false
	}
	kind := kindOf(t)
	rec := Record{ProgramID: b.programID, ClientID: t.ClientID, Kind: kind, Code: t.Code, Ref: t.Ref, CreatedAt: b.now}
	n := &node{fresh: true}
	var code Code
	switch {
	case kind == Post || kind == Void:
		code = b.settle(t, &rec, n)
	case t.Reverses != "":
		code = b.reverse(t, &rec, n)
	default:
		rec.DebitAccountID, rec.CreditAccountID, rec.Amount = t.DebitAccountID, t.CreditAccountID, t.Amount
		if kind == Pending && t.Timeout > 0 {
			rec.TimeoutAt = b.now.Add(t.Timeout).Truncate(time.Microsecond)
		}
		code = b.move(&rec, rec.Amount, kind == Pending, 0)
	}
	if code != OK {
		return code, nil, false
	}
	n.rec = rec
	b.byClient[t.ClientID] = n
	b.fresh = append(b.fresh, n)
	b.undo = append(b.undo, func() {
		delete(b.byClient, t.ClientID)
		b.fresh = b.fresh[:len(b.fresh)-1]
	})
	return OK, n, false
}

// move checks and applies a movement between rec's accounts: first release
// takes a settled pending amount out of the pending columns, then amount goes
// into the pending or the posted columns.
func (b *batch) move(rec *Record, amount int64, pending bool, release int64) Code {
	d, c := b.accounts[rec.DebitAccountID], b.accounts[rec.CreditAccountID]
	switch {
	case d == nil:
		return DebitAccountNotFound
	case c == nil:
		return CreditAccountNotFound
	case d.Asset != c.Asset:
		return AccountsMustHaveSameAsset
	}
	rec.Asset = d.Asset
	nd, nc := d.Account, c.Account
	nd.DebitsPending -= release
	nc.CreditsPending -= release
	var ok bool
	if pending {
		nd.DebitsPending, ok = add(nd.DebitsPending, amount)
		if ok {
			nc.CreditsPending, ok = add(nc.CreditsPending, amount)
		}
	} else {
		nd.DebitsPosted, ok = add(nd.DebitsPosted, amount)
		if ok {
			nc.CreditsPosted, ok = add(nc.CreditsPosted, amount)
		}
	}
	if !ok {
		return Overflow
	}
	if code := limitCode(nd); code != OK {
		return code
	}
	if code := limitCode(nc); code != OK {
		return code
	}
	oldD, oldC := d.Account, c.Account
	d.Account, c.Account = nd, nc
	b.undo = append(b.undo, func() { d.Account, c.Account = oldD, oldC })
	return OK
}

func (b *batch) settle(t Transfer, rec *Record, n *node) Code {
	p := b.byClient[t.Pending]
	switch {
	case p == nil:
		return PendingTransferNotFound
	case p.rec.Kind != Pending:
		return PendingTransferNotPending
	case p.settled == Post:
		return PendingTransferAlreadyPosted
	case p.settled == Void:
		return PendingTransferAlreadyVoided
	case t.DebitAccountID != 0 && t.DebitAccountID != p.rec.DebitAccountID,
		t.CreditAccountID != 0 && t.CreditAccountID != p.rec.CreditAccountID:
		return PendingTransferHasOtherFields
	}
	full := p.rec.Amount
	rec.DebitAccountID, rec.CreditAccountID = p.rec.DebitAccountID, p.rec.CreditAccountID
	rec.PendingID = p.rec.ID
	n.pending = p
	if rec.Kind == Post {
		if !p.rec.TimeoutAt.IsZero() && !b.now.Before(p.rec.TimeoutAt) {
			return PendingTransferExpired
		}
		rec.Amount = t.Amount
		if rec.Amount == 0 {
			rec.Amount = full
		}
		if rec.Amount > full {
			return ExceedsPendingAmount
		}
		if code := b.move(rec, rec.Amount, false, full); code != OK {
			return code
		}
	} else {
		if t.Amount != 0 && t.Amount != full {
			return PendingTransferHasOtherFields
		}
		rec.Amount = full // the record says what was released; nothing moves
		if code := b.move(rec, 0, false, full); code != OK {
			return code
		}
	}
	p.settled = rec.Kind
	b.undo = append(b.undo, func() { p.settled = "" })
	return OK
}

func (b *batch) reverse(t Transfer, rec *Record, n *node) Code {
	target := b.byClient[t.Reverses]
	switch {
	case target == nil:
		return ReversalTargetNotFound
	case target.rec.Kind != Posted && target.rec.Kind != Post:
		return ReversalTargetNotPosted
	case target.reversed:
		return AlreadyReversed
	case t.Amount != 0 && t.Amount != target.rec.Amount:
		return ReversalAmountMismatch
	case t.DebitAccountID != 0 && t.DebitAccountID != target.rec.CreditAccountID,
		t.CreditAccountID != 0 && t.CreditAccountID != target.rec.DebitAccountID:
		return ReversalAccountsMismatch
	}
	rec.DebitAccountID, rec.CreditAccountID = target.rec.CreditAccountID, target.rec.DebitAccountID
	rec.Amount = target.rec.Amount
	rec.ReversesID = target.rec.ID
	n.reverses = target
	if code := b.move(rec, rec.Amount, false, 0); code != OK {
		return code
	}
	target.reversed = true
	b.undo = append(b.undo, func() { target.reversed = false })
	return OK
}

// same reports whether t asks for exactly what the committed n did.
func (b *batch) same(n *node, t Transfer) bool {
	r := n.rec
	kind := kindOf(t)
	if r.Kind != kind || r.Code != t.Code || r.Ref != t.Ref {
		return false
	}
	refOK := func(id int64, ptr *node, clientID string) bool {
		if clientID == "" {
			return id == 0 && ptr == nil
		}
		target := b.byClient[clientID]
		if target == nil {
			return false
		}
		if ptr != nil {
			return ptr == target
		}
		return id != 0 && target.rec.ID == id
	}
	if !refOK(r.PendingID, n.pending, t.Pending) || !refOK(r.ReversesID, n.reverses, t.Reverses) {
		return false
	}
	accountsOK := func(optional bool) bool {
		if optional {
			return (t.DebitAccountID == 0 || t.DebitAccountID == r.DebitAccountID) &&
				(t.CreditAccountID == 0 || t.CreditAccountID == r.CreditAccountID)
		}
		return t.DebitAccountID == r.DebitAccountID && t.CreditAccountID == r.CreditAccountID
	}
	switch {
	case kind == Post:
		full := b.byClient[t.Pending].rec.Amount
		return accountsOK(true) && (t.Amount == r.Amount || t.Amount == 0 && r.Amount == full)
	case kind == Void || t.Reverses != "":
		return accountsOK(true) && (t.Amount == 0 || t.Amount == r.Amount)
	case kind == Pending:
		if t.Timeout == 0 {
			if !r.TimeoutAt.IsZero() {
				return false
			}
		} else if r.TimeoutAt.Sub(r.CreatedAt) != t.Timeout.Truncate(time.Microsecond) {
			return false
		}
	}
	return accountsOK(false) && t.Amount == r.Amount
}

func limitCode(a Account) Code {
	switch a.Limit {
	case DebitsMustNotExceedCredits:
		if sum, ok := add(a.DebitsPending, a.DebitsPosted); !ok || sum > a.CreditsPosted {
			return ExceedsCredits
		}
	case CreditsMustNotExceedDebits:
		if sum, ok := add(a.CreditsPending, a.CreditsPosted); !ok || sum > a.DebitsPosted {
			return ExceedsDebits
		}
	}
	return OK
}

func add(a, b int64) (int64, bool) {
	if b > 0 && a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}

// load reads and locks what the batch needs (steps 1–3 above).
func (b *batch) load(ctx context.Context, calls [][]Transfer, static [][]Code) error {
	var targets, ids []string
	accountSet := map[int64]bool{}
	for i, ts := range calls {
		for j, t := range ts {
			if static[i][j] != OK {
				continue
			}
			ids = append(ids, t.ClientID)
			for _, ref := range []string{t.Pending, t.Reverses} {
				if ref != "" {
					targets = append(targets, ref)
				}
			}
			accountSet[t.DebitAccountID] = true
			accountSet[t.CreditAccountID] = true
		}
	}
	if len(targets) > 0 {
		if err := b.loadRecords(ctx, targets); err != nil {
			return err
		}
		for _, n := range b.byClient {
			accountSet[n.rec.DebitAccountID] = true
			accountSet[n.rec.CreditAccountID] = true
		}
	}
	delete(accountSet, 0)
	if err := b.lockAccounts(ctx, accountSet); err != nil {
		return err
	}
	if !b.optimistic && !b.newIDs {
		var unseen []string
		for _, id := range ids {
			if b.byClient[id] == nil {
				unseen = append(unseen, id)
			}
		}
		if err := b.loadRecords(ctx, unseen); err != nil {
			return err
		}
	}
	return b.loadSettlements(ctx)
}

const recordCols = `id, program_id, client_id, kind, debit_account_id, credit_account_id, asset, amount,
	pending_id, reverses_id, timeout_at, code, ref, created_at`

func (b *batch) loadRecords(ctx context.Context, clientIDs []string) error {
	return inChunks(len(clientIDs), 1000, func(lo, hi int) error {
		in, args, _ := db.In(b.tx.Engine, "client_id", 2, clientIDs[lo:hi])
		rows, err := b.tx.QueryContext(ctx, `SELECT `+recordCols+` FROM ledger_transfers
			WHERE program_id = $1 AND `+in, append([]any{b.programID}, args...)...)
		if err != nil {
			return fmt.Errorf("load transfers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				return err
			}
			b.byClient[r.ClientID] = &node{rec: r}
		}
		return rows.Err()
	})
}

func (b *batch) lockAccounts(ctx context.Context, set map[int64]bool) error {
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return inChunks(len(ids), 1000, func(lo, hi int) error {
		in, args, _ := db.In(b.tx.Engine, "id", 2, ids[lo:hi])
		rows, err := b.tx.QueryContext(ctx, `SELECT `+accountCols+` FROM ledger_accounts
			WHERE program_id = $1 AND `+in+` ORDER BY id`+b.tx.ForUpdate(), append([]any{b.programID}, args...)...)
		if err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				return err
			}
			b.accounts[a.ID] = &acct{Account: a, base: a}
		}
		return rows.Err()
	})
}

// loadSettlements marks loaded pendings as settled and loaded transfers as
// reversed, read under the accounts' locks.
func (b *batch) loadSettlements(ctx context.Context) error {
	byID := map[int64]*node{}
	var ids []int64
	for _, n := range b.byClient {
		if n.rec.Kind == Pending || n.rec.Kind == Posted || n.rec.Kind == Post {
			byID[n.rec.ID] = n
			ids = append(ids, n.rec.ID)
		}
	}
	return inChunks(len(ids), 500, func(lo, hi int) error {
		settles, args1, next := db.In(b.tx.Engine, "pending_id", 2, ids[lo:hi])
		reverses, args2, _ := db.In(b.tx.Engine, "reverses_id", next, ids[lo:hi])
		args := append(append([]any{b.programID}, args1...), args2...)
		rows, err := b.tx.QueryContext(ctx, `SELECT kind, pending_id, reverses_id FROM ledger_transfers
			WHERE program_id = $1 AND (`+settles+` OR `+reverses+`)`, args...)
		if err != nil {
			return fmt.Errorf("load settlements: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var kind Kind
			var pending, reverses sql.NullInt64
			if err := rows.Scan(&kind, &pending, &reverses); err != nil {
				return err
			}
			if n := byID[pending.Int64]; pending.Valid && n != nil {
				n.settled = kind
			}
			if n := byID[reverses.Int64]; reverses.Valid && n != nil {
				n.reversed = true
			}
		}
		return rows.Err()
	})
}

// write stores the batch's new transfers and balance changes (step 5).
func (b *batch) write(ctx context.Context) error {
	if len(b.fresh) == 0 {
		return nil
	}
	if err := b.insertTransfers(ctx); err != nil {
		return err
	}
	if err := b.writePendingIndex(ctx); err != nil {
		return err
	}
	return b.updateAccounts(ctx)
}

// insertTransfers inserts in waves: a new transfer that refers to another new
// one (a post of a pending made in the same batch) waits for its id.
func (b *batch) insertTransfers(ctx context.Context) error {
	const width = 13
	rows := b.fresh
	for len(rows) > 0 {
		var now, later []*node
		for _, n := range rows {
			if (n.pending != nil && n.pending.fresh && n.pending.rec.ID == 0) ||
				(n.reverses != nil && n.reverses.fresh && n.reverses.rec.ID == 0) {
				later = append(later, n)
			} else {
				now = append(now, n)
			}
		}
		per := b.tx.Engine.MaxParams() / width
		err := inChunks(len(now), per, func(lo, hi int) error {
			chunk := now[lo:hi]
			args := make([]any, 0, len(chunk)*width)
			byClient := make(map[string]*node, len(chunk))
			for _, n := range chunk {
				if n.pending != nil {
					n.rec.PendingID = n.pending.rec.ID
				}
				if n.reverses != nil {
					n.rec.ReversesID = n.reverses.rec.ID
				}
				r := n.rec
				args = append(args, r.ProgramID, r.ClientID, string(r.Kind), r.DebitAccountID, r.CreditAccountID,
					r.Asset, r.Amount, nullID(r.PendingID), nullID(r.ReversesID), nullTime(r.TimeoutAt),
					r.Code, r.Ref, r.CreatedAt.UnixMicro())
				byClient[r.ClientID] = n
			}
			onConflict := ""
			if b.optimistic {
				onConflict = ` ON CONFLICT (program_id, client_id) DO NOTHING`
			}
			q, err := b.tx.QueryContext(ctx, `INSERT INTO ledger_transfers (program_id, client_id, kind,
				debit_account_id, credit_account_id, asset, amount, pending_id, reverses_id, timeout_at, code, ref, created_at)
				VALUES `+b.tx.Engine.Rows(1, len(chunk), width)+onConflict+` RETURNING id, client_id`, args...)
			if err != nil {
				return insertErr(err)
			}
			defer q.Close()
			got := 0
			for q.Next() {
				var id int64
				var clientID string
				if err := q.Scan(&id, &clientID); err != nil {
					return err
				}
				if n := byClient[clientID]; n != nil {
					n.rec.ID = id
					got++
				}
			}
			if err := q.Err(); err != nil {
				return insertErr(err)
			}
			if got != len(chunk) {
				if b.optimistic {
					return errSeenBefore
				}
				return fmt.Errorf("insert transfers: %d of %d ids returned", got, len(chunk))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(now) == 0 {
			return errors.New("insert transfers: circular references")
		}
		rows = later
	}
	return nil
}

// A unique key taken between our read and our write means a concurrent
// writer committed the same client id or settled the same pending: running
// the batch again sees it.
func insertErr(err error) error {
	if c, _ := db.ConstraintOf(err); c == db.UniqueViolation {
		return fmt.Errorf("insert transfers: %w: %w", db.ErrRetry, err)
	}
	return fmt.Errorf("insert transfers: %w", err)
}

func (b *batch) writePendingIndex(ctx context.Context) error {
	var open []*node
	var closed []int64
	for _, n := range b.fresh {
		if n.rec.Kind == Pending && n.settled == "" {
			open = append(open, n)
		}
		if p := n.pending; p != nil && !p.fresh {
			closed = append(closed, p.rec.ID)
		}
	}
	err := inChunks(len(open), 5000, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*3)
		for _, n := range open[lo:hi] {
			args = append(args, n.rec.ID, b.programID, nullTime(n.rec.TimeoutAt))
		}
		_, err := b.tx.ExecContext(ctx, `INSERT INTO ledger_pending (transfer_id, program_id, timeout_at) VALUES `+
			b.tx.Engine.Rows(1, hi-lo, 3), args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("open pending: %w", err)
	}
	err = inChunks(len(closed), 5000, func(lo, hi int) error {
		in, args, _ := db.In(b.tx.Engine, "transfer_id", 1, closed[lo:hi])
		_, err := b.tx.ExecContext(ctx, `DELETE FROM ledger_pending WHERE `+in, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("close pending: %w", err)
	}
	return nil
}

func (b *batch) updateAccounts(ctx context.Context) error {
	type delta struct{ id, dp, dpo, cp, cpo int64 }
	var ds []delta
	for _, a := range b.accounts {
		d := delta{a.ID, a.DebitsPending - a.base.DebitsPending, a.DebitsPosted - a.base.DebitsPosted,
			a.CreditsPending - a.base.CreditsPending, a.CreditsPosted - a.base.CreditsPosted}
		if d.dp != 0 || d.dpo != 0 || d.cp != 0 || d.cpo != 0 {
			ds = append(ds, d)
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].id < ds[j].id })
	return inChunks(len(ds), 2000, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*5)
		for _, d := range ds[lo:hi] {
			args = append(args, d.id, d.dp, d.dpo, d.cp, d.cpo)
		}
		bigint := "BIGINT"
		res, err := b.tx.ExecContext(ctx, `WITH v (id, dp, dpo, cp, cpo) AS (VALUES `+
			b.tx.Engine.Rows(1, hi-lo, 5, bigint, bigint, bigint, bigint, bigint)+`)
			UPDATE ledger_accounts SET
				debits_pending = ledger_accounts.debits_pending + v.dp,
				debits_posted = ledger_accounts.debits_posted + v.dpo,
				credits_pending = ledger_accounts.credits_pending + v.cp,
				credits_posted = ledger_accounts.credits_posted + v.cpo
			FROM v WHERE ledger_accounts.id = v.id`, args...)
		if err != nil {
			return fmt.Errorf("update balances: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n != int64(hi-lo) {
			return fmt.Errorf("update balances: %d of %d accounts changed", n, hi-lo)
		}
		return nil
	})
}

func inChunks(n, size int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += size {
		if err := fn(lo, min(lo+size, n)); err != nil {
			return err
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}
