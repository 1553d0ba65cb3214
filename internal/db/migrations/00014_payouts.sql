-- Money owed and payouts (SPEC R10). What a member is owed lives in the
-- ledger (member_payable); a batch holds each member's amount with a
-- pending transfer until finance marks it paid. Payee details are sealed
-- (AES-GCM, a key from the environment); only their masked forms are kept
-- in clear.

-- +goose Up
CREATE TABLE member_payees (
    member_id      BIGINT PRIMARY KEY REFERENCES members (id),
    program_id     BIGINT NOT NULL REFERENCES programs (id),
    sealed         {{.Bytes}} NOT NULL,
    masked_name    TEXT NOT NULL,
    masked_id      TEXT NOT NULL,
    bank           TEXT NOT NULL,
    masked_account TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE payout_batches (
    id          {{.ID}},
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    public_id   TEXT NOT NULL UNIQUE,
    period      TEXT NOT NULL,
    minimum     BIGINT NOT NULL,
    tax_rule    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft',
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    approved_by TEXT NOT NULL DEFAULT '',
    approved_at BIGINT NOT NULL DEFAULT 0,
    paid_by     TEXT NOT NULL DEFAULT '',
    paid_at     BIGINT NOT NULL DEFAULT 0,
    CHECK (status IN ('draft', 'approved', 'paid', 'cancelled'))
);
CREATE INDEX payout_batches_program ON payout_batches (program_id, id);

CREATE TABLE payout_lines (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    batch_id   BIGINT NOT NULL REFERENCES payout_batches (id),
    member_id  BIGINT NOT NULL REFERENCES members (id),
    gross      BIGINT NOT NULL,
    taxable    BIGINT NOT NULL,
    tax        BIGINT NOT NULL,
    net        BIGINT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'included',
    UNIQUE (batch_id, member_id),
    CHECK (status IN ('included', 'excluded')),
    CHECK (gross = tax + net)
);
CREATE INDEX payout_lines_member ON payout_lines (member_id, id);

ALTER TABLE programs ADD COLUMN tax_rule TEXT NOT NULL DEFAULT 'cn_labour';

-- +goose Down
ALTER TABLE programs DROP COLUMN tax_rule;
DROP TABLE payout_lines;
DROP TABLE payout_batches;
DROP TABLE member_payees;
