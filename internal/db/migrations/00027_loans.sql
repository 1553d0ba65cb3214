-- Product (SPEC A3, seed 001's 产品授权; costs from seed 003): a fleet of
-- loan units, each a ledger account of one so that no unit is ever on two
-- loans; loan agreements signed by the member, handover and return
-- checklists with mileage and photos, the scenario checklist the member
-- ticks off with posts, and each unit's costs spent on budget lines.

-- +goose Up
CREATE TABLE loan_units (
    id              {{.ID}},
    program_id      BIGINT NOT NULL REFERENCES programs (id),
    public_id       TEXT NOT NULL UNIQUE,
    vin             TEXT NOT NULL,
    model           TEXT NOT NULL,
    colour          TEXT NOT NULL DEFAULT '',
    plate           TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'available',
    mileage         INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    free_account_id BIGINT NOT NULL DEFAULT 0,
    out_account_id  BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (program_id, vin),
    CHECK (status IN ('available', 'reserved', 'on_loan', 'in_service', 'retired')),
    CHECK (mileage >= 0)
);
CREATE INDEX loan_units_program ON loan_units (program_id, status, model);

CREATE TABLE loans (
    id              {{.ID}},
    program_id      BIGINT NOT NULL REFERENCES programs (id),
    public_id       TEXT NOT NULL UNIQUE,
    unit_id         BIGINT NOT NULL REFERENCES loan_units (id),
    member_id       BIGINT NOT NULL REFERENCES members (id),
    status          TEXT NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    return_by       TEXT NOT NULL DEFAULT '',
    return_reason   TEXT NOT NULL DEFAULT '',
    terms           TEXT NOT NULL DEFAULT '',
    ladder          TEXT NOT NULL DEFAULT '',
    min_tier        TEXT NOT NULL DEFAULT '',
    campaign        TEXT NOT NULL DEFAULT '',
    diary_claim     TEXT NOT NULL DEFAULT '',
    unit_transfer   TEXT NOT NULL DEFAULT '',
    signed_at       BIGINT NOT NULL DEFAULT 0,
    signed_name     TEXT NOT NULL DEFAULT '',
    handed_over_at  BIGINT NOT NULL DEFAULT 0,
    returned_at     BIGINT NOT NULL DEFAULT 0,
    overdue_told_on TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK (status IN ('reserved', 'on_loan', 'returned', 'cancelled')),
    CHECK (ends_on >= starts_on)
);
-- The ledger keeps a unit to one loan; these say so twice.
CREATE UNIQUE INDEX loans_open_unit ON loans (unit_id) WHERE status IN ('reserved', 'on_loan');
CREATE UNIQUE INDEX loans_open_member ON loans (member_id) WHERE status IN ('reserved', 'on_loan');
CREATE INDEX loans_program ON loans (program_id, status, ends_on);

-- A handover or return: the mileage read off the car, the checklist ticked
-- and a note.
CREATE TABLE loan_checks (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    loan_id    BIGINT NOT NULL REFERENCES loans (id),
    stage      TEXT NOT NULL,
    mileage    INTEGER NOT NULL,
    items      TEXT NOT NULL DEFAULT '[]',
    note       TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL,
    UNIQUE (loan_id, stage),
    CHECK (stage IN ('handover', 'return')),
    CHECK (mileage >= 0)
);

CREATE TABLE loan_photos (
    id           {{.ID}},
    program_id   BIGINT NOT NULL REFERENCES programs (id),
    public_id    TEXT NOT NULL UNIQUE,
    loan_id      BIGINT NOT NULL REFERENCES loans (id),
    stage        TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    data         {{.Bytes}} NOT NULL,
    created_at   BIGINT NOT NULL,
    CHECK (stage IN ('handover', 'return'))
);
CREATE INDEX loan_photos_loan ON loan_photos (loan_id, id);

CREATE TABLE loan_scenarios (
    loan_id    BIGINT NOT NULL REFERENCES loans (id),
    scenario   TEXT NOT NULL,
    url        TEXT NOT NULL,
    ticked_at  BIGINT NOT NULL,
    PRIMARY KEY (loan_id, scenario),
    CHECK (scenario IN ('commute', 'shopping', 'school_run', 'long_trip'))
);

CREATE TABLE unit_costs (
    id          {{.ID}},
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    public_id   TEXT NOT NULL UNIQUE,
    unit_id     BIGINT NOT NULL REFERENCES loan_units (id),
    loan_id     BIGINT NOT NULL DEFAULT 0,
    kind        TEXT NOT NULL,
    budget_line TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    CHECK (kind IN ('depreciation', 'insurance', 'maintenance', 'repairs', 'opportunity', 'other')),
    CHECK (amount > 0)
);
CREATE INDEX unit_costs_unit ON unit_costs (unit_id, id);
CREATE INDEX unit_costs_loan ON unit_costs (loan_id);

-- +goose Down
DROP TABLE unit_costs;
DROP TABLE loan_scenarios;
DROP TABLE loan_photos;
DROP TABLE loan_checks;
DROP TABLE loans;
DROP TABLE loan_units;
