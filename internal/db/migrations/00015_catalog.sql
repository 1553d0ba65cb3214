-- The catalog (SPEC R3): items members redeem with points, their variants
-- (each with its stock in the ledger), pools of unique coupon codes, and
-- redemptions with their shipment. A redemption's points, stock and budget
-- move as one linked chain of ledger transfers.

-- +goose Up
-- eligibility and windows are JSON documents (text).
CREATE TABLE catalog_items (
    id               {{.ID}},
    program_id       BIGINT NOT NULL REFERENCES programs (id),
    public_id        TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    points           BIGINT NOT NULL,
    unit_cost        BIGINT NOT NULL DEFAULT 0,
    budget_line      TEXT NOT NULL DEFAULT '',
    per_member_limit INTEGER NOT NULL DEFAULT 0,
    eligibility      TEXT NOT NULL DEFAULT '{}',
    windows          TEXT NOT NULL DEFAULT '[]',
    opens_at         BIGINT NOT NULL DEFAULT 0,
    status           TEXT NOT NULL DEFAULT 'active',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK (kind IN ('virtual', 'coupon', 'merchandise', 'product_use', 'event_seat', 'experience')),
    CHECK (status IN ('active', 'archived')),
    CHECK (points >= 0),
    CHECK (unit_cost >= 0),
    CHECK (per_member_limit >= 0)
);
CREATE INDEX catalog_items_program ON catalog_items (program_id, status, id);

CREATE TABLE catalog_variants (
    id               {{.ID}},
    program_id       BIGINT NOT NULL REFERENCES programs (id),
    item_id          BIGINT NOT NULL REFERENCES catalog_items (id),
    public_id        TEXT NOT NULL UNIQUE,
    label            TEXT NOT NULL DEFAULT '',
    stock_account_id BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    UNIQUE (item_id, label)
);

CREATE TABLE redemptions (
    id           {{.ID}},
    program_id   BIGINT NOT NULL REFERENCES programs (id),
    public_id    TEXT NOT NULL UNIQUE,
    item_id      BIGINT NOT NULL REFERENCES catalog_items (id),
    variant_id   BIGINT NOT NULL REFERENCES catalog_variants (id),
    member_id    BIGINT NOT NULL REFERENCES members (id),
    points       BIGINT NOT NULL,
    unit_cost    BIGINT NOT NULL,
    budget_line  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    code         TEXT NOT NULL DEFAULT '',
    ship_name    TEXT NOT NULL DEFAULT '',
    ship_phone   TEXT NOT NULL DEFAULT '',
    ship_address TEXT NOT NULL DEFAULT '',
    carrier      TEXT NOT NULL DEFAULT '',
    tracking     TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CHECK (status IN ('ordered', 'fulfilled', 'shipped', 'delivered', 'returned', 'cancelled'))
);
CREATE INDEX redemptions_program ON redemptions (program_id, status, id);
CREATE INDEX redemptions_member ON redemptions (member_id, item_id, id);

-- A code is used by at most one redemption, and a pool never holds the
-- same code twice.
CREATE TABLE coupon_codes (
    id            {{.ID}},
    program_id    BIGINT NOT NULL REFERENCES programs (id),
    item_id       BIGINT NOT NULL REFERENCES catalog_items (id),
    code          TEXT NOT NULL,
    redemption_id BIGINT UNIQUE REFERENCES redemptions (id),
    imported_at   BIGINT NOT NULL,
    UNIQUE (item_id, code)
);
CREATE INDEX coupon_codes_free ON coupon_codes (item_id, id) WHERE redemption_id IS NULL;

-- +goose Down
DROP TABLE coupon_codes;
DROP TABLE redemptions;
DROP TABLE catalog_variants;
DROP TABLE catalog_items;
