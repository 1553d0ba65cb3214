-- Identity extras (SPEC L6): a member's place in the brand's private
-- community (invited, joined, declined, left) and the kits given on joining
-- and on promotion, each a gift through the catalog's redemption chain (its
-- stock and its cost on the item's budget line) that ships like any.

-- +goose Up
CREATE TABLE member_community (
    member_id   BIGINT PRIMARY KEY REFERENCES members (id),
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    status      TEXT NOT NULL,
    group_name  TEXT NOT NULL DEFAULT '',
    invited_at  BIGINT NOT NULL DEFAULT 0,
    answered_at BIGINT NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL,
    CHECK (status IN ('none', 'invited', 'joined', 'declined', 'left'))
);
CREATE INDEX member_community_program ON member_community (program_id, status);

-- A kit is a catalog item given once to each member who joins (welcome) or
-- reaches a tier (promotion) from its start.
CREATE TABLE kits (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    occasion   TEXT NOT NULL,
    tier_id    BIGINT REFERENCES tiers (id),
    item_id    BIGINT NOT NULL REFERENCES catalog_items (id),
    variant_id BIGINT NOT NULL REFERENCES catalog_variants (id),
    starts_at  BIGINT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    CHECK (occasion IN ('welcome', 'promotion')),
    CHECK ((occasion = 'welcome') = (tier_id IS NULL))
);
CREATE INDEX kits_program ON kits (program_id, active);

-- One issue per kit and member: given (with its redemption) or waiting (the
-- stock or the budget line refused it; the next run tries again).
CREATE TABLE kit_issues (
    id            {{.ID}},
    program_id    BIGINT NOT NULL REFERENCES programs (id),
    kit_id        BIGINT NOT NULL REFERENCES kits (id),
    member_id     BIGINT NOT NULL REFERENCES members (id),
    status        TEXT NOT NULL,
    redemption_id BIGINT REFERENCES redemptions (id),
    reason_code   TEXT NOT NULL DEFAULT '',
    reason_params TEXT NOT NULL DEFAULT '{}',
    reason        TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (kit_id, member_id),
    CHECK (status IN ('given', 'waiting'))
);
CREATE INDEX kit_issues_member ON kit_issues (member_id, id);

-- Kits find members by when they reached a tier.
CREATE INDEX tier_changes_to ON tier_changes (program_id, to_tier_id, at);

-- +goose Down
DROP INDEX tier_changes_to;
DROP TABLE kit_issues;
DROP TABLE kits;
DROP TABLE member_community;
