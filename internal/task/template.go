package task

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/program"
)

// Template is a reusable task, written in a program file: everything a task
// has but its dates (a template says how long members get, not when).
type Template struct {
	Key               string      `json:"key" yaml:"key"`
	Title             string      `json:"title" yaml:"title"`
	Kind              Kind        `json:"kind" yaml:"kind"`
	Mode              Mode        `json:"mode" yaml:"mode"`
	Capacity          int         `json:"capacity" yaml:"capacity"`
	SubmitWithinHours int         `json:"submit_within_hours,omitempty" yaml:"submit_within_hours,omitempty"`
	Reward            Reward      `json:"reward" yaml:"reward"`
	EffortMinutes     int         `json:"effort_minutes,omitempty" yaml:"effort_minutes,omitempty"`
	Campaign          string      `json:"campaign,omitempty" yaml:"campaign,omitempty"`
	BudgetLine        string      `json:"budget_line,omitempty" yaml:"budget_line,omitempty"`
	Brief             Brief       `json:"brief" yaml:"brief"`
	Eligibility       Eligibility `json:"eligibility" yaml:"eligibility"`
	Recurrence        *Recurrence `json:"recurrence,omitempty" yaml:"recurrence,omitempty"`
}

// Input is the task a template makes.
func (t Template) Input() Input {
	return Input{Title: t.Title, Kind: t.Kind, Mode: t.Mode, Brief: t.Brief, Eligibility: t.Eligibility, Capacity: t.Capacity,
		SubmitWithinHours: t.SubmitWithinHours, Reward: t.Reward, EffortMinutes: t.EffortMinutes, Campaign: t.Campaign,
		BudgetLine: t.BudgetLine, Recurrence: t.Recurrence}
}

var templateKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// ValidateTemplates checks templates against the program's ladders, naming
// every problem by its place (task_templates[1].capacity).
func ValidateTemplates(ts []Template, ladders []ladder.Ladder) error {
	var all fault.Fields
	seen := map[string]bool{}
	for i, t := range ts {
		at := fmt.Sprintf("task_templates[%d]", i)
		if !templateKeyRE.MatchString(t.Key) {
			all.Add(at+".key", "key", "must be 1 to 40 lowercase letters, digits, - or _, starting with a letter")
		} else if seen[t.Key] {
			all.Add(at+".key", "duplicate", "{key} is used by another template", fault.P{"key": t.Key})
		}
		seen[t.Key] = true
		in := t.Input()
		var fe *fault.Error
		if err := in.validate(ladders); errors.As(err, &fe) {
			for _, f := range fe.Fields {
				f.Field = at + "." + f.Field
				all = append(all, f)
			}
		}
	}
	if len(ts) > 100 {
		all.MaxItems("task_templates", 100)
	}
	return all.Err()
}

// ApplyTemplatesTx makes the program's templates what ts says, by key, and
// returns what changed ("+ template x", "~ …", "- …"). Audited.
func ApplyTemplatesTx(ctx context.Context, tx *db.Tx, programID int64, ts []Template) ([]string, error) {
	ladders, err := ladder.LoadTx(ctx, tx, programID)
	if err != nil {
		return nil, err
	}
	if err := ValidateTemplates(ts, ladders); err != nil {
		return nil, err
	}
	current, err := LoadTemplatesTx(ctx, tx, programID)
	if err != nil {
		return nil, err
	}
	old := map[string]string{}
	for _, t := range current {
		b, _ := json.Marshal(t)
		old[t.Key] = string(b)
	}
	var changes []string
	now := tx.Now.UnixMicro()
	keep := map[string]bool{}
	for i, t := range ts {
		keep[t.Key] = true
		spec, _ := json.Marshal(t)
		prev, exists := old[t.Key]
		switch {
		case !exists:
			if _, err := tx.ExecContext(ctx, `INSERT INTO task_templates (program_id, key, position, spec, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $5)`, programID, t.Key, i+1, string(spec), now); err != nil {
				return nil, err
			}
			changes = append(changes, "+ template "+t.Key)
		case prev != string(spec) || indexOf(current, t.Key) != i:
			if _, err := tx.ExecContext(ctx, `UPDATE task_templates SET position = $3, spec = $4, updated_at = $5 WHERE program_id = $1 AND key = $2`,
				programID, t.Key, i+1, string(spec), now); err != nil {
				return nil, err
			}
			changes = append(changes, "~ template "+t.Key)
		}
	}
	for _, t := range current {
		if !keep[t.Key] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM task_templates WHERE program_id = $1 AND key = $2`, programID, t.Key); err != nil {
				return nil, err
			}
			changes = append(changes, "- template "+t.Key)
		}
	}
	if len(changes) > 0 {
		if err := program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "task_templates.apply", ObjectKind: "task_templates",
			ObjectID: "all", Before: current, After: map[string]any{"templates": ts, "changes": changes}}); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

func indexOf(ts []Template, key string) int {
	for i, t := range ts {
		if t.Key == key {
			return i
		}
	}
	return -1
}

// ApplyTemplates replaces the scope's program's templates (see
// ApplyTemplatesTx).
func (s *Service) ApplyTemplates(ctx context.Context, sc program.Scope, ts []Template) ([]string, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return nil, err
	}
	var changes []string
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		changes, err = ApplyTemplatesTx(ctx, tx, sc.Program.ID, ts)
		return err
	})
	return changes, err
}

// LoadTemplatesTx reads a program's templates in order.
func LoadTemplatesTx(ctx context.Context, tx *db.Tx, programID int64) ([]Template, error) {
	return loadTemplates(ctx, tx, programID)
}

func loadTemplates(ctx context.Context, q querier, programID int64) ([]Template, error) {
	rows, err := q.QueryContext(ctx, `SELECT spec FROM task_templates WHERE program_id = $1 ORDER BY position, id`, programID)
	if err != nil {
		return nil, db.MapError(err)
	}
	defer rows.Close()
	out := []Template{}
	for rows.Next() {
		var spec string
		if err := rows.Scan(&spec); err != nil {
			return nil, err
		}
		var t Template
		if err := json.Unmarshal([]byte(spec), &t); err != nil {
			return nil, fmt.Errorf("template: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Templates lists the scope's program's templates.
func (s *Service) Templates(ctx context.Context, sc program.Scope) ([]Template, error) {
	if err := sc.Require(program.PermTasksRead); err != nil {
		return nil, err
	}
	return loadTemplates(ctx, s.DB.R, sc.Program.ID)
}

// FromTemplate creates a draft task from a template.
func (s *Service) FromTemplate(ctx context.Context, sc program.Scope, key string) (Task, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Task{}, err
	}
	var spec string
	err := s.DB.R.QueryRowContext(ctx, `SELECT spec FROM task_templates WHERE program_id = $1 AND key = $2`, sc.Program.ID, key).Scan(&spec)
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, fault.New(fault.NotFound, "task_template.not_found", "task template {ref} not found", fault.P{"ref": key})
	}
	if err != nil {
		return Task{}, db.MapError(err)
	}
	var t Template
	if err := json.Unmarshal([]byte(spec), &t); err != nil {
		return Task{}, err
	}
	return s.Create(ctx, sc, t.Input())
}
