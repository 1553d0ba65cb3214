-- Each post of a submission as a row of its own (platform, address, the
-- platform's id of the post when its address shows it, when it was posted),
-- so that metric snapshots can be attached to posts. Migration 8 (Go, in
-- migrate_posts.go) moves the posts out of submissions.posts; 9 drops it.
-- Idempotency keys get a lease, so that a key whose holder died can be taken
-- over, and keep the response saved with the change they made.

-- +goose Up
CREATE TABLE submission_posts (
    id               {{.ID}},
    program_id       BIGINT NOT NULL REFERENCES programs (id),
    submission_id    BIGINT NOT NULL REFERENCES submissions (id),
    position         INTEGER NOT NULL,
    platform         TEXT NOT NULL,
    url              TEXT NOT NULL,
    platform_post_id TEXT NOT NULL DEFAULT '',
    posted_at        BIGINT NOT NULL DEFAULT 0,
    UNIQUE (submission_id, position)
);
CREATE INDEX submission_posts_platform_id ON submission_posts (program_id, platform, platform_post_id);

ALTER TABLE idempotency_keys ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;

-- Tiers are retired, never deleted, once anything refers to them: members'
-- tier history keeps its names.
ALTER TABLE tiers ADD COLUMN retired_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tiers DROP COLUMN retired_at;
ALTER TABLE idempotency_keys DROP COLUMN lease_until;
DROP TABLE submission_posts;
