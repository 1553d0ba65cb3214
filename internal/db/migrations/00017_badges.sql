-- Badges (SPEC R9): achievements with a criterion over the member's record,
-- each awarded to a member once.

-- +goose Up
CREATE TABLE badges (
    id          {{.ID}},
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    public_id   TEXT NOT NULL UNIQUE,
    code        TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    criterion   TEXT NOT NULL,
    threshold   BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    UNIQUE (program_id, code),
    CHECK (criterion IN ('first_approved_task', 'approved_tasks', 'points_earned', 'top_score')),
    CHECK (threshold >= 1)
);

CREATE TABLE member_badges (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    badge_id   BIGINT NOT NULL REFERENCES badges (id),
    member_id  BIGINT NOT NULL REFERENCES members (id),
    awarded_at BIGINT NOT NULL,
    UNIQUE (badge_id, member_id)
);
CREATE INDEX member_badges_member ON member_badges (member_id, id);

-- +goose Down
DROP TABLE member_badges;
DROP TABLE badges;
