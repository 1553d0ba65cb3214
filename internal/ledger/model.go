// Package ledger is kox's double-entry ledger, modelled on TigerBeetle's: every
// quantity with a limit (points, money, stock, seats, task slots, budget) is an
// account, and every movement is a transfer between two accounts of the same
// asset. Transfers are append-only, idempotent by the client's id, may be
// linked so that they succeed or fail together, and may be two-phase (pending,
// then post or void). An account's limit rule is enforced here, in one place,
// under any concurrency. Domain packages never change a balance themselves.
package ledger

import (
	"time"
)

// LimitRule says what an account's balance may not do.
type LimitRule string

const (
	// NoLimit: the account may go either way (a program's issuing account).
	NoLimit LimitRule = "none"
	// DebitsMustNotExceedCredits: the account cannot go below zero (a member's
	// points, a task's free slots, an item's stock, a budget line).
	DebitsMustNotExceedCredits LimitRule = "debits_must_not_exceed_credits"
	// CreditsMustNotExceedDebits: the mirror image, for debit-normal accounts.
	CreditsMustNotExceedDebits LimitRule = "credits_must_not_exceed_debits"
)

func (r LimitRule) valid() bool {
	switch r {
	case NoLimit, DebitsMustNotExceedCredits, CreditsMustNotExceedDebits:
		return true
	}
	return false
}

// Account is a ledger account with its balances.
type Account struct {
	ID                            int64
	ProgramID                     int64
	Asset                         string    // "points", "CNY" (in fen), or a countable asset such as "slots"
	Code                          string    // what the account is for: "member_points", "points_issued", …
	Ref                           string    // the owner or object: "member:mem_…", "task:tsk_…"; "" for program accounts
	Limit                         LimitRule // what the balance may not do
	DebitsPending, DebitsPosted   int64
	CreditsPending, CreditsPosted int64
	CreatedAt                     time.Time
}

// Balance is the posted credit balance: credits posted less debits posted.
func (a Account) Balance() int64 { return a.CreditsPosted - a.DebitsPosted }

// Available is what a credit-normal account can still give: the posted credit
// balance less what pending debits hold.
func (a Account) Available() int64 { return a.CreditsPosted - a.DebitsPosted - a.DebitsPending }

// AccountSpec names an account. The program, asset, code and ref identify it;
// opening the same spec again returns the same account.
type AccountSpec struct {
	ProgramID int64
	Asset     string
	Code      string
	Ref       string
	Limit     LimitRule // "" means NoLimit
}

// Kind is what a transfer does.
type Kind string

const (
	Posted  Kind = "posted"  // moves the amount at once (also a reversal)
	Pending Kind = "pending" // reserves the amount until posted, voided or timed out
	Post    Kind = "post"    // settles a pending transfer, in whole or in part
	Void    Kind = "void"    // releases a pending transfer
)

func (k Kind) valid() bool { return k == Posted || k == Pending || k == Post || k == Void }

// Transfer is a request to move an amount.
type Transfer struct {
	// ClientID is the caller's id for the transfer and its idempotency key:
	// the same id with the same fields returns the first result.
	ClientID string
	Kind     Kind // "" means Posted

	DebitAccountID  int64 // for post and void, may be left 0 (taken from the pending transfer)
	CreditAccountID int64
	// Amount is > 0. For a post, 0 posts the whole pending amount; for a void
	// and a reversal it must be 0 or the amount of the transfer settled.
	Amount int64

	Pending  string        // post, void: the pending transfer's client id
	Reverses string        // a reversal: the client id of the posted transfer to undo
	Timeout  time.Duration // pending: voids itself after this long; 0 means never

	Code string // what the movement is: "task_reward", "redeem", …
	Ref  string // the domain object: "claim:clm_…", "redemption:rdm_…"

	// Linked: this transfer succeeds or fails together with the next one in the
	// same call; a chain ends at the first transfer without Linked.
	Linked bool
}

// Record is a committed transfer.
type Record struct {
	ID              int64
	ProgramID       int64
	ClientID        string
	Kind            Kind
	DebitAccountID  int64
	CreditAccountID int64
	Asset           string
	Amount          int64
	PendingID       int64     // post, void: the transfer settled; else 0
	ReversesID      int64     // reversal: the transfer undone; else 0
	TimeoutAt       time.Time // pending with a timeout; else zero
	Code            string
	Ref             string
	CreatedAt       time.Time
}

// Code is the outcome of one transfer.
type Code string

// Outcomes. OK is the only success; every other code means the transfer (and
// its chain) changed nothing.
const (
	OK Code = "ok"

	LinkedEventFailed    Code = "linked_event_failed"     // another transfer in its chain failed
	LinkedEventChainOpen Code = "linked_event_chain_open" // the call ended inside a chain

	IDMustNotBeEmpty          Code = "id_must_not_be_empty"
	IDTooLong                 Code = "id_too_long"
	KindInvalid               Code = "kind_invalid"
	AmountMustBePositive      Code = "amount_must_be_positive"
	AccountsMustBeDifferent   Code = "accounts_must_be_different"
	DebitAccountNotFound      Code = "debit_account_not_found"
	CreditAccountNotFound     Code = "credit_account_not_found"
	AccountsMustHaveSameAsset Code = "accounts_must_have_same_asset"
	TimeoutOnlyForPending     Code = "timeout_only_for_pending"
	TimeoutMustNotBeNegative  Code = "timeout_must_not_be_negative"
	PendingOnlyForPostOrVoid  Code = "pending_only_for_post_or_void"
	CodeTooLong               Code = "code_too_long"
	RefTooLong                Code = "ref_too_long"

	ExistsWithDifferentFields Code = "exists_with_different_fields"
	ExceedsCredits            Code = "exceeds_credits" // a debit would take the account below its limit
	ExceedsDebits             Code = "exceeds_debits"  // the mirror image
	Overflow                  Code = "overflow"

	PendingTransferNotFound       Code = "pending_transfer_not_found"
	PendingTransferNotPending     Code = "pending_transfer_not_pending"
	PendingTransferAlreadyPosted  Code = "pending_transfer_already_posted"
	PendingTransferAlreadyVoided  Code = "pending_transfer_already_voided"
	PendingTransferExpired        Code = "pending_transfer_expired"
	PendingTransferHasOtherFields Code = "pending_transfer_has_different_fields"
	ExceedsPendingAmount          Code = "exceeds_pending_amount"

	ReversalTargetNotFound   Code = "reversal_target_not_found"
	ReversalTargetNotPosted  Code = "reversal_target_not_posted"
	ReversalAmountMismatch   Code = "reversal_amount_must_match"
	AlreadyReversed          Code = "already_reversed"
	ReversalAccountsMismatch Code = "reversal_accounts_must_be_swapped"
)

// Codes lists every outcome, so that metrics can show each from the start.
var Codes = []Code{OK, LinkedEventFailed, LinkedEventChainOpen, IDMustNotBeEmpty, IDTooLong, KindInvalid, AmountMustBePositive,
	AccountsMustBeDifferent, DebitAccountNotFound, CreditAccountNotFound, AccountsMustHaveSameAsset, TimeoutOnlyForPending,
	TimeoutMustNotBeNegative, PendingOnlyForPostOrVoid, CodeTooLong, RefTooLong, ExistsWithDifferentFields, ExceedsCredits,
	ExceedsDebits, Overflow, PendingTransferNotFound, PendingTransferNotPending, PendingTransferAlreadyPosted,
	PendingTransferAlreadyVoided, PendingTransferExpired, PendingTransferHasOtherFields, ExceedsPendingAmount,
	ReversalTargetNotFound, ReversalTargetNotPosted, ReversalAmountMismatch, AlreadyReversed, ReversalAccountsMismatch}

// Result is the outcome of one transfer. For OK, Record is the committed
// transfer — the first one when Replayed says this call repeated an earlier.
type Result struct {
	Code     Code
	Record   Record
	Replayed bool
}

// Limits on the text a transfer carries.
const (
	MaxClientID = 128
	MaxCode     = 64
	MaxRef      = 256
)
