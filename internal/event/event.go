// Package event holds the experience rung's events (SPEC A2, seed 001's 体验
// 授权): factory tours, track days, owners' tea parties, summits, with a
// city, a venue, a time and a capacity of seats that is a ledger account,
// so no event is ever oversold however many answer at once. Seats go first
// come (a waitlist moves up in order when someone cancels, each offer with
// a deadline to accept), by apply-and-select, or by assignment as a
// reward; each attendee's ticket is checked in once.
package event

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/program"
	"kox/internal/pubid"
	"kox/internal/task"
)

// Kind is what an event is.
type Kind string

const (
	FactoryTour Kind = "factory_tour"
	TrackDay    Kind = "track_day"
	TeaParty    Kind = "tea_party"
	Summit      Kind = "summit"
	Other       Kind = "other"
)

// Allocation is how seats are given.
type Allocation string

const (
	FirstCome Allocation = "first_come" // whoever answers first; then a waitlist
	Apply     Allocation = "apply"      // members apply, operators select
	Reward    Allocation = "reward"     // operators assign seats (a VIP seat won or redeemed)
)

var (
	Kinds       = []Kind{FactoryTour, TrackDay, TeaParty, Summit, Other}
	Allocations = []Allocation{FirstCome, Apply, Reward}
)

// Seat statuses.
const (
	Going      = "going"      // holds a seat and a ticket
	Applied    = "applied"    // waits for an operator's choice
	Waitlisted = "waitlisted" // in line for a seat
	Offered    = "offered"    // a seat is held for them until OfferedUntil
	Cancelled  = "cancelled"  // gave up their seat or place
	Declined   = "declined"   // turned an offer down
	Expired    = "expired"    // let an offer lapse
	Rejected   = "rejected"   // not selected
)

// holds says the status holds a seat.
func holds(status string) bool { return status == Going || status == Offered }

// open says the member still stands for the event (they may cancel).
func open(status string) bool {
	return status == Going || status == Applied || status == Waitlisted || status == Offered
}

// Gathering is an event with its seats' figures.
type Gathering struct {
	ID          int64      `json:"-"`
	PublicID    string     `json:"id"`
	Kind        Kind       `json:"kind"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	City        string     `json:"city,omitempty"`
	Venue       string     `json:"venue,omitempty"`
	Region      string     `json:"region,omitempty" doc:"Only members of the region may answer; empty: all."`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at"`
	Capacity    int        `json:"capacity"`
	Allocation  Allocation `json:"allocation"`
	Ladder      string     `json:"ladder,omitempty"`
	MinTier     string     `json:"min_tier,omitempty" doc:"Members at this tier or above may answer; empty: all."`
	OfferHours  int        `json:"offer_hours" doc:"How long a waitlisted member has to accept a seat that came free."`
	Campaign    string     `json:"campaign,omitempty" doc:"The label of the campaign it belongs to."`
	OpensAt     time.Time  `json:"opens_at,omitzero" doc:"When answers open to everyone eligible; at publication when empty."`
	Windows     []Window   `json:"windows" doc:"Tier-priority windows: the tiers named (and those above) may answer from their own, earlier time."`
	StoryTask   string     `json:"story_task,omitempty" doc:"The task its attendees (those checked in) are assigned once it is over."`
	StoriesAt   time.Time  `json:"stories_at,omitzero" doc:"When the story task was assigned to its attendees."`
	Status      string     `json:"status" enum:"draft,published,cancelled"`
	Taken       int64      `json:"taken" doc:"Seats held (going and offered)."`
	Waiting     int        `json:"waitlisted"`
	CheckedIn   int        `json:"checked_in" doc:"Seats whose ticket was used at the door."`
	CreatedAt   time.Time  `json:"created_at"`
	seats       int64
	taken       int64
}

// Answering says members may answer now (an assigned event takes no
// answers): the rule RSVP keeps, for a face to offer the button.
func (e Gathering) Answering(now time.Time) bool {
	return e.Status == "published" && now.Before(e.StartsAt) && e.Allocation != Reward
}

// CallableOff says the event may still be called off: it is not over,
// nor called off already.
func (e Gathering) CallableOff(now time.Time) bool {
	return e.Status != "cancelled" && now.Before(e.EndsAt)
}

// Cancellable says the member may still give up their seat or place.
func (x Seat) Cancellable() bool { return open(x.Status) && x.CheckedInAt.IsZero() }

// Answerable says a seat is offered to the member to accept or decline.
func (x Seat) Answerable() bool { return x.Status == Offered }

// Again says the member may answer anew (after cancelling, declining or
// letting an offer lapse); "" (no seat) too.
func (x Seat) Again() bool { return !open(x.Status) && x.Status != Rejected }

// Left is how many seats are free.
func (e Gathering) Left() int64 { return int64(e.Capacity) - e.Taken }

// EventInput is an event as written.
type EventInput struct {
	Kind        Kind       `json:"kind" enum:"factory_tour,track_day,tea_party,summit,other"`
	Title       string     `json:"title" maxLength:"200"`
	Description string     `json:"description,omitempty" maxLength:"4000"`
	City        string     `json:"city,omitempty" maxLength:"60"`
	Venue       string     `json:"venue,omitempty" maxLength:"200"`
	Region      string     `json:"region,omitempty" maxLength:"60"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at,omitzero" doc:"The start when empty."`
	Capacity    int        `json:"capacity" minimum:"1" maximum:"100000"`
	Allocation  Allocation `json:"allocation" enum:"first_come,apply,reward"`
	Ladder      string     `json:"ladder,omitempty"`
	MinTier     string     `json:"min_tier,omitempty"`
	OfferHours  int        `json:"offer_hours,omitempty" minimum:"0" maximum:"720" doc:"24 when empty."`
	Campaign    string     `json:"campaign,omitempty" maxLength:"100" doc:"The label of a campaign it belongs to."`
	OpensAt     time.Time  `json:"opens_at,omitzero" doc:"When answers open to everyone eligible; required with windows."`
	Windows     []Window   `json:"windows,omitempty" maxItems:"20" doc:"Tier-priority windows, each before opens_at."`
	StoryTask   string     `json:"story_task,omitempty" maxLength:"64" doc:"A task (assigned mode) its attendees are given once it is over."`
}

// Window opens an event's answers early to a tier and those above it.
type Window = ladder.Window

// Seat is a member's place at an event.
type Seat struct {
	ID           int64     `json:"-"`
	PublicID     string    `json:"id"`
	Event        string    `json:"event"`
	EventTitle   string    `json:"event_title"`
	Member       string    `json:"member"`
	MemberName   string    `json:"member_name"`
	Status       string    `json:"status" enum:"going,applied,waitlisted,offered,cancelled,declined,expired,rejected"`
	Position     int64     `json:"position,omitempty" doc:"Waitlisted: the place in line, 1 first."`
	Ticket       string    `json:"ticket,omitempty" doc:"Going: the code its QR carries, shown at the door."`
	OfferedUntil time.Time `json:"offered_until,omitzero"`
	CheckedInAt  time.Time `json:"checked_in_at,omitzero"`
	UpdatedAt    time.Time `json:"updated_at"`
	eventID      int64
	memberID     int64
	transfer     string
	attempt      int
	order        int64
}

// Service keeps events and their seats.
type Service struct {
	DB     *db.DB
	Ledger *ledger.Ledger
	Tasks  *task.Service // assigns attendees their story task
	// OnSeatCancelled runs in the change that cancels a seat (given up, or
	// the event called off): the catalog refunds a VIP seat it sold.
	OnSeatCancelled func(ctx context.Context, tx *db.Tx, sc program.Scope, ticket, reason string) error
}

func (s *Service) seatCancelled(ctx context.Context, tx *db.Tx, sc program.Scope, x Seat, reason string) error {
	if s.OnSeatCancelled == nil || x.Ticket == "" {
		return nil
	}
	return s.OnSeatCancelled(ctx, tx, sc, x.Ticket, reason)
}

// Limits.
const (
	MaxCapacity   = 100_000
	MaxOfferHours = 720
)

func notFound(ref string) error {
	return fault.New(fault.NotFound, "event.not_found", "no event {event}", fault.P{"event": ref})
}

func seatNotFound(ref string) error {
	return fault.New(fault.NotFound, "event.seat_not_found", "no seat {seat}", fault.P{"seat": ref})
}

func (in *EventInput) check(ls []ladder.Ladder) error {
	var f fault.Fields
	in.Title, in.Description, in.City, in.Venue, in.Region = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description),
		strings.TrimSpace(in.City), strings.TrimSpace(in.Venue), strings.TrimSpace(in.Region)
	if !slices.Contains(Kinds, in.Kind) {
		f.OneOf("kind", fault.Names(Kinds))
	}
	if !slices.Contains(Allocations, in.Allocation) {
		f.OneOf("allocation", fault.Names(Allocations))
	}
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		f.Length("title", 1, 200)
	}
	if len([]rune(in.Description)) > 4000 {
		f.MaxLength("description", 4000)
	}
	for name, v := range map[string]string{"city": in.City, "region": in.Region} {
		if len([]rune(v)) > 60 {
			f.MaxLength(name, 60)
		}
	}
	in.Campaign = strings.TrimSpace(in.Campaign)
	if len([]rune(in.Campaign)) > 100 {
		f.MaxLength("campaign", 100)
	}
	if len([]rune(in.Venue)) > 200 {
		f.MaxLength("venue", 200)
	}
	if in.StartsAt.IsZero() {
		f.Required("starts_at")
	}
	if in.EndsAt.IsZero() {
		in.EndsAt = in.StartsAt
	}
	if in.EndsAt.Before(in.StartsAt) {
		f.Add("ends_at", "event.ends_before", "must not be before the start")
	}
	if in.Capacity < 1 || in.Capacity > MaxCapacity {
		f.Range("capacity", 1, MaxCapacity)
	}
	if in.OfferHours == 0 {
		in.OfferHours = 24
	}
	if in.OfferHours < 1 || in.OfferHours > MaxOfferHours {
		f.Range("offer_hours", 1, MaxOfferHours)
	}
	if in.Ladder != "" || in.MinTier != "" {
		if !ladder.HasTier(ls, in.Ladder, in.MinTier) {
			f.Add("min_tier", "catalog.tier_unknown", "names no tier of the program's ladders")
		}
	}
	ladder.CheckWindows(&f, ls, in.Windows, in.OpensAt)
	if !in.OpensAt.IsZero() && !in.StartsAt.IsZero() && !in.OpensAt.Before(in.StartsAt) {
		f.Add("opens_at", "event.opens_late", "must be before the event starts")
	}
	in.StoryTask = strings.TrimSpace(in.StoryTask)
	return f.Err()
}

// checkStoryTask says the story task named is one of the program's tasks
// that can be assigned: assigned mode, not over.
func checkStoryTask(ctx context.Context, tx *db.Tx, programID int64, ref string) error {
	if ref == "" {
		return nil
	}
	var mode, status string
	err := tx.QueryRowContext(ctx, `SELECT mode, status FROM tasks WHERE program_id = $1 AND public_id = $2`, programID, ref).Scan(&mode, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.Field("story_task", "event.story_task_unknown", "names no task of the program")
	}
	if err != nil {
		return err
	}
	if mode != "assigned" || (status != "draft" && status != "published") {
		return fault.Field("story_task", "event.story_task_mode", "must be an assigned task, a draft or published")
	}
	return nil
}

const eventCols = `e.id, e.public_id, e.kind, e.title, e.description, e.city, e.venue, e.region, e.starts_at, e.ends_at, e.capacity, e.allocation,
	e.ladder, e.min_tier, e.offer_hours, e.campaign, e.opens_at, e.windows, e.story_task, e.stories_at, e.status, e.created_at, e.seats_account_id, e.taken_account_id,
	(SELECT COUNT(*) FROM event_seats s WHERE s.event_id = e.id AND s.status IN ('going', 'offered')),
	(SELECT COUNT(*) FROM event_seats s WHERE s.event_id = e.id AND s.status = 'waitlisted'),
	(SELECT COUNT(*) FROM event_seats s WHERE s.event_id = e.id AND s.checked_in_at > 0)`

func scanEvent(s interface{ Scan(...any) error }) (Gathering, error) {
	var e Gathering
	var starts, ends, created, opens, stories int64
	var windows string
	err := s.Scan(&e.ID, &e.PublicID, &e.Kind, &e.Title, &e.Description, &e.City, &e.Venue, &e.Region, &starts, &ends, &e.Capacity, &e.Allocation,
		&e.Ladder, &e.MinTier, &e.OfferHours, &e.Campaign, &opens, &windows, &e.StoryTask, &stories, &e.Status, &created, &e.seats, &e.taken, &e.Taken, &e.Waiting, &e.CheckedIn)
	e.StartsAt, e.EndsAt, e.CreatedAt = time.UnixMicro(starts).UTC(), time.UnixMicro(ends).UTC(), time.UnixMicro(created).UTC()
	if opens > 0 {
		e.OpensAt = time.UnixMicro(opens).UTC()
	}
	if stories > 0 {
		e.StoriesAt = time.UnixMicro(stories).UTC()
	}
	_ = json.Unmarshal([]byte(windows), &e.Windows)
	if e.Windows == nil {
		e.Windows = []Window{}
	}
	return e, err
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func getEvent(ctx context.Context, q querier, programID int64, ref, lock string) (Gathering, error) {
	e, err := scanEvent(q.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events e WHERE e.program_id = $1 AND e.public_id = $2`+lock, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Gathering{}, notFound(ref)
	}
	return e, err
}

// Create writes a draft event.
func (s *Service) Create(ctx context.Context, sc program.Scope, in EventInput) (Gathering, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Gathering{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		ls, err := ladder.LoadTx(ctx, tx, sc.Program.ID)
		if err != nil {
			return "", err
		}
		if err := in.check(ls); err != nil {
			return "", err
		}
		if err := checkStoryTask(ctx, tx, sc.Program.ID, in.StoryTask); err != nil {
			return "", err
		}
		windows, _ := json.Marshal(in.Windows)
		if in.Windows == nil {
			windows = []byte("[]")
		}
		opens := int64(0)
		if !in.OpensAt.IsZero() {
			opens = in.OpensAt.UnixMicro()
		}
		ref := pubid.New("evt")
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (program_id, public_id, kind, title, description, city, venue, region, starts_at, ends_at,
			capacity, allocation, ladder, min_tier, offer_hours, campaign, opens_at, windows, story_task, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)`,
			sc.Program.ID, ref, string(in.Kind), in.Title, in.Description, in.City, in.Venue, in.Region, in.StartsAt.UnixMicro(), in.EndsAt.UnixMicro(),
			in.Capacity, string(in.Allocation), in.Ladder, in.MinTier, in.OfferHours, in.Campaign, opens, string(windows), in.StoryTask, tx.Now.UnixMicro()); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.create", ObjectKind: "event", ObjectID: ref, After: in})
	})
	if err != nil {
		return Gathering{}, err
	}
	return getEvent(ctx, s.DB.R, sc.Program.ID, ref, "")
}

// Publish opens the event to members: its seats are put in their ledger
// account, from which every seat taken is a transfer.
func (s *Service) Publish(ctx context.Context, sc program.Scope, ref string) (Gathering, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Gathering{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		e, err := getEvent(ctx, tx, sc.Program.ID, ref, tx.ForUpdate())
		if err != nil {
			return err
		}
		if e.Status != "draft" {
			return fault.New(fault.Conflict, "event.not_draft", "only a draft can be published; the event is {status}", fault.P{"status": e.Status})
		}
		open := func(code string, limit ledger.LimitRule) (ledger.Account, error) {
			return ledger.OpenAccountTx(ctx, tx, ledger.AccountSpec{ProgramID: sc.Program.ID, Asset: "seats", Code: code, Ref: "event:" + ref, Limit: limit})
		}
		source, err := ledger.OpenAccountTx(ctx, tx, ledger.AccountSpec{ProgramID: sc.Program.ID, Asset: "seats", Code: "seats_source"})
		if err != nil {
			return err
		}
		seats, err := open("event_seats", ledger.DebitsMustNotExceedCredits)
		if err != nil {
			return err
		}
		taken, err := open("event_taken", ledger.NoLimit)
		if err != nil {
			return err
		}
		rs, err := s.Ledger.ApplyTx(ctx, tx, sc.Program.ID, []ledger.Transfer{{ClientID: "publish:" + ref, DebitAccountID: source.ID, CreditAccountID: seats.ID,
			Amount: int64(e.Capacity), Code: "event_publish", Ref: "event:" + ref}})
		if err != nil {
			return err
		}
		if err := rs[0].Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET status = 'published', seats_account_id = $2, taken_account_id = $3, updated_at = $4 WHERE id = $1`,
			e.ID, seats.ID, taken.ID, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.publish", ObjectKind: "event", ObjectID: ref,
			After: map[string]any{"capacity": e.Capacity}})
	})
	if err != nil {
		return Gathering{}, err
	}
	return getEvent(ctx, s.DB.R, sc.Program.ID, ref, "")
}

// Get returns an event. Members read published events.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Gathering, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksRead); err != nil {
			return Gathering{}, err
		}
	}
	e, err := getEvent(ctx, s.DB.R, sc.Program.ID, ref, "")
	if err == nil && sc.Actor.Kind == program.ActorMember && e.Status != "published" {
		return Gathering{}, notFound(ref)
	}
	return e, err
}

// List is the program's events, soonest first; members see the published
// ones they may attend.
func (s *Service) List(ctx context.Context, sc program.Scope) ([]Gathering, error) {
	status := ""
	if sc.Actor.Kind == program.ActorMember {
		status = "published"
	} else if err := sc.Require(program.PermTasksRead); err != nil {
		return nil, err
	}
	// A member sees the events they may attend (their region, their rung)
	// and any they already have a place at.
	mine, args := `TRUE`, []any{sc.Program.ID, status}
	if sc.Actor.Kind == program.ActorMember {
		args = append(args, sc.Actor.ID)
		mine = `((e.region = '' OR e.region = (SELECT region FROM members WHERE id = $3)) AND (e.ladder = '' OR ` +
			ladder.AtLeastSQL("e.program_id", "$3", "e.ladder", "e.min_tier") + `) OR EXISTS (SELECT 1 FROM event_seats x WHERE x.event_id = e.id AND x.member_id = $3))`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+eventCols+` FROM events e WHERE e.program_id = $1 AND ($2 = '' OR e.status = $2) AND `+mine+`
		ORDER BY e.starts_at, e.id LIMIT 500`, args...)
	es, err := db.Collect(rows, err, scanEvent)
	if es == nil {
		es = []Gathering{}
	}
	return es, err
}

const seatCols = `s.id, s.public_id, e.public_id, e.title, m.public_id, m.name, s.status, s.position, s.ticket, s.offered_until, s.checked_in_at, s.updated_at,
	s.event_id, s.member_id, s.seat_transfer, s.attempt`

const seatFrom = ` FROM event_seats s JOIN events e ON e.id = s.event_id JOIN members m ON m.id = s.member_id`

func scanSeat(r interface{ Scan(...any) error }) (Seat, error) {
	var x Seat
	var offered, checked, updated int64
	err := r.Scan(&x.ID, &x.PublicID, &x.Event, &x.EventTitle, &x.Member, &x.MemberName, &x.Status, &x.order, &x.Ticket, &offered, &checked, &updated,
		&x.eventID, &x.memberID, &x.transfer, &x.attempt)
	if offered > 0 && x.Status == Offered {
		x.OfferedUntil = time.UnixMicro(offered).UTC()
	}
	if checked > 0 {
		x.CheckedInAt = time.UnixMicro(checked).UTC()
	}
	x.UpdatedAt = time.UnixMicro(updated).UTC()
	if x.Status != Going {
		x.Ticket = ""
	}
	return x, err
}

// newTicket is a ticket's code: ten characters of crypto/rand.Text
// (base32, 50 bits), shown as two groups of five.
func newTicket() string {
	t := rand.Text()[:10]
	return t[:5] + "-" + t[5:]
}

// typed undoes what people do to a code they type: lower case, spaces,
// a missing dash.
func typed(code string) string {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	if len(c) != 10 {
		return c
	}
	return c[:5] + "-" + c[5:]
}

// eligible says why the member may not have a seat, or nil.
func eligible(ctx context.Context, tx *db.Tx, programID int64, e Gathering, memberID int64) error {
	var status, region string
	if err := tx.QueryRowContext(ctx, `SELECT status, region FROM members WHERE id = $1`, memberID).Scan(&status, &region); err != nil {
		return err
	}
	if status != "active" {
		return fault.New(fault.Conflict, "event.member_inactive", "only an active member may take a seat (the member is {status})", fault.P{"status": status})
	}
	if e.Region != "" && region != e.Region {
		return fault.New(fault.Forbidden, "event.region", "the event is for members in {region}", fault.P{"region": e.Region})
	}
	if e.Ladder != "" {
		ok, err := ladder.NewRanks(tx, programID, memberID).AtLeast(ctx, e.Ladder, e.MinTier)
		if err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.Forbidden, "event.tier", "the event is for members at {tier} or above", fault.P{"tier": e.MinTier})
		}
	}
	return nil
}

// take moves one seat to the member's place, or reports the event full.
func (s *Service) take(ctx context.Context, tx *db.Tx, programID int64, e Gathering, x *Seat) (bool, error) {
	x.attempt++
	id := fmt.Sprintf("seat:%s:%d", x.PublicID, x.attempt)
	rs, err := s.Ledger.ApplyNewTx(ctx, tx, programID, []ledger.Transfer{{ClientID: id, DebitAccountID: e.seats, CreditAccountID: e.taken,
		Amount: 1, Code: "event_seat", Ref: "seat:" + x.PublicID}})
	if err != nil {
		return false, err
	}
	if err := rs[0].Err(); fault.Is(err, fault.LimitExceeded) {
		x.attempt--
		return false, nil
	} else if err != nil {
		return false, err
	}
	x.transfer = id
	return true, nil
}

// release gives the seat the member holds back.
func (s *Service) release(ctx context.Context, tx *db.Tx, programID int64, x Seat) error {
	rs, err := s.Ledger.ApplyTx(ctx, tx, programID, []ledger.Transfer{{ClientID: "release:" + x.transfer, Reverses: x.transfer, Code: "event_release",
		Ref: "seat:" + x.PublicID}})
	if err != nil {
		return err
	}
	return rs[0].Err()
}

func (s *Service) save(ctx context.Context, tx *db.Tx, x Seat, offeredUntil int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE event_seats SET status = $2, position = $3, seat_transfer = $4, attempt = $5, offered_until = $6, updated_at = $7
		WHERE id = $1`, x.ID, x.Status, x.order, x.transfer, x.attempt, offeredUntil, tx.Now.UnixMicro())
	return err
}

// nextPosition is the end of the event's waitlist (the event row is
// locked: one answer at a time).
func nextPosition(ctx context.Context, tx *db.Tx, eventID int64) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM event_seats WHERE event_id = $1`, eventID).Scan(&n)
	return n, err
}

// RSVP is a member's answer to an event: a seat and a ticket when one is
// free (first come), otherwise a place at the end of the waitlist; an
// application where operators select. However many answer at once, no
// more than the capacity hold seats, and the waitlist keeps their order.
// A member answers for themselves; an operator (tasks.write) for the
// member named, as if they had answered.
func (s *Service) RSVP(ctx context.Context, sc program.Scope, ref, memberRef string) (Seat, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Seat{}, err
		}
	}
	seat, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		memberID, err := whose(ctx, tx, sc, memberRef)
		if err != nil {
			return "", err
		}
		e, err := getEvent(ctx, tx, sc.Program.ID, ref, tx.ForUpdate())
		if err != nil {
			return "", err
		}
		if !e.Answering(tx.Now) {
			switch {
			case e.Status != "published":
				return "", notFound(ref)
			case e.Allocation == Reward:
				return "", fault.New(fault.Conflict, "event.by_assignment", "seats at this event are assigned, not answered for")
			}
			return "", fault.New(fault.Conflict, "event.started", "the event has started: answers are closed")
		}
		if err := eligible(ctx, tx, sc.Program.ID, e, memberID); err != nil {
			return "", err
		}
		if opens, err := ladder.OpensFor(ctx, ladder.NewRanks(tx, sc.Program.ID, memberID), e.Windows, e.OpensAt); err != nil {
			return "", err
		} else if tx.Now.Before(opens) {
			return "", fault.New(fault.Conflict, "event.answers_not_open", "answers open for you at {opens_at}", fault.P{"opens_at": opens.UTC().Format(time.RFC3339)})
		}
		x, err := s.placeTx(ctx, tx, sc, e, memberID)
		if err != nil {
			return "", err
		}
		switch {
		case e.Allocation == Apply:
			x.Status = Applied
		default:
			ok, err := s.take(ctx, tx, sc.Program.ID, e, &x)
			if err != nil {
				return "", err
			}
			x.Status = Waitlisted
			if ok {
				x.Status = Going
			} else if x.order, err = nextPosition(ctx, tx, e.ID); err != nil {
				return "", err
			}
		}
		if err := s.save(ctx, tx, x, 0); err != nil {
			return "", err
		}
		return x.PublicID, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.rsvp", ObjectKind: "event", ObjectID: ref,
			After: map[string]any{"seat": x.PublicID, "status": x.Status}})
	})
	if err != nil {
		return Seat{}, err
	}
	return s.Seat(ctx, sc, seat)
}

// whose is the member a seat is for: a member themselves, else the one an
// operator names.
func whose(ctx context.Context, tx *db.Tx, sc program.Scope, memberRef string) (int64, error) {
	if sc.Actor.Kind == program.ActorMember {
		return sc.Actor.ID, nil
	}
	if strings.TrimSpace(memberRef) == "" {
		return 0, fault.Field("member", "required", "is required")
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM members WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, memberRef).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.Field("member", "event.member_unknown", "names no member of the program")
	}
	return id, err
}

// placeTx is the member's row for the event: new, or one whose earlier
// answer closed (cancelled, declined, expired) to answer again.
func (s *Service) placeTx(ctx context.Context, tx *db.Tx, sc program.Scope, e Gathering, memberID int64) (Seat, error) {
	x, err := scanSeat(tx.QueryRowContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.event_id = $1 AND s.member_id = $2`, e.ID, memberID))
	if errors.Is(err, sql.ErrNoRows) {
		x = Seat{PublicID: pubid.New("seat"), Ticket: newTicket()}
		err = tx.QueryRowContext(ctx, `INSERT INTO event_seats (program_id, public_id, event_id, member_id, status, ticket, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'applied', $5, $6, $6) RETURNING id`, sc.Program.ID, x.PublicID, e.ID, memberID, x.Ticket, tx.Now.UnixMicro()).Scan(&x.ID)
		return x, err
	}
	if err != nil {
		return Seat{}, err
	}
	if !x.Again() {
		return Seat{}, fault.New(fault.Conflict, "event.already_answered", "you already answered: you are {status}", fault.P{"status": x.Status})
	}
	x.order = 0
	return x, nil
}

// OpensFor is when the member may answer e: their tier's window, else
// when it opens to everyone (zero: at once).
func (s *Service) OpensFor(ctx context.Context, sc program.Scope, e Gathering, memberID int64) (time.Time, error) {
	var at time.Time
	err := s.DB.InReadTx(ctx, func(tx *db.Tx) error {
		var err error
		at, err = ladder.OpensFor(ctx, ladder.NewRanks(tx, sc.Program.ID, memberID), e.Windows, e.OpensAt)
		return err
	})
	return at, err
}

// MayAnswer says whether the member whose seat (or none) is x may answer
// e now — what the portal offers and RSVP allows, eligibility aside — and,
// when only their tier's window keeps them waiting, when it opens.
func (s *Service) MayAnswer(ctx context.Context, sc program.Scope, e Gathering, x Seat, memberID int64) (bool, time.Time, error) {
	if !e.Answering(s.DB.Now()) || !x.Again() {
		return false, time.Time{}, nil
	}
	opens, err := s.OpensFor(ctx, sc, e, memberID)
	if err != nil || s.DB.Now().Before(opens) {
		return false, opens, err
	}
	return true, time.Time{}, nil
}
