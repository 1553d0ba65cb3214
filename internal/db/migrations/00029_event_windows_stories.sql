-- Events (SPEC A2) gain the catalog's tier-priority windows — answers open
-- to higher tiers first, then to everyone at opens_at — and a story task
-- that attendees are assigned once the event is over.

-- +goose Up
ALTER TABLE events ADD COLUMN opens_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN windows TEXT NOT NULL DEFAULT '[]';
ALTER TABLE events ADD COLUMN story_task TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN stories_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE event_seats ADD COLUMN story_claim TEXT NOT NULL DEFAULT '';
CREATE INDEX events_stories ON events (status, ends_at) WHERE story_task <> '' AND stories_at = 0;

-- +goose Down
DROP INDEX events_stories;
ALTER TABLE event_seats DROP COLUMN story_claim;
ALTER TABLE events DROP COLUMN stories_at;
ALTER TABLE events DROP COLUMN story_task;
ALTER TABLE events DROP COLUMN windows;
ALTER TABLE events DROP COLUMN opens_at;
