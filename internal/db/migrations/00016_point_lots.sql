-- Points expire oldest first (SPEC R2): each earning is a lot with its
-- expiry; spending takes from the oldest lots, and what a spend took is
-- kept so that a cancelled redemption puts it back in the same lots.
-- The ledger holds the balance; lots say which points are whose age.

-- +goose Up
CREATE TABLE point_lots (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    member_id  BIGINT NOT NULL REFERENCES members (id),
    amount     BIGINT NOT NULL,
    remaining  BIGINT NOT NULL,
    earned_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0,
    ref        TEXT NOT NULL DEFAULT '',
    CHECK (remaining >= 0 AND remaining <= amount)
);
CREATE INDEX point_lots_member ON point_lots (member_id, earned_at, id) WHERE remaining > 0;
CREATE INDEX point_lots_expiry ON point_lots (expires_at) WHERE remaining > 0 AND expires_at > 0;

CREATE TABLE point_lot_uses (
    id       {{.ID}},
    lot_id   BIGINT NOT NULL REFERENCES point_lots (id),
    spend    TEXT NOT NULL,
    amount   BIGINT NOT NULL
);
CREATE INDEX point_lot_uses_spend ON point_lot_uses (spend);

ALTER TABLE programs ADD COLUMN points_expiry_months INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE programs DROP COLUMN points_expiry_months;
DROP TABLE point_lot_uses;
DROP TABLE point_lots;
