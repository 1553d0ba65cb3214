package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"

	"kox/internal/postref"
)

// Migration 8 moves each submission's posts from the JSON column
// submissions.posts into submission_posts, reading each post's platform id
// from its address on the way; SQL cannot parse addresses, so it is Go.
func movePosts() *goose.Migration {
	return goose.NewGoMigration(8, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, program_id, posts FROM submissions ORDER BY id`)
		if err != nil {
			return fmt.Errorf("read posts: %w", err)
		}
		type post struct {
			Platform string    `json:"platform"`
			URL      string    `json:"url"`
			PostedAt time.Time `json:"posted_at"`
		}
		type sub struct {
			id, program int64
			posts       []post
		}
		var subs []sub
		for rows.Next() {
			var s sub
			var raw string
			if err := rows.Scan(&s.id, &s.program, &raw); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(raw), &s.posts); err != nil {
				rows.Close()
				return fmt.Errorf("submission %d: posts: %w", s.id, err)
			}
			subs = append(subs, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, s := range subs {
			for i, p := range s.posts {
				var at int64
				if !p.PostedAt.IsZero() {
					at = p.PostedAt.UnixMicro()
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO submission_posts (program_id, submission_id, position, platform, url,
				platform_post_id, posted_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					s.program, s.id, i+1, p.Platform, p.URL, postref.ID(p.Platform, p.URL), at); err != nil {
					return fmt.Errorf("submission %d: post %d: %w", s.id, i+1, err)
				}
			}
		}
		return nil
	}}, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM submission_posts`)
		return err
	}})
}
