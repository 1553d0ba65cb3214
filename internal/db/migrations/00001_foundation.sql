-- Foundation: programs (every row belongs to one) and the ledger.
-- Times are BIGINT microseconds since the Unix epoch, UTC, on both engines:
-- exact, portable and ordered the same everywhere.

-- +goose Up
CREATE TABLE programs (
    id         {{.ID}},
    public_id  TEXT NOT NULL UNIQUE,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    currency   TEXT NOT NULL DEFAULT 'CNY',
    time_zone  TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    locale     TEXT NOT NULL DEFAULT 'zh-CN',
    created_at BIGINT NOT NULL
);

-- Balances are four columns changed only by the ledger. The limit rule is
-- enforced by the ledger under lock, and again here as a backstop.
CREATE TABLE ledger_accounts (
    id              {{.ID}},
    program_id      BIGINT NOT NULL REFERENCES programs (id),
    asset           TEXT NOT NULL,
    code            TEXT NOT NULL,
    ref             TEXT NOT NULL DEFAULT '',
    limit_rule      TEXT NOT NULL DEFAULT 'none',
    debits_pending  BIGINT NOT NULL DEFAULT 0,
    debits_posted   BIGINT NOT NULL DEFAULT 0,
    credits_pending BIGINT NOT NULL DEFAULT 0,
    credits_posted  BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    UNIQUE (program_id, asset, code, ref),
    CHECK (limit_rule IN ('none', 'debits_must_not_exceed_credits', 'credits_must_not_exceed_debits')),
    CHECK (debits_pending >= 0 AND debits_posted >= 0 AND credits_pending >= 0 AND credits_posted >= 0),
    CHECK (limit_rule <> 'debits_must_not_exceed_credits' OR debits_pending + debits_posted <= credits_posted),
    CHECK (limit_rule <> 'credits_must_not_exceed_debits' OR credits_pending + credits_posted <= debits_posted)
);

-- Append-only. kind: posted (moves at once), pending (reserves), post and void
-- (settle a pending, which pending_id names; at most one settles each), and a
-- reversal is a posted transfer that names the one it reverses.
-- No foreign keys here: the ledger checks, under the accounts' row locks in the
-- same transaction, that both accounts exist in the program, and nothing is
-- ever deleted; per-row FK triggers halved PostgreSQL's batch throughput.
CREATE TABLE ledger_transfers (
    id                {{.ID}},
    program_id        BIGINT NOT NULL,
    client_id         TEXT NOT NULL,
    kind              TEXT NOT NULL,
    debit_account_id  BIGINT NOT NULL,
    credit_account_id BIGINT NOT NULL,
    asset             TEXT NOT NULL,
    amount            BIGINT NOT NULL,
    pending_id        BIGINT,
    reverses_id       BIGINT,
    timeout_at        BIGINT,
    code              TEXT NOT NULL DEFAULT '',
    ref               TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    UNIQUE (program_id, client_id),
    CHECK (kind IN ('posted', 'pending', 'post', 'void')),
    CHECK (amount > 0),
    CHECK (debit_account_id <> credit_account_id),
    CHECK ((kind IN ('post', 'void')) = (pending_id IS NOT NULL))
);
CREATE UNIQUE INDEX ledger_transfers_settles ON ledger_transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_transfers_reverses ON ledger_transfers (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id, id);
CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id, id);

-- The open pending transfers: a row leaves when its transfer is posted, voided
-- or expires, so the expiry sweep reads only what is still open.
CREATE TABLE ledger_pending (
    transfer_id BIGINT PRIMARY KEY REFERENCES ledger_transfers (id),
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    timeout_at  BIGINT
);
CREATE INDEX ledger_pending_timeout ON ledger_pending (timeout_at) WHERE timeout_at IS NOT NULL;

-- +goose Down
DROP TABLE ledger_pending;
DROP TABLE ledger_transfers;
DROP TABLE ledger_accounts;
DROP TABLE programs;
