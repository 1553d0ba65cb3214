-- Program core: operators and their roles per program, sessions, API keys,
-- the audit log, and stored responses for Idempotency-Key.

-- +goose Up
ALTER TABLE programs ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

-- Operators are people; one may work on several programs (an agency's
-- brands), with a role in each. Owners administer the installation.
CREATE TABLE operators (
    id            {{.ID}},
    public_id     TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    owner         BOOLEAN NOT NULL DEFAULT FALSE,
    locale        TEXT NOT NULL DEFAULT '',
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  BIGINT NOT NULL DEFAULT 0,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE program_operators (
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    operator_id BIGINT NOT NULL REFERENCES operators (id),
    role        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, operator_id),
    CHECK (role IN ('admin', 'operator', 'reviewer', 'finance', 'viewer'))
);
CREATE INDEX program_operators_operator ON program_operators (operator_id);

-- Sessions live in the database so that they survive a restart and work on
-- every instance; only a hash of the token is kept.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    actor_kind   TEXT NOT NULL,
    actor_id     BIGINT NOT NULL,
    program_id   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    CHECK (actor_kind IN ('operator', 'member'))
);
CREATE INDEX sessions_actor ON sessions (actor_kind, actor_id);

CREATE TABLE api_keys (
    id          {{.ID}},
    public_id   TEXT NOT NULL UNIQUE,
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_by  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    revoked_at  BIGINT NOT NULL DEFAULT 0,
    CHECK (role IN ('admin', 'operator', 'reviewer', 'finance', 'viewer'))
);
CREATE INDEX api_keys_program ON api_keys (program_id, id);

-- Every change of state: who, when, what, before and after (JSON text).
-- program_id 0 is the installation (operators, programs being created).
CREATE TABLE audit_log (
    id          {{.ID}},
    program_id  BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    before_json TEXT NOT NULL DEFAULT '',
    after_json  TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_program ON audit_log (program_id, id);
CREATE INDEX audit_log_object ON audit_log (program_id, object_kind, object_id, id);

-- Idempotency-Key: the first response to a POST, replayed to a retry.
CREATE TABLE idempotency_keys (
    actor       TEXT NOT NULL,
    idem_key    TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    headers     TEXT NOT NULL DEFAULT '',
    body        {{.Bytes}},
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (actor, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE audit_log;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE program_operators;
DROP TABLE operators;
ALTER TABLE programs DROP COLUMN updated_at;
ALTER TABLE programs DROP COLUMN description;
