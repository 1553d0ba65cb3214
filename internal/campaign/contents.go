package campaign

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/program"
)

// Item is a task, briefing or event of a campaign.
type CampaignItem struct {
	Kind   string    `json:"kind" enum:"task,briefing,event"`
	ID     string    `json:"id"`
	Title  string    `json:"title"`
	Status string    `json:"status"`
	At     time.Time `json:"at,omitzero" doc:"Its moment: a briefing's release, an event's start, a task's claim deadline."`
}

// Moment is a point of a campaign's timeline.
type CampaignMoment struct {
	At    time.Time `json:"at"`
	What  string    `json:"what" enum:"release,golive,event,deadline"`
	Kind  string    `json:"kind" enum:"campaign,task,briefing,event"`
	ID    string    `json:"id"`
	Title string    `json:"title"`
}

// Contents is a campaign with everything in it, its timeline and (to
// those who may read the budget) its lines' burn.
type CampaignPage struct {
	Campaign  Campaign            `json:"campaign"`
	Tasks     []CampaignItem      `json:"tasks"`
	Briefings []CampaignItem      `json:"briefings"`
	Events    []CampaignItem      `json:"events"`
	Timeline  []CampaignMoment    `json:"timeline"`
	Lines     []budget.BudgetLine `json:"lines" doc:"Empty when the reader may not read the budget."`
	Burn      budget.Figures      `json:"burn" doc:"The lines' figures summed, in fen."`
	Budget    bool                `json:"budget" doc:"The reader may read the budget (lines and burn are shown)."`
}

// Page reads a campaign's page (operators).
func (s *Service) Page(ctx context.Context, sc program.Scope, ref string) (CampaignPage, error) {
	c, err := s.Get(ctx, sc, ref)
	if err != nil {
		return CampaignPage{}, err
	}
	out := CampaignPage{Campaign: c, Lines: []budget.BudgetLine{}}
	items := func(kind, q string) ([]CampaignItem, error) {
		rows, err := s.DB.R.QueryContext(ctx, q, sc.Program.ID, c.Label)
		return db.Collect(rows, err, func(r *sql.Rows) (CampaignItem, error) {
			x := CampaignItem{Kind: kind}
			var us int64
			err := r.Scan(&x.ID, &x.Title, &x.Status, &us)
			x.At = at(us)
			return x, err
		})
	}
	if out.Tasks, err = items("task", `SELECT public_id, title, status, claim_deadline FROM tasks WHERE program_id = $1 AND campaign = $2 ORDER BY id LIMIT 500`); err != nil {
		return CampaignPage{}, err
	}
	if out.Briefings, err = items("briefing", `SELECT public_id, title, status, release_at FROM briefings WHERE program_id = $1 AND campaign = $2 ORDER BY release_at, id LIMIT 500`); err != nil {
		return CampaignPage{}, err
	}
	if out.Events, err = items("event", `SELECT public_id, title, status, starts_at FROM events WHERE program_id = $1 AND campaign = $2 ORDER BY starts_at, id LIMIT 500`); err != nil {
		return CampaignPage{}, err
	}
	out.Timeline = []CampaignMoment{{At: c.GoLiveAt, What: "golive", Kind: "campaign", ID: c.PublicID, Title: c.Title}}
	for _, set := range [][]CampaignItem{out.Briefings, out.Events, out.Tasks} {
		for _, x := range set {
			what := map[string]string{"briefing": "release", "event": "event", "task": "deadline"}[x.Kind]
			if !x.At.IsZero() {
				out.Timeline = append(out.Timeline, CampaignMoment{At: x.At, What: what, Kind: x.Kind, ID: x.ID, Title: x.Title})
			}
		}
	}
	sort.SliceStable(out.Timeline, func(i, j int) bool { return out.Timeline[i].At.Before(out.Timeline[j].At) })
	if program.Can(sc.Role, program.PermBudgetRead) && s.Budget != nil {
		out.Budget = true
		for _, ref := range c.BudgetLines {
			l, err := s.Budget.Line(ctx, sc, ref)
			if err != nil {
				return CampaignPage{}, err
			}
			out.Lines = append(out.Lines, l)
			out.Burn.Add(l.Figures)
		}
	}
	return out, nil
}
