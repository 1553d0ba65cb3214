-- Keep rules (SPEC L4): a member who lets their tier's keep rule slip is
-- warned, has a grace period, and then goes down a tier unless they
-- recover; each step is kept here (and audited).

-- +goose Up
CREATE TABLE keep_warnings (
    id          {{.ID}},
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    public_id   TEXT NOT NULL UNIQUE,
    member_id   BIGINT NOT NULL REFERENCES members (id),
    tier_id     BIGINT NOT NULL REFERENCES tiers (id),
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'warned',
    warned_at   BIGINT NOT NULL,
    grace_until BIGINT NOT NULL,
    resolved_at BIGINT NOT NULL DEFAULT 0,
    CHECK (status IN ('warned', 'recovered', 'demoted', 'moved'))
);
CREATE UNIQUE INDEX keep_warnings_open ON keep_warnings (member_id, tier_id) WHERE status = 'warned';
CREATE INDEX keep_warnings_program ON keep_warnings (program_id, status, id);

-- +goose Down
DROP TABLE keep_warnings;
