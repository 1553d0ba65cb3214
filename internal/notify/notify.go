// Package notify tells people what happened (SPEC P7) and integrations too
// (P3). A change writes its event to the outbox in its own transaction, so
// an event exists exactly when its change does; a job then fans each event
// out to in-app notifications (a member's own, or every operator of the
// program) and to the program's channels — signed webhooks, the WeCom group
// bot, email — each delivery retried with back-off and logged. Delivery is
// at least once: every message carries the event's id, for receivers to
// drop repeats.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"kox/internal/db"
	"kox/internal/member"
	"kox/internal/pubid"
	"kox/internal/seal"
)

// Kinds of events.
const (
	Promoted         = "promoted"          // a member moved up a tier
	Warned           = "warned"            // a keep rule warned a member
	Demoted          = "demoted"           // a keep rule moved a member down
	TaskApproved     = "task_approved"     // a member's work was approved
	ChangesRequested = "changes_requested" // a reviewer asked for changes
	RedemptionShip   = "redemption_shipped"
	AwardWon         = "award_won"
	PayoutPaid       = "payout_paid"
	CandidatesFound  = "candidates_found" // for operators: an evaluation found candidates
	CommunityInvited = "community_invited"
	KitGiven         = "kit_given"         // a welcome or promotion kit is on its way
	SeatOffered      = "seat_offered"      // a seat at an event came free for a waitlisted member
	BriefingEarly    = "briefing_early"    // a briefing under embargo is out for the member's tier
	BriefingOut      = "briefing_out"      // a briefing is out for everyone
	CampaignLive     = "campaign_live"     // a campaign went live (to its members, and to operators)
	LoanReturnBy     = "loan_return_by"    // a loan must come back by a date (the member left the loan's rung)
	LoanOverdue      = "loan_overdue"      // a loan's car was not back on its day (to the member, and to operators)
	FeedbackUpdated  = "feedback_updated"  // a member's feedback item was heard, considered, adopted or declined
	EventCancelled   = "event_cancelled"   // an event the member had a place at was called off
	CouncilInvited   = "council_invited"   // a member is invited to a closed-door session
	CouncilCancelled = "council_cancelled" // a closed-door session the member was invited to was called off
)

// Personal kinds reach a member only in their own inbox and email, never a
// webhook or a group bot: a briefing under embargo must not be posted to
// a group where others read it, and a notice to every member is not news
// for an integration. Said to operators (member 0), they go everywhere.
var Personal = []string{BriefingEarly, BriefingOut, CampaignLive, LoanReturnBy, LoanOverdue, FeedbackUpdated, CouncilInvited, CouncilCancelled}

// Kinds in the order forms list them.
var Kinds = []string{Promoted, Warned, Demoted, TaskApproved, ChangesRequested, RedemptionShip, AwardWon, PayoutPaid, CandidatesFound, CommunityInvited, KitGiven, SeatOffered,
	BriefingEarly, BriefingOut, CampaignLive, LoanReturnBy, LoanOverdue, FeedbackUpdated, EventCancelled, CouncilInvited, CouncilCancelled}

// Event is what happened, for whom: a member (MemberID), or the program's
// operators (0).
type Event struct {
	ProgramID int64
	Kind      string
	MemberID  int64
	Subject   string         // the object it is about: a claim, a redemption
	Params    map[string]any // the words' parameters: {tier}, {task}, …
}

// EmitTx writes the event to the outbox inside the change's transaction.
func EmitTx(ctx context.Context, tx *db.Tx, e Event) error {
	if !slices.Contains(Kinds, e.Kind) {
		return fmt.Errorf("notify: unknown kind %q", e.Kind)
	}
	params, _ := json.Marshal(e.Params)
	if e.Params == nil {
		params = []byte("{}")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (program_id, public_id, kind, member_id, subject, params, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ProgramID, pubid.New("evt"), e.Kind, e.MemberID, e.Subject, string(params), tx.Now.UnixMicro())
	return err
}

// EmitEachTx writes the event once for each of the members.
func EmitEachTx(ctx context.Context, tx *db.Tx, e Event, members []int64) error {
	for _, m := range members {
		e.MemberID = m
		if err := EmitTx(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// Service delivers and lists notifications.
type Service struct {
	DB      *db.DB
	Members *member.Service
	Sealer  *seal.Sealer // seals channels' secrets; nil refuses to keep them
	HTTP    *http.Client // for webhooks and the WeCom bot; a 10-second client when nil
	Log     *slog.Logger
	// SMTP sends an email (net/smtp's SendMail by default; tests replace it).
	SMTP func(addr, user, password, from string, to []string, msg []byte) error
}

func (s *Service) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
