-- The posts now live in submission_posts (migrations 7 and 8).

-- +goose Up
ALTER TABLE submissions DROP COLUMN posts;

-- +goose Down
ALTER TABLE submissions ADD COLUMN posts TEXT NOT NULL DEFAULT '[]';
