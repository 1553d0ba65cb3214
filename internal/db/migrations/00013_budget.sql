-- Budget (SPEC B1–B5, seed 003): plans per period in layers, their lines
-- (each funds a ledger account once finance approves the plan), moves of
-- money between lines and requests on the strategic reserve, both decided
-- by finance. The money itself is only ever in the ledger: a line's
-- available, committed (one account per line and task) and spent accounts.

-- +goose Up
CREATE TABLE budget_plans (
    id          {{.ID}},
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    public_id   TEXT NOT NULL UNIQUE,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    period      TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft',
    approved_by TEXT NOT NULL DEFAULT '',
    approved_at BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (program_id, code),
    CHECK (status IN ('draft', 'approved', 'closed'))
);

CREATE TABLE budget_lines (
    id                   {{.ID}},
    program_id           BIGINT NOT NULL REFERENCES programs (id),
    plan_id              BIGINT NOT NULL REFERENCES budget_plans (id),
    public_id            TEXT NOT NULL UNIQUE,
    layer                TEXT NOT NULL,
    code                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    amount               BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    UNIQUE (plan_id, code),
    CHECK (layer IN ('broad', 'incentive', 'exclusive', 'reserve')),
    CHECK (amount >= 0)
);
CREATE INDEX budget_lines_program ON budget_lines (program_id, plan_id, id);

-- A move between lines (kind move) or a request on the reserve (kind
-- reserve): the amount is held by a pending ledger transfer until finance
-- decides.
CREATE TABLE budget_requests (
    id           {{.ID}},
    program_id   BIGINT NOT NULL REFERENCES programs (id),
    public_id    TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    from_line_id BIGINT NOT NULL REFERENCES budget_lines (id),
    to_line_id   BIGINT,
    amount       BIGINT NOT NULL,
    purpose      TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'requested',
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   BIGINT NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    CHECK (kind IN ('move', 'reserve')),
    CHECK (status IN ('requested', 'approved', 'declined')),
    CHECK (amount > 0)
);
CREATE INDEX budget_requests_program ON budget_requests (program_id, status, id);

-- +goose Down
DROP TABLE budget_requests;
DROP TABLE budget_lines;
DROP TABLE budget_plans;
