-- Promotion (SPEC L3): what members report of their reach with a hand-in
-- (until metric snapshots exist), compliance strikes, nominations for a
-- tier, and the candidates an evaluation finds, each with its evidence.

-- +goose Up
ALTER TABLE submissions ADD COLUMN reach BIGINT NOT NULL DEFAULT 0;

-- A tier's members in member order, with when they came: an evaluation
-- reads them as a plain aggregate reads claims, grouped without a sort.
DROP INDEX member_tiers_tier;
CREATE INDEX member_tiers_tier ON member_tiers (program_id, tier_id, member_id, since);

CREATE TABLE member_strikes (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    member_id  BIGINT NOT NULL REFERENCES members (id),
    reason     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX member_strikes_member ON member_strikes (member_id, at);

CREATE TABLE tier_nominations (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    member_id  BIGINT NOT NULL REFERENCES members (id),
    tier_id    BIGINT NOT NULL REFERENCES tiers (id),
    note       TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX tier_nominations_member ON tier_nominations (member_id, tier_id);

CREATE TABLE promotion_candidates (
    id           {{.ID}},
    program_id   BIGINT NOT NULL REFERENCES programs (id),
    public_id    TEXT NOT NULL UNIQUE,
    member_id    BIGINT NOT NULL REFERENCES members (id),
    ladder_id    BIGINT NOT NULL REFERENCES ladders (id),
    from_tier_id BIGINT NOT NULL REFERENCES tiers (id),
    to_tier_id   BIGINT NOT NULL REFERENCES tiers (id),
    evidence     TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'candidate',
    found_at     BIGINT NOT NULL,
    evaluated_at BIGINT NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   BIGINT NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    CHECK (status IN ('candidate', 'approved', 'declined', 'promoted', 'lapsed'))
);
CREATE UNIQUE INDEX promotion_candidates_open ON promotion_candidates (member_id, to_tier_id) WHERE status = 'candidate';
CREATE INDEX promotion_candidates_program ON promotion_candidates (program_id, status, id);

-- +goose Down
DROP INDEX member_tiers_tier;
CREATE INDEX member_tiers_tier ON member_tiers (program_id, tier_id);
DROP TABLE promotion_candidates;
DROP TABLE tier_nominations;
DROP TABLE member_strikes;
ALTER TABLE submissions DROP COLUMN reach;
