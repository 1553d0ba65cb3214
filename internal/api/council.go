package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/council"
	"kox/internal/program"
	"kox/internal/task"
)

// CouncilSeatRef names a council seat.
type CouncilSeatRef struct {
	ProgramRef
	Seat string `path:"seat" maxLength:"64"`
}

// SessionRef names a council session.
type SessionRef struct {
	ProgramRef
	Session string `path:"session" maxLength:"64"`
}

// FeedbackRef names a feedback item.
type FeedbackRef struct {
	ProgramRef
	Item string `path:"item" maxLength:"64"`
}

// MentorshipRef names a mentorship.
type MentorshipRef struct {
	ProgramRef
	Mentorship string `path:"mentorship" maxLength:"64"`
}

type councilSeatsOut struct {
	Body struct {
		Items []council.CouncilSeat `json:"items"`
	}
}

type councilSeatIn struct {
	ProgramRef
	Body council.CouncilSeatInput
}

type councilSeatOut struct{ Body council.CouncilSeat }

type councilSessionsOut struct {
	Body struct {
		Items []council.CouncilSession `json:"items"`
	}
}

type councilSessionIn struct {
	ProgramRef
	Body council.CouncilSessionInput
}

type councilSessionOut struct{ Body council.CouncilSession }

type councilAnswerIn struct {
	SessionRef
	Body struct {
		Answer string `json:"answer" enum:"yes,no"`
		Member string `json:"member,omitempty" maxLength:"64" doc:"Operators: the invitee whose answer this is."`
	}
}

type councilMinutesIn struct {
	SessionRef
	Body struct {
		Minutes string `json:"minutes" maxLength:"20000"`
	}
}

type feedbackListIn struct {
	ProgramRef
	Status  string `query:"status" enum:"new,heard,considered,adopted,declined,"`
	Session string `query:"session" maxLength:"64"`
}

type feedbackListOut struct {
	Body struct {
		Items []council.FeedbackItem `json:"items"`
	}
}

type feedbackIn struct {
	ProgramRef
	Body council.FeedbackInput
}

type feedbackOut struct{ Body council.FeedbackItem }

type feedbackAnswerIn struct {
	FeedbackRef
	Body struct {
		Status string `json:"status" enum:"heard,considered,adopted,declined"`
		Note   string `json:"note,omitempty" maxLength:"2000" doc:"The answer the member reads; declining needs one."`
	}
}

type mentorshipsOut struct {
	Body struct {
		Items []council.Mentorship `json:"items"`
	}
}

type mentorshipIn struct {
	ProgramRef
	Body struct {
		Mentor string `json:"mentor" maxLength:"64" doc:"A member of the top rung."`
		Mentee string `json:"mentee" maxLength:"64"`
	}
}

type mentorshipOut struct{ Body council.Mentorship }

type mentorNoteIn struct {
	MentorshipRef
	Body struct {
		Body       string `json:"body" maxLength:"4000"`
		Submission string `json:"submission,omitempty" maxLength:"64" doc:"The newcomer's submission the note is on."`
	}
}

type menteeWorkOut struct {
	Body struct {
		Items []task.Submission `json:"items"`
	}
}

type menteeNominationIn struct {
	MentorshipRef
	Body struct {
		Tier   string `json:"tier" maxLength:"100" doc:"ladder/tier, such as main/experience."`
		Reason string `json:"reason" maxLength:"500"`
	}
}

func (s *Server) registerCouncil() {
	tags := []string{"council"}
	base := Prefix + "/programs/{program}/council"
	add(s, huma.Operation{OperationID: "list-council-seats", Method: http.MethodGet, Path: base + "/seats", Tags: tags,
		Summary: "The advisory council: the seats sitting today first, then those to come and past (a member reads the sitting council)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*councilSeatsOut, error) {
			xs, err := s.Council.Seats(ctx, sc)
			out := &councilSeatsOut{}
			out.Body.Items = xs
			return out, err
		})
	add(s, huma.Operation{OperationID: "appoint-council-seat", Method: http.MethodPost, Path: base + "/seats", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Give a member of the top rung a council seat for a term (one seat at a time)"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *councilSeatIn) (*councilSeatOut, error) {
			x, err := s.Council.Appoint(ctx, sc, in.Body)
			return &councilSeatOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "end-council-seat", Method: http.MethodPost, Path: base + "/seats/{seat}/end", Tags: tags,
		Summary: "Give a seat up today, before its term ends"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *CouncilSeatRef) (*councilSeatOut, error) {
			x, err := s.Council.EndSeat(ctx, sc, in.Seat)
			return &councilSeatOut{Body: x}, err
		})

	sessions := base + "/sessions"
	add(s, huma.Operation{OperationID: "list-council-sessions", Method: http.MethodGet, Path: sessions, Tags: tags,
		Summary: "Closed-door sessions, the latest first (a member sees those they are invited to)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*councilSessionsOut, error) {
			xs, err := s.Council.Sessions(ctx, sc)
			out := &councilSessionsOut{}
			out.Body.Items = xs
			return out, err
		})
	add(s, huma.Operation{OperationID: "create-council-session", Method: http.MethodPost, Path: sessions, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Schedule a session with its agenda, inviting the sitting council and the members named"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *councilSessionIn) (*councilSessionOut, error) {
			x, err := s.Council.CreateSession(ctx, sc, in.Body)
			return &councilSessionOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "get-council-session", Method: http.MethodGet, Path: sessions + "/{session}", Tags: tags,
		Summary: "A session with its invitees' answers and, once held, its minutes (a member reads one they are invited to)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *SessionRef) (*councilSessionOut, error) {
			x, err := s.Council.Session(ctx, sc, in.Session)
			return &councilSessionOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "answer-council-session", Method: http.MethodPost, Path: sessions + "/{session}/answer", Tags: tags,
		Summary: "An invitee's answer, yes or no, until the session is held (an operator records one for a member)"},
		needs{perm: program.PermMembersWrite, members: true}, func(ctx context.Context, sc program.Scope, in *councilAnswerIn) (*councilSessionOut, error) {
			x, err := s.Council.RSVP(ctx, sc, in.Session, in.Body.Member, in.Body.Answer)
			return &councilSessionOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "hold-council-session", Method: http.MethodPost, Path: sessions + "/{session}/minutes", Tags: tags,
		Summary: "Record the session as held with its minutes (rewriting them later keeps it held)"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *councilMinutesIn) (*councilSessionOut, error) {
			x, err := s.Council.Hold(ctx, sc, in.Session, in.Body.Minutes)
			return &councilSessionOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "cancel-council-session", Method: http.MethodPost, Path: sessions + "/{session}/cancel", Tags: tags,
		Summary: "Call a scheduled session off"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *SessionRef) (*councilSessionOut, error) {
			x, err := s.Council.CancelSession(ctx, sc, in.Session)
			return &councilSessionOut{Body: x}, err
		})

	ftags := []string{"feedback"}
	feedback := Prefix + "/programs/{program}/feedback"
	add(s, huma.Operation{OperationID: "list-feedback", Method: http.MethodGet, Path: feedback, Tags: ftags,
		Summary: "Feedback items, the latest moved first (a member reads theirs and their sessions')"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *feedbackListIn) (*feedbackListOut, error) {
			xs, err := s.Council.Items(ctx, sc, council.ItemFilter{Status: in.Status, Session: in.Session})
			out := &feedbackListOut{}
			out.Body.Items = xs
			return out, err
		})
	add(s, huma.Operation{OperationID: "raise-feedback", Method: http.MethodPost, Path: feedback, Tags: ftags, DefaultStatus: http.StatusCreated,
		Summary: "Raise a feedback item (a member's own; operators record one from a session or for a member)"},
		needs{perm: program.PermMembersWrite, members: true}, func(ctx context.Context, sc program.Scope, in *feedbackIn) (*feedbackOut, error) {
			x, err := s.Council.Raise(ctx, sc, in.Body)
			return &feedbackOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "get-feedback", Method: http.MethodGet, Path: feedback + "/{item}", Tags: ftags,
		Summary: "A feedback item with its status and the brand's note"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *FeedbackRef) (*feedbackOut, error) {
			x, err := s.Council.Item(ctx, sc, in.Item)
			return &feedbackOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "answer-feedback", Method: http.MethodPost, Path: feedback + "/{item}/answer", Tags: ftags,
		Summary: "Move an item to heard, considered, adopted or declined with the note its member reads; they are told"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *feedbackAnswerIn) (*feedbackOut, error) {
			x, err := s.Council.Answer(ctx, sc, in.Item, in.Body.Status, in.Body.Note)
			return &feedbackOut{Body: x}, err
		})

	mtags := []string{"mentors"}
	mentors := Prefix + "/programs/{program}/mentorships"
	add(s, huma.Operation{OperationID: "list-mentorships", Method: http.MethodGet, Path: mentors, Tags: mtags,
		Summary: "Mentors and the newcomers they coach (a member reads their own, as mentor or newcomer)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*mentorshipsOut, error) {
			xs, err := s.Council.Mentorships(ctx, sc)
			out := &mentorshipsOut{}
			out.Body.Items = xs
			return out, err
		})
	add(s, huma.Operation{OperationID: "pair-mentor", Method: http.MethodPost, Path: mentors, Tags: mtags, DefaultStatus: http.StatusCreated,
		Summary: "Make a member of the top rung the mentor of a newcomer (one mentor at a time)"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *mentorshipIn) (*mentorshipOut, error) {
			x, err := s.Council.Pair(ctx, sc, in.Body.Mentor, in.Body.Mentee)
			return &mentorshipOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "get-mentorship", Method: http.MethodGet, Path: mentors + "/{mentorship}", Tags: mtags,
		Summary: "A mentorship with its thread"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MentorshipRef) (*mentorshipOut, error) {
			x, err := s.Council.Mentorship(ctx, sc, in.Mentorship)
			return &mentorshipOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "end-mentorship", Method: http.MethodPost, Path: mentors + "/{mentorship}/end", Tags: mtags,
		Summary: "End a pairing; the newcomer may have another mentor"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *MentorshipRef) (*mentorshipOut, error) {
			x, err := s.Council.EndMentorship(ctx, sc, in.Mentorship)
			return &mentorshipOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "mentee-work", Method: http.MethodGet, Path: mentors + "/{mentorship}/work", Tags: mtags,
		Summary: "The newcomer's latest submissions, for the thread"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MentorshipRef) (*menteeWorkOut, error) {
			xs, err := s.Council.MenteeWork(ctx, sc, in.Mentorship)
			out := &menteeWorkOut{}
			out.Body.Items = xs
			return out, err
		})
	add(s, huma.Operation{OperationID: "write-mentor-note", Method: http.MethodPost, Path: mentors + "/{mentorship}/notes", Tags: mtags, DefaultStatus: http.StatusCreated,
		Summary: "The mentor's coaching (on one of the newcomer's submissions) or the newcomer's answer, in their thread"},
		needs{only: true}, func(ctx context.Context, sc program.Scope, in *mentorNoteIn) (*mentorshipOut, error) {
			x, err := s.Council.Write(ctx, sc, in.Mentorship, in.Body.Submission, in.Body.Body)
			return &mentorshipOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "nominate-mentee", Method: http.MethodPost, Path: mentors + "/{mentorship}/nominations", Tags: mtags, DefaultStatus: http.StatusNoContent,
		Summary: "The mentor nominates their newcomer for a tier: the nomination criterion of the promotion rules counts it"},
		needs{only: true}, func(ctx context.Context, sc program.Scope, in *menteeNominationIn) (*struct{}, error) {
			return &struct{}{}, s.Council.NominateMentee(ctx, sc, in.Mentorship, in.Body.Tier, in.Body.Reason)
		})
}
