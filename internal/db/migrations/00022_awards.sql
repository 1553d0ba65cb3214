-- Awards (SPEC R7) and honours (R8): monthly best content and quarterly
-- creative star, whose candidates are ranked from approved work in the
-- period, and honorary titles with a citation; every winner stands on the
-- program's public honour wall.

-- +goose Up
CREATE TABLE awards (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    period     TEXT NOT NULL,
    title_zh   TEXT NOT NULL,
    title_en   TEXT NOT NULL,
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (program_id, kind, period, title_zh),
    CHECK (kind IN ('monthly_best', 'quarterly_star', 'honorary'))
);
CREATE INDEX awards_program ON awards (program_id, id);

CREATE TABLE award_winners (
    id            {{.ID}},
    program_id    BIGINT NOT NULL REFERENCES programs (id),
    public_id     TEXT NOT NULL UNIQUE,
    award_id      BIGINT NOT NULL REFERENCES awards (id),
    member_id     BIGINT NOT NULL REFERENCES members (id),
    submission_id BIGINT REFERENCES submissions (id),
    citation      TEXT NOT NULL DEFAULT '',
    prize_kind    TEXT NOT NULL,
    prize_points  BIGINT NOT NULL DEFAULT 0,
    redemption_id BIGINT REFERENCES redemptions (id),
    prize_text    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    UNIQUE (award_id, member_id),
    CHECK (prize_kind IN ('none', 'points', 'item', 'other'))
);
CREATE INDEX award_winners_program ON award_winners (program_id, id);
CREATE INDEX award_winners_member ON award_winners (member_id, id);

-- Candidates are approved reviews in a period.
CREATE INDEX reviews_program_time ON reviews (program_id, created_at);

-- +goose Down
DROP INDEX reviews_program_time;
DROP TABLE award_winners;
DROP TABLE awards;
