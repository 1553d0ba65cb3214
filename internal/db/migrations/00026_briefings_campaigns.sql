-- Information (SPEC A1) and campaigns (C1): briefings shown to chosen
-- tiers from a release time and to everyone after an embargo, with their
-- attachments and read receipts; campaigns that group tasks, briefings,
-- events and budget lines around a moment and go live once, at the second.
-- A job may be woken at a moment (wake_at) besides its schedule.

-- +goose Up
ALTER TABLE jobs ADD COLUMN wake_at BIGINT NOT NULL DEFAULT 0;

CREATE TABLE campaigns (
    id           {{.ID}},
    program_id   BIGINT NOT NULL REFERENCES programs (id),
    public_id    TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    golive_at    BIGINT NOT NULL,
    budget_lines TEXT NOT NULL DEFAULT '[]',
    status       TEXT NOT NULL DEFAULT 'draft',
    live_at      BIGINT NOT NULL DEFAULT 0,
    tasks_done   INTEGER NOT NULL DEFAULT 0,
    golive_note  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (program_id, label),
    CHECK (kind IN ('launch', 'ota', 'season', 'other')),
    CHECK (status IN ('draft', 'scheduled', 'live', 'cancelled'))
);
CREATE INDEX campaigns_due ON campaigns (status, golive_at);

CREATE TABLE briefings (
    id             {{.ID}},
    program_id     BIGINT NOT NULL REFERENCES programs (id),
    public_id      TEXT NOT NULL UNIQUE,
    campaign       TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    body           TEXT NOT NULL DEFAULT '',
    ladder         TEXT NOT NULL DEFAULT '',
    min_tier       TEXT NOT NULL DEFAULT '',
    release_at     BIGINT NOT NULL,
    public_at      BIGINT NOT NULL DEFAULT 0,
    task           TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'draft',
    early_told_at  BIGINT NOT NULL DEFAULT 0,
    public_told_at BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CHECK (status IN ('draft', 'published', 'withdrawn')),
    CHECK (public_at = 0 OR public_at >= release_at)
);
CREATE INDEX briefings_program ON briefings (program_id, release_at);
CREATE INDEX briefings_task ON briefings (program_id, task);

CREATE TABLE briefing_attachments (
    id           {{.ID}},
    program_id   BIGINT NOT NULL REFERENCES programs (id),
    briefing_id  BIGINT NOT NULL REFERENCES briefings (id),
    public_id    TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    data         {{.Bytes}} NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX briefing_attachments_briefing ON briefing_attachments (briefing_id);

CREATE TABLE briefing_reads (
    briefing_id BIGINT NOT NULL REFERENCES briefings (id),
    member_id   BIGINT NOT NULL REFERENCES members (id),
    read_at     BIGINT NOT NULL,
    PRIMARY KEY (briefing_id, member_id)
);

ALTER TABLE events ADD COLUMN campaign TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE events DROP COLUMN campaign;
DROP TABLE briefing_reads;
DROP TABLE briefing_attachments;
DROP TABLE briefings;
DROP TABLE campaigns;
ALTER TABLE jobs DROP COLUMN wake_at;
