-- Ladders and tiers (SPEC L2), and where each member stands on each ladder.

-- +goose Up
CREATE TABLE ladders (
    id          {{.ID}},
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    public_id   TEXT NOT NULL UNIQUE,
    key         TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    member_role TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (program_id, key),
    CHECK (member_role IN ('', 'koc', 'kos', 'kol'))
);

-- rank 1 is the bottom rung. Benefits are a JSON array of {zh, en}; entry and
-- keep rules are JSON documents the rule engine (L3, L4) reads.
CREATE TABLE tiers (
    id             {{.ID}},
    program_id     BIGINT NOT NULL REFERENCES programs (id),
    ladder_id      BIGINT NOT NULL REFERENCES ladders (id),
    public_id      TEXT NOT NULL UNIQUE,
    key            TEXT NOT NULL,
    rank           INTEGER NOT NULL,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    title_zh       TEXT NOT NULL DEFAULT '',
    title_en       TEXT NOT NULL DEFAULT '',
    resource       TEXT NOT NULL,
    value_exchange TEXT NOT NULL,
    budget_layer   TEXT NOT NULL,
    benefits       TEXT NOT NULL DEFAULT '[]',
    entry_rules    TEXT NOT NULL DEFAULT '',
    keep_rules     TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (ladder_id, key),
    CHECK (rank >= 1),
    CHECK (resource IN ('information', 'experience', 'product', 'relationship')),
    CHECK (value_exchange IN ('perks', 'performance_pay', 'project', 'partnership')),
    CHECK (budget_layer IN ('broad', 'incentive', 'exclusive'))
);
CREATE INDEX tiers_ladder ON tiers (ladder_id, rank);

CREATE TABLE member_tiers (
    program_id BIGINT NOT NULL REFERENCES programs (id),
    member_id  BIGINT NOT NULL REFERENCES members (id),
    ladder_id  BIGINT NOT NULL REFERENCES ladders (id),
    tier_id    BIGINT NOT NULL REFERENCES tiers (id),
    since      BIGINT NOT NULL,
    PRIMARY KEY (member_id, ladder_id)
);
CREATE INDEX member_tiers_tier ON member_tiers (program_id, tier_id);

-- Every move between tiers, for the member's story and tenure rules.
CREATE TABLE tier_changes (
    id           {{.ID}},
    program_id   BIGINT NOT NULL REFERENCES programs (id),
    member_id    BIGINT NOT NULL REFERENCES members (id),
    ladder_id    BIGINT NOT NULL REFERENCES ladders (id),
    from_tier_id BIGINT,
    to_tier_id   BIGINT,
    reason       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX tier_changes_member ON tier_changes (member_id, id);

-- +goose Down
DROP TABLE tier_changes;
DROP TABLE member_tiers;
DROP TABLE tiers;
DROP TABLE ladders;
