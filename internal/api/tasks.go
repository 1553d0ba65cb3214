package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/task"
)

// TaskIn is a task as an operator writes it.
type TaskIn struct {
	Title             string           `json:"title" minLength:"1" maxLength:"200"`
	Kind              string           `json:"kind" enum:"light_interaction,content,deep_review,experience_story,diary,consultation,mentoring"`
	Mode              string           `json:"mode" enum:"open,assigned,apply" doc:"open: first come first served; assigned: operators assign; apply: members apply, operators select."`
	Brief             task.Brief       `json:"brief,omitempty"`
	Eligibility       task.Eligibility `json:"eligibility,omitempty"`
	Capacity          int              `json:"capacity" minimum:"1" maximum:"100000"`
	ClaimDeadline     *time.Time       `json:"claim_deadline,omitempty"`
	SubmitDeadline    *time.Time       `json:"submit_deadline,omitempty"`
	SubmitWithinHours int              `json:"submit_within_hours,omitempty" minimum:"0" maximum:"8784"`
	Reward            task.Reward      `json:"reward,omitempty"`
	EffortMinutes     int              `json:"effort_minutes,omitempty" minimum:"0" maximum:"100000"`
	Campaign          string           `json:"campaign,omitempty" maxLength:"100"`
	BudgetLine        string           `json:"budget_line,omitempty" maxLength:"100"`
	Recurrence        *task.Recurrence `json:"recurrence,omitempty" doc:"A weekly diary for 26 weeks: interval_days 7, count 26."`
}

func (in TaskIn) input() task.Input {
	out := task.Input{Title: in.Title, Kind: task.Kind(in.Kind), Mode: task.Mode(in.Mode), Brief: in.Brief, Eligibility: in.Eligibility,
		Capacity: in.Capacity, SubmitWithinHours: in.SubmitWithinHours, Reward: in.Reward, EffortMinutes: in.EffortMinutes,
		Campaign: in.Campaign, BudgetLine: in.BudgetLine, Recurrence: in.Recurrence}
	if in.ClaimDeadline != nil {
		out.ClaimDeadline = in.ClaimDeadline.UTC()
	}
	if in.SubmitDeadline != nil {
		out.SubmitDeadline = in.SubmitDeadline.UTC()
	}
	return out
}

type taskOut struct{ Body task.Task }

type createTaskIn struct {
	ProgramRef
	Body TaskIn
}

type TaskRef struct {
	ProgramRef
	Task string `path:"task" maxLength:"64" doc:"The task's id (tsk_…)."`
}

type updateTaskIn struct {
	TaskRef
	Body TaskIn
}

type cancelTaskIn struct {
	TaskRef
	Body struct {
		Reason string `json:"reason" minLength:"1" maxLength:"500"`
	}
}

type listTasksIn struct {
	ProgramRef
	Page
	Status   string `query:"status" enum:"draft,published,closed,cancelled"`
	Kind     string `query:"kind" enum:"light_interaction,content,deep_review,experience_story,diary,consultation,mentoring"`
	Mode     string `query:"mode" enum:"open,assigned,apply"`
	Campaign string `query:"campaign" maxLength:"100"`
}

type tasksOut struct {
	Body struct {
		Items      []task.Task `json:"items"`
		NextCursor string      `json:"next_cursor,omitempty"`
	}
}

type claimIn struct {
	TaskRef
	Body struct {
		MemberID string `json:"member_id,omitempty" maxLength:"64" doc:"Operators name the member; a member claims for themselves."`
	}
}

type claimOut struct{ Body task.Claim }

type ClaimRef struct {
	ProgramRef
	Claim string `path:"claim" maxLength:"64" doc:"The claim's id (clm_…)."`
}

type selectIn struct {
	ClaimRef
	Body struct {
		Accept bool `json:"accept" doc:"true selects the applicant (taking a slot); false declines."`
	}
}

type listClaimsIn struct {
	ProgramRef
	Page
	Task   string `query:"task" maxLength:"64"`
	Member string `query:"member" maxLength:"64"`
	Status string `query:"status" enum:"applied,not_selected,claimed,assigned,selected,submitted,changes_requested,approved,rejected,withdrawn,expired,cancelled"`
}

type listOffersIn struct {
	ProgramRef
	Page
	Member string `query:"member" maxLength:"64" doc:"The member (operators); a member sees their own."`
}

type offersOut struct {
	Body struct {
		Items      []task.Offer `json:"items"`
		NextCursor string       `json:"next_cursor,omitempty"`
	}
}

type claimsOut struct {
	Body struct {
		Items      []task.Claim `json:"items"`
		NextCursor string       `json:"next_cursor,omitempty"`
	}
}

type submitIn struct {
	ClaimRef
	Body struct {
		Posts  []task.Post `json:"posts,omitempty" maxItems:"10"`
		Text   string      `json:"text,omitempty" maxLength:"20000"`
		Images []string    `json:"images,omitempty" maxItems:"9"`
		Reach  int64       `json:"reach,omitempty" minimum:"0" doc:"What the posts reached so far (views), as the member reports it."`
	}
}

type submissionOut struct{ Body task.Submission }

type SubmissionRef struct {
	ProgramRef
	Submission string `path:"submission" maxLength:"64" doc:"The submission's id (sub_…)."`
}

type reviewIn struct {
	SubmissionRef
	Body struct {
		Decision string `json:"decision" enum:"approved,changes_requested,rejected"`
		Score    int    `json:"score,omitempty" minimum:"0" maximum:"5" doc:"1 to 5, when approving."`
		Feedback string `json:"feedback,omitempty" maxLength:"4000" doc:"Required to ask for changes or reject."`
	}
}

type listSubmissionsIn struct {
	ProgramRef
	Page
	Task   string `query:"task" maxLength:"64"`
	Claim  string `query:"claim" maxLength:"64"`
	Status string `query:"status" enum:"pending,approved,changes_requested,rejected" doc:"pending is the review queue."`
	Oldest bool   `query:"oldest" doc:"Oldest first, as the review queue is worked (the cursor then pages forward)."`
}

type submissionsOut struct {
	Body struct {
		Items      []task.Submission `json:"items"`
		NextCursor string            `json:"next_cursor,omitempty"`
	}
}

type pointsIn struct {
	MemberRef
	Page
}

type pointsOut struct {
	Body struct {
		points.Statement
		NextCursor string `json:"next_cursor,omitempty"`
	}
}

func (s *Server) registerTasks() {
	tags := []string{"tasks"}
	tasks := Prefix + "/programs/{program}/tasks"
	add(s, huma.Operation{OperationID: "list-tasks", Method: http.MethodGet, Path: tasks, Tags: tags,
		Summary: "List tasks (members see published ones)"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, in *listTasksIn) (*tasksOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			ts, next, err := s.Tasks.List(ctx, sc, task.Filter{Status: task.Status(in.Status), Kind: task.Kind(in.Kind), Mode: task.Mode(in.Mode),
				Campaign: in.Campaign, Before: before, Limit: in.limit()})
			if err != nil {
				return nil, err
			}
			out := &tasksOut{}
			out.Body.Items, out.Body.NextCursor = nonNil(ts), encodeCursor(next)
			return out, nil
		})

	add(s, huma.Operation{OperationID: "create-task", Method: http.MethodPost, Path: tasks, Tags: tags,
		Summary: "Create a draft task", DefaultStatus: http.StatusCreated},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *createTaskIn) (*taskOut, error) {
			t, err := s.Tasks.Create(ctx, sc, in.Body.input())
			if err != nil {
				return nil, err
			}
			return &taskOut{Body: t}, nil
		})

	add(s, huma.Operation{OperationID: "get-task", Method: http.MethodGet, Path: tasks + "/{task}", Tags: tags, Summary: "Get a task"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, in *TaskRef) (*taskOut, error) {
			t, err := s.Tasks.Get(ctx, sc, in.Task)
			if err != nil {
				return nil, err
			}
			return &taskOut{Body: t}, nil
		})

	add(s, huma.Operation{OperationID: "update-task", Method: http.MethodPut, Path: tasks + "/{task}", Tags: tags,
		Summary: "Rewrite a task (once published, kind, mode, reward, eligibility and recurrence stay)"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *updateTaskIn) (*taskOut, error) {
			t, err := s.Tasks.Update(ctx, sc, in.Task, in.Body.input())
			if err != nil {
				return nil, err
			}
			return &taskOut{Body: t}, nil
		})

	add(s, huma.Operation{OperationID: "publish-task", Method: http.MethodPost, Path: tasks + "/{task}/publish", Tags: tags,
		Summary: "Publish a draft: its capacity becomes slots members can take"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *TaskRef) (*taskOut, error) {
			t, err := s.Tasks.Publish(ctx, sc, in.Task)
			if err != nil {
				return nil, err
			}
			return &taskOut{Body: t}, nil
		})

	add(s, huma.Operation{OperationID: "cancel-task", Method: http.MethodPost, Path: tasks + "/{task}/cancel", Tags: tags,
		Summary: "Cancel a task: claims in progress are cancelled and every slot goes back"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *cancelTaskIn) (*taskOut, error) {
			t, err := s.Tasks.Cancel(ctx, sc, in.Task, in.Body.Reason)
			if err != nil {
				return nil, err
			}
			return &taskOut{Body: t}, nil
		})

	add(s, huma.Operation{OperationID: "claim-task", Method: http.MethodPost, Path: tasks + "/{task}/claims", Tags: tags,
		Summary: "Take a task: claim it (open), assign it (assigned) or apply for it (apply)", DefaultStatus: http.StatusCreated,
		Description: "A member acts for themselves; an operator names the member. Answers 409 when the task is full.",
		Extensions:  map[string]any{"x-members": true}},
		needs{perm: program.PermTasksWrite, members: true, outcome: true}, func(ctx context.Context, sc program.Scope, in *claimIn) (*claimOut, error) {
			c, err := s.Tasks.Take(ctx, sc, in.Task, in.Body.MemberID)
			if err != nil {
				return nil, err
			}
			return &claimOut{Body: c}, nil
		})

	add(s, huma.Operation{OperationID: "list-offers", Method: http.MethodGet, Path: Prefix + "/programs/{program}/offers", Tags: tags,
		Summary:     "The published tasks as one member sees them: whether they may take each, why not, and their claim",
		Description: "A member sees their own; an operator names the member. The refusal is what claiming would answer.",
		Extensions:  map[string]any{"x-members": true}},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *listOffersIn) (*offersOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			os, next, err := s.Tasks.Offers(ctx, sc, in.Member, before, in.limit())
			if err != nil {
				return nil, err
			}
			out := &offersOut{}
			out.Body.Items, out.Body.NextCursor = nonNil(os), encodeCursor(next)
			return out, nil
		})

	claims := Prefix + "/programs/{program}/claims"
	add(s, huma.Operation{OperationID: "list-claims", Method: http.MethodGet, Path: claims, Tags: tags,
		Summary: "List claims (a member sees their own)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *listClaimsIn) (*claimsOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			cs, next, err := s.Tasks.Claims(ctx, sc, task.ClaimFilter{Task: in.Task, Member: in.Member, Status: task.ClaimStatus(in.Status),
				Before: before, Limit: in.limit()})
			if err != nil {
				return nil, err
			}
			out := &claimsOut{}
			out.Body.Items, out.Body.NextCursor = nonNil(cs), encodeCursor(next)
			return out, nil
		})

	add(s, huma.Operation{OperationID: "get-claim", Method: http.MethodGet, Path: claims + "/{claim}", Tags: tags,
		Summary: "Get a claim with its occurrences (a member their own)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *ClaimRef) (*claimOut, error) {
			c, err := s.Tasks.ClaimByID(ctx, sc, in.Claim)
			if err != nil {
				return nil, err
			}
			return &claimOut{Body: c}, nil
		})

	add(s, huma.Operation{OperationID: "select-applicant", Method: http.MethodPost, Path: claims + "/{claim}/select", Tags: tags,
		Summary: "Select or decline an applicant of an apply-mode task"},
		needs{perm: program.PermTasksWrite, outcome: true}, func(ctx context.Context, sc program.Scope, in *selectIn) (*claimOut, error) {
			c, err := s.Tasks.Select(ctx, sc, in.Claim, in.Body.Accept)
			if err != nil {
				return nil, err
			}
			return &claimOut{Body: c}, nil
		})

	add(s, huma.Operation{OperationID: "withdraw-claim", Method: http.MethodPost, Path: claims + "/{claim}/withdraw", Tags: tags,
		Summary: "Withdraw from a task; the slot goes back"},
		needs{perm: program.PermTasksWrite, members: true, outcome: true}, func(ctx context.Context, sc program.Scope, in *ClaimRef) (*claimOut, error) {
			c, err := s.Tasks.Withdraw(ctx, sc, in.Claim)
			if err != nil {
				return nil, err
			}
			return &claimOut{Body: c}, nil
		})

	add(s, huma.Operation{OperationID: "submit", Method: http.MethodPost, Path: claims + "/{claim}/submissions", Tags: tags,
		Summary: "Hand in work (posts, text, images); the brief check runs on it", DefaultStatus: http.StatusCreated,
	},
		needs{perm: program.PermTasksWrite, members: true, outcome: true}, func(ctx context.Context, sc program.Scope, in *submitIn) (*submissionOut, error) {
			sub, err := s.Tasks.Submit(ctx, sc, in.Claim, task.SubmissionInput{Posts: in.Body.Posts, Text: in.Body.Text, Images: in.Body.Images, Reach: in.Body.Reach})
			if err != nil {
				return nil, err
			}
			return &submissionOut{Body: sub}, nil
		})

	subs := Prefix + "/programs/{program}/submissions"
	add(s, huma.Operation{OperationID: "list-submissions", Method: http.MethodGet, Path: subs, Tags: tags,
		Summary: "List submissions; status=pending is the review queue"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *listSubmissionsIn) (*submissionsOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			xs, next, err := s.Tasks.Submissions(ctx, sc, task.SubmissionFilter{Task: in.Task, Claim: in.Claim, Status: in.Status, Oldest: in.Oldest, Before: before, Limit: in.limit()})
			if err != nil {
				return nil, err
			}
			out := &submissionsOut{}
			out.Body.Items, out.Body.NextCursor = nonNil(xs), encodeCursor(next)
			return out, nil
		})

	add(s, huma.Operation{OperationID: "get-submission", Method: http.MethodGet, Path: subs + "/{submission}", Tags: tags,
		Summary: "Get a submission with its brief check and review"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *SubmissionRef) (*submissionOut, error) {
			x, err := s.Tasks.Submission(ctx, sc, in.Submission)
			if err != nil {
				return nil, err
			}
			return &submissionOut{Body: x}, nil
		})

	add(s, huma.Operation{OperationID: "review-submission", Method: http.MethodPost, Path: subs + "/{submission}/review", Tags: tags,
		Summary: "Approve (with a score; pays the points once), ask for changes, or reject"},
		needs{perm: program.PermSubmissionsReview, outcome: true}, func(ctx context.Context, sc program.Scope, in *reviewIn) (*submissionOut, error) {
			x, err := s.Tasks.Review(ctx, sc, in.Submission, in.Body.Decision, in.Body.Score, in.Body.Feedback)
			if err != nil {
				return nil, err
			}
			return &submissionOut{Body: x}, nil
		})

	add(s, huma.Operation{OperationID: "member-points", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/points",
		Tags: []string{"members"}, Summary: "A member's points: balance and movements, newest first, from the ledger (a member reads their own)"},
		needs{perm: program.PermLedgerRead, members: true}, func(ctx context.Context, sc program.Scope, in *pointsIn) (*pointsOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			st, next, err := s.Points.Statement(ctx, sc, in.Member, before, in.limit())
			if err != nil {
				return nil, err
			}
			out := &pointsOut{}
			out.Body.Statement, out.Body.NextCursor = st, encodeCursor(next)
			return out, nil
		})

	add(s, huma.Operation{OperationID: "issue-login-code", Method: http.MethodPost, Path: Prefix + "/programs/{program}/members/{member}/login-code",
		Tags: []string{"members"}, Summary: "A one-time code for the member to sign in with (valid 24 hours)", DefaultStatus: http.StatusCreated},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*loginCodeOut, error) {
			code, expires, err := s.Members.IssueLoginCode(ctx, sc, in.Member)
			if err != nil {
				return nil, err
			}
			out := &loginCodeOut{}
			out.Body.Code, out.Body.ExpiresAt = code, expires
			return out, nil
		})

}

type loginCodeOut struct {
	Body struct {
		Code      string    `json:"code" example:"K7QH2-MX9TC"`
		ExpiresAt time.Time `json:"expires_at"`
	}
}

type templatesOut struct {
	Body struct {
		Items      []task.Template `json:"items"`
		NextCursor string          `json:"next_cursor,omitempty"`
	}
}

type listTemplatesIn struct {
	ProgramRef
	Page
}

type applyTemplatesIn struct {
	ProgramRef
	Body struct {
		Templates []task.Template `json:"templates" maxItems:"100" doc:"The program's task templates, complete: matched by key, what is missing is removed."`
	}
}

type applyTemplatesOut struct {
	Body struct {
		Changes []string        `json:"changes"`
		Items   []task.Template `json:"items"`
	}
}

type templateRef struct {
	ProgramRef
	Template string `path:"template" maxLength:"40"`
}

func (s *Server) registerTemplates() {
	tags := []string{"tasks"}
	path := Prefix + "/programs/{program}/task-templates"
	add(s, huma.Operation{OperationID: "list-task-templates", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "The program's task templates"},
		needs{perm: program.PermTasksRead}, func(ctx context.Context, sc program.Scope, in *listTemplatesIn) (*templatesOut, error) {
			ts, err := s.Tasks.Templates(ctx, sc)
			if err != nil {
				return nil, err
			}
			out := &templatesOut{}
			out.Body.Items, out.Body.NextCursor, err = pageOf(ts, in.Page)
			return out, err
		})

	add(s, huma.Operation{OperationID: "apply-task-templates", Method: http.MethodPut, Path: path, Tags: tags,
		Summary: "Make the program's task templates what the body says", Description: "The same shape as the task_templates of a program file."},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *applyTemplatesIn) (*applyTemplatesOut, error) {
			changes, err := s.Tasks.ApplyTemplates(ctx, sc, in.Body.Templates)
			if err != nil {
				return nil, err
			}
			ts, err := s.Tasks.Templates(ctx, sc)
			if err != nil {
				return nil, err
			}
			out := &applyTemplatesOut{}
			out.Body.Changes, out.Body.Items = nonNil(changes), ts
			return out, nil
		})

	add(s, huma.Operation{OperationID: "task-from-template", Method: http.MethodPost, Path: path + "/{template}/tasks", Tags: tags,
		Summary: "Create a draft task from a template", DefaultStatus: http.StatusCreated},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *templateRef) (*taskOut, error) {
			t, err := s.Tasks.FromTemplate(ctx, sc, in.Template)
			if err != nil {
				return nil, err
			}
			return &taskOut{Body: t}, nil
		})
}
