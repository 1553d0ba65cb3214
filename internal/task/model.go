// Package task holds tasks (SPEC T1–T6): what a program asks its members to
// do, fitted to each rung of the ladder; members' claims on them; what they
// submit, the brief check on it and the reviewers' decisions; and the
// occurrences of recurring obligations such as a weekly diary through a loan.
// Capacity is a ledger account, so a claim is a ledger transfer and a task can
// never be over-claimed; approval pays points through the ledger, once.
package task

import (
	"slices"
	"strings"
	"time"
)

// Kind is the effort a task asks for (T1): the reward should match it.
type Kind string

const (
	LightInteraction Kind = "light_interaction" // join a topic, share a photo, answer a newcomer, survey, repost
	Content          Kind = "content"           // a short video or an article
	DeepReview       Kind = "deep_review"
	ExperienceStory  Kind = "experience_story"
	Diary            Kind = "diary" // long-term, recurring
	Consultation     Kind = "consultation"
	Mentoring        Kind = "mentoring"
)

// Mode is how members come to a task (T2).
type Mode string

const (
	Open     Mode = "open"     // first come, first served, up to capacity
	Assigned Mode = "assigned" // operators assign members
	Apply    Mode = "apply"    // members apply, operators select
)

// Status is where a task is in its life.
type Status string

const (
	Draft     Status = "draft"
	Published Status = "published"
	Closed    Status = "closed"
	Cancelled Status = "cancelled"
)

// ClaimStatus is where a member's claim on a task is (T3).
type ClaimStatus string

const (
	Applied          ClaimStatus = "applied"
	NotSelected      ClaimStatus = "not_selected"
	Claimed          ClaimStatus = "claimed"
	AssignedStatus   ClaimStatus = "assigned"
	Selected         ClaimStatus = "selected"
	Submitted        ClaimStatus = "submitted"
	ChangesRequested ClaimStatus = "changes_requested"
	Approved         ClaimStatus = "approved"
	Rejected         ClaimStatus = "rejected"
	Withdrawn        ClaimStatus = "withdrawn"
	Expired          ClaimStatus = "expired"
	CancelledClaim   ClaimStatus = "cancelled"
)

var (
	Statuses = []Status{Draft, Published, Closed, Cancelled}
	Kinds    = []Kind{LightInteraction, Content, DeepReview, ExperienceStory, Diary, Consultation, Mentoring}
	Modes    = []Mode{Open, Assigned, Apply}
)

// holdsSlot: claims in these states hold one of the task's slots.
func (s ClaimStatus) holdsSlot() bool {
	return slices.Contains([]ClaimStatus{Claimed, AssignedStatus, Selected, Submitted, ChangesRequested, Approved, Rejected}, s)
}

// live: the claim still stands (or ended in a review), so the member cannot
// take the task again.
func (s ClaimStatus) live() bool {
	return !slices.Contains([]ClaimStatus{Withdrawn, Expired, CancelledClaim, NotSelected}, s)
}

// Working says the member may still submit (or withdraw).
func (s ClaimStatus) Working() bool { return s.working() }

// working: the member may still submit (or withdraw).
func (s ClaimStatus) working() bool { return slices.Contains(workingStatuses, s) }

var workingStatuses = []ClaimStatus{Claimed, AssignedStatus, Selected, ChangesRequested}

// workingSQL is the working statuses as an SQL list (constants, not input).
func workingSQL() string {
	q := make([]string, len(workingStatuses))
	for i, s := range workingStatuses {
		q[i] = "'" + string(s) + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// Brief is what a task asks members to say and how (T2).
type Brief struct {
	Description        string   `json:"description,omitempty" yaml:"description,omitempty"`
	KeyMessages        []string `json:"key_messages,omitempty" yaml:"key_messages,omitempty"`
	Hashtags           []string `json:"hashtags,omitempty" yaml:"hashtags,omitempty"`
	Platforms          []string `json:"platforms,omitempty" yaml:"platforms,omitempty"`
	DisclosureRequired bool     `json:"disclosure_required,omitempty" yaml:"disclosure_required,omitempty"`
	References         []string `json:"references,omitempty" yaml:"references,omitempty"`
	TopicIdeas         []string `json:"topic_ideas,omitempty" yaml:"topic_ideas,omitempty"`
}

// Eligibility says who may take a task; empty lists mean everyone.
type Eligibility struct {
	Ladder  string   `json:"ladder,omitempty" yaml:"ladder,omitempty"`
	MinTier string   `json:"min_tier,omitempty" yaml:"min_tier,omitempty"`
	Roles   []string `json:"roles,omitempty" yaml:"roles,omitempty"`
	Regions []string `json:"regions,omitempty" yaml:"regions,omitempty"`
	Sources []string `json:"sources,omitempty" yaml:"sources,omitempty"`
	Tags    []string `json:"tags,omitempty" yaml:"tags,omitempty"`
}

// Reward is what completing a task earns. Points are paid on approval; money
// (in fen) and perks are recorded for the rewards issue to pay.
type Reward struct {
	Points int64    `json:"points" yaml:"points"`
	Money  int64    `json:"money,omitempty" yaml:"money,omitempty"`
	Perks  []string `json:"perks,omitempty" yaml:"perks,omitempty"`
}

// Recurrence makes a claim an obligation of Count occurrences, one every
// IntervalDays (a weekly diary for 26 weeks: 7 and 26).
type Recurrence struct {
	IntervalDays int `json:"interval_days" yaml:"interval_days"`
	Count        int `json:"count" yaml:"count"`
}

// Task is a stored task.
type Task struct {
	ID                int64       `json:"-"`
	ProgramID         int64       `json:"-"`
	PublicID          string      `json:"id"`
	Title             string      `json:"title"`
	Kind              Kind        `json:"kind"`
	Status            Status      `json:"status"`
	Mode              Mode        `json:"mode"`
	Brief             Brief       `json:"brief"`
	Eligibility       Eligibility `json:"eligibility"`
	Capacity          int         `json:"capacity"`
	ClaimDeadline     time.Time   `json:"claim_deadline,omitzero"`
	SubmitDeadline    time.Time   `json:"submit_deadline,omitzero"`
	SubmitWithinHours int         `json:"submit_within_hours,omitempty"`
	Reward            Reward      `json:"reward"`
	EffortMinutes     int         `json:"effort_minutes,omitempty"`
	Campaign          string      `json:"campaign,omitempty"`
	BudgetLine        string      `json:"budget_line,omitempty"`
	Recurrence        *Recurrence `json:"recurrence,omitempty"`
	CreatedAt         time.Time   `json:"created_at"`
	UpdatedAt         time.Time   `json:"updated_at"`
	PublishedAt       time.Time   `json:"published_at,omitzero"`
	// From the ledger: slots still free, and slots that claims hold.
	SlotsFree       int64 `json:"slots_free"`
	SlotsTaken      int64 `json:"slots_taken"`
	capacityAccount int64
	claimedAccount  int64
}

// Changeable says the task may still be rewritten or cancelled: it is a
// draft or published, not over.
func (t Task) Changeable() bool { return t.Status != Cancelled && t.Status != Closed }

// Publishable says the task may be published: only a draft may.
func (t Task) Publishable() bool { return t.Status == Draft }

// Assignable says operators may give the task to members now: a published
// task that is not taken by applying.
func (t Task) Assignable() bool { return t.Status == Published && t.Mode != Apply }

// Commitment is what places of the task hold of its budget line: each
// place can pay the money reward once per occurrence.
func (t Task) Commitment(places int) int64 {
	per := t.Reward.Money
	if t.Recurrence != nil {
		per *= int64(t.Recurrence.Count)
	}
	return per * int64(places)
}

// Input is the task as written, to be rewritten.
func (t Task) Input() Input {
	return Input{Title: t.Title, Kind: t.Kind, Mode: t.Mode, Brief: t.Brief, Eligibility: t.Eligibility, Capacity: t.Capacity,
		ClaimDeadline: t.ClaimDeadline, SubmitDeadline: t.SubmitDeadline, SubmitWithinHours: t.SubmitWithinHours, Reward: t.Reward,
		EffortMinutes: t.EffortMinutes, Campaign: t.Campaign, BudgetLine: t.BudgetLine, Recurrence: t.Recurrence}
}

// Claim is a member's claim on a task.
type Claim struct {
	ID          int64        `json:"-"`
	PublicID    string       `json:"id"`
	TaskID      string       `json:"task_id"`
	TaskTitle   string       `json:"task_title"`
	MemberID    string       `json:"member_id"`
	MemberName  string       `json:"member_name"`
	Status      ClaimStatus  `json:"status"`
	SubmitBy    time.Time    `json:"submit_by,omitzero"`
	PointsPaid  int64        `json:"points_paid"`
	Occurrences []Occurrence `json:"occurrences,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	task        int64
	member      int64
	slot        string
	attempt     int
}

// Occurrence is one due instance of a recurring obligation.
type Occurrence struct {
	Seq    int       `json:"seq"`
	DueAt  time.Time `json:"due_at"`
	Status string    `json:"status" enum:"open,submitted,changes_requested,approved,rejected,missed"`
	id     int64
}

// Post is where a member published. The platform's own id of the post is
// read from its address where the address shows it (see postref).
type Post struct {
	Platform       string    `json:"platform"`
	URL            string    `json:"url"`
	PlatformPostID string    `json:"platform_post_id,omitempty" readOnly:"true"`
	PostedAt       time.Time `json:"posted_at,omitzero"`
}

// Finding is one line of the brief check.
type Finding struct {
	Rule     string `json:"rule" enum:"hashtag,key_message,disclosure,platform"`
	Expected string `json:"expected"`
	Found    bool   `json:"found"`
}

// Check is the brief check's result (T5), shown to the reviewer.
type Check struct {
	Passed   bool      `json:"passed"`
	Findings []Finding `json:"findings"`
}

// Review is a reviewer's decision on a submission.
type Review struct {
	Decision  string    `json:"decision" enum:"approved,changes_requested,rejected"`
	Score     int       `json:"score,omitempty"`
	Feedback  string    `json:"feedback,omitempty"`
	Reviewer  string    `json:"reviewer"`
	CreatedAt time.Time `json:"created_at"`
}

// Submission is what a member handed in for a claim (or one occurrence).
type Submission struct {
	ID         int64  `json:"-"`
	PublicID   string `json:"id"`
	ClaimID    string `json:"claim_id"`
	TaskID     string `json:"task_id"`
	TaskTitle  string `json:"task_title"`
	MemberID   string `json:"member_id"`
	MemberName string `json:"member_name"`
	// DisclosureRequired: the member is seeded or scripted, so this content
	// must be marked as sponsored or brand-made wherever it appears.
	DisclosureRequired bool      `json:"disclosure_required"`
	Occurrence         int       `json:"occurrence,omitempty"`
	Version            int       `json:"version"`
	Posts              []Post    `json:"posts"`
	Text               string    `json:"text,omitempty"`
	Images             []string  `json:"images"`
	Reach              int64     `json:"reach,omitempty" doc:"What the member reported the posts reached (views)."`
	Check              Check     `json:"check"`
	Status             string    `json:"status" enum:"pending,approved,changes_requested,rejected"`
	Review             *Review   `json:"review,omitempty"`
	CreatedAt          time.Time `json:"created_at"`
}
