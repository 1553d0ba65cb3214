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

-- Tiers and ladders are retired, never deleted, once members' tier history
-- names them: the history keeps its names.
ALTER TABLE tiers ADD COLUMN retired_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ladders ADD COLUMN retired_at BIGINT NOT NULL DEFAULT 0;

-- What names a tier (a live task's eligibility), so that the tier is not
-- taken away from under it. The ladder package owns it; others call it.
CREATE TABLE tier_refs (
    program_id BIGINT NOT NULL REFERENCES programs (id),
    tier_id    BIGINT NOT NULL REFERENCES tiers (id),
    ref        TEXT NOT NULL,
    PRIMARY KEY (tier_id, ref)
);
CREATE INDEX tier_refs_ref ON tier_refs (program_id, ref);
INSERT INTO tier_refs (program_id, tier_id, ref)
SELECT k.program_id, t.id, 'task:' || k.public_id
FROM tasks k
JOIN ladders l ON l.program_id = k.program_id AND l.key = {{if .Postgres}}(k.eligibility::jsonb ->> 'ladder'){{else}}json_extract(k.eligibility, '$.ladder'){{end}}
JOIN tiers t ON t.ladder_id = l.id AND t.key = {{if .Postgres}}(k.eligibility::jsonb ->> 'min_tier'){{else}}json_extract(k.eligibility, '$.min_tier'){{end}}
WHERE k.status IN ('draft', 'published');

-- The ledger account that holds a task's claimed slots, beside the one that
-- holds its free slots: a claim moves one from the first to the second
-- without looking either up.
ALTER TABLE tasks ADD COLUMN claimed_account_id BIGINT NOT NULL DEFAULT 0;
UPDATE tasks SET claimed_account_id = coalesce((SELECT a.id FROM ledger_accounts a WHERE a.program_id = tasks.program_id
    AND a.asset = 'slots' AND a.code = 'task_claimed' AND a.ref = 'task:' || tasks.public_id), 0)
WHERE capacity_account_id <> 0;

-- +goose Down
ALTER TABLE tasks DROP COLUMN claimed_account_id;
DROP TABLE tier_refs;
ALTER TABLE ladders DROP COLUMN retired_at;
ALTER TABLE tiers DROP COLUMN retired_at;
ALTER TABLE idempotency_keys DROP COLUMN lease_until;
DROP TABLE submission_posts;
