// Package dashboard holds a program's overview (P2): members per tier of
// each ladder, members by source and domain, the task funnel, the review
// queue's length and the last changes. Each figure is one aggregate query;
// the web draws them.
package dashboard

import (
	"context"
	"fmt"

	"kox/internal/db"
	"kox/internal/ladder"
	"kox/internal/program"
)

// Service reads overviews.
type Service struct {
	DB       *db.DB
	Programs *program.Service
}

// TierCount is one rung and how many members stand on it.
type TierCount struct {
	Key     string      `json:"key"`
	Name    ladder.Text `json:"name"`
	Members int64       `json:"members"`
}

// LadderCount is a ladder's rungs, bottom first, with their members.
type LadderCount struct {
	Key   string      `json:"key"`
	Name  ladder.Text `json:"name"`
	Tiers []TierCount `json:"tiers"`
}

// SourceCount is how many members came one way into one domain.
type SourceCount struct {
	Source  string `json:"source"`
	Domain  string `json:"domain"`
	Members int64  `json:"members"`
}

// Funnel is the program's tasks from places published to work approved:
// places on published (or closed) tasks; claims that took a place; claims
// that handed in at least once; claims approved.
type Funnel struct {
	Places    int64 `json:"places"`
	Claimed   int64 `json:"claimed"`
	Submitted int64 `json:"submitted"`
	Approved  int64 `json:"approved"`
}

// Overview is a program at a glance.
type Overview struct {
	Ladders     []LadderCount        `json:"ladders"`
	Sources     []SourceCount        `json:"sources"`
	Members     int64                `json:"members"`
	Funnel      Funnel               `json:"funnel"`
	ReviewQueue int64                `json:"review_queue"`
	Changes     []program.AuditEntry `json:"changes,omitempty"` // for roles that may read the audit log
}

// Overview reads the program's figures (program.read); the last changes
// only for a role that may read the audit log.
func (s *Service) Overview(ctx context.Context, sc program.Scope) (Overview, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return Overview{}, err
	}
	var o Overview
	p := sc.Program.ID
	var err error
	if o.Ladders, err = s.Tiers(ctx, sc); err != nil {
		return Overview{}, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT source, domain, count(*) FROM members WHERE program_id = $1
		GROUP BY source, domain ORDER BY source, domain`, p)
	if err != nil {
		return Overview{}, fmt.Errorf("dashboard: sources: %w", err)
	}
	for rows.Next() {
		var c SourceCount
		if err := rows.Scan(&c.Source, &c.Domain, &c.Members); err != nil {
			rows.Close()
			return Overview{}, err
		}
		o.Members += c.Members
		o.Sources = append(o.Sources, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Overview{}, err
	}
	err = s.DB.R.QueryRowContext(ctx, `SELECT
		(SELECT coalesce(sum(capacity), 0) FROM tasks WHERE program_id = $1 AND status IN ('published', 'closed')),
		(SELECT count(*) FROM task_claims WHERE program_id = $1 AND status NOT IN ('applied', 'not_selected')),
		(SELECT count(DISTINCT claim_id) FROM submissions WHERE program_id = $1),
		(SELECT count(*) FROM task_claims WHERE program_id = $1 AND status = 'approved'),
		(SELECT count(*) FROM submissions WHERE program_id = $1 AND status = 'pending')`, p).
		Scan(&o.Funnel.Places, &o.Funnel.Claimed, &o.Funnel.Submitted, &o.Funnel.Approved, &o.ReviewQueue)
	if err != nil {
		return Overview{}, fmt.Errorf("dashboard: funnel: %w", db.MapError(err))
	}
	if program.Can(sc.Role, program.PermAuditRead) {
		if o.Changes, _, err = s.Programs.AuditLog(ctx, sc, program.AuditFilter{Limit: 10}); err != nil {
			return Overview{}, err
		}
	}
	return o, nil
}

// Tiers counts the members on each tier of each ladder (program.read).
func (s *Service) Tiers(ctx context.Context, sc program.Scope) ([]LadderCount, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return nil, err
	}
	var out []LadderCount
	rows, err := s.DB.R.QueryContext(ctx, `SELECT l.key, l.name_zh, l.name_en, t.key, t.name_zh, t.name_en,
		(SELECT count(*) FROM member_tiers mt WHERE mt.program_id = l.program_id AND mt.tier_id = t.id)
		FROM ladders l JOIN tiers t ON t.ladder_id = l.id
		WHERE l.program_id = $1 AND l.retired_at = 0 AND t.retired_at = 0 ORDER BY l.position, l.id, t.rank`, sc.Program.ID)
	if err != nil {
		return nil, fmt.Errorf("dashboard: tiers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var lk string
		var ln ladder.Text
		var tc TierCount
		if err := rows.Scan(&lk, &ln.Zh, &ln.En, &tc.Key, &tc.Name.Zh, &tc.Name.En, &tc.Members); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].Key != lk {
			out = append(out, LadderCount{Key: lk, Name: ln})
		}
		l := &out[len(out)-1]
		l.Tiers = append(l.Tiers, tc)
	}
	return out, rows.Err()
}
