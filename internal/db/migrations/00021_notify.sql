-- Notifications (SPEC P7) and webhooks (P3): one outbox written in the
-- transaction of the change it reports; a job fans each event out to
-- in-app notifications and to the program's channels (signed webhooks, the
-- WeCom group bot, email), each delivery retried and logged.

-- +goose Up
CREATE TABLE outbox (
    id            {{.ID}},
    program_id    BIGINT NOT NULL REFERENCES programs (id),
    public_id     TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    member_id     BIGINT NOT NULL DEFAULT 0,
    subject       TEXT NOT NULL DEFAULT '',
    params        TEXT NOT NULL DEFAULT '{}',
    created_at    BIGINT NOT NULL,
    dispatched_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_waiting ON outbox (dispatched_at, id);

CREATE TABLE notifications (
    id          {{.ID}},
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    outbox_id   BIGINT NOT NULL REFERENCES outbox (id),
    member_id   BIGINT NOT NULL DEFAULT 0,
    operator_id BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT NOT NULL DEFAULT 0,
    UNIQUE (outbox_id, member_id, operator_id)
);
CREATE INDEX notifications_member ON notifications (program_id, member_id, read_at, id);
CREATE INDEX notifications_operator ON notifications (program_id, operator_id, read_at, id);

CREATE TABLE notify_endpoints (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    shown      TEXT NOT NULL DEFAULT '',
    sealed     {{.Bytes}} NOT NULL,
    events     TEXT NOT NULL DEFAULT '[]',
    active     INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    CHECK (kind IN ('webhook', 'wecom', 'email'))
);
CREATE INDEX notify_endpoints_program ON notify_endpoints (program_id, active);

CREATE TABLE deliveries (
    id          {{.ID}},
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    public_id   TEXT NOT NULL UNIQUE,
    outbox_id   BIGINT NOT NULL REFERENCES outbox (id),
    endpoint_id BIGINT NOT NULL REFERENCES notify_endpoints (id),
    target      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     BIGINT NOT NULL,
    last_status INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    sent_at     BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    CHECK (status IN ('pending', 'sent', 'dead'))
);
CREATE INDEX deliveries_due ON deliveries (status, next_at);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);

CREATE TABLE delivery_attempts (
    id          {{.ID}},
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id),
    at          BIGINT NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    millis      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);

CREATE TABLE notify_prefs (
    member_id BIGINT NOT NULL REFERENCES members (id),
    channel   TEXT NOT NULL,
    enabled   INTEGER NOT NULL,
    PRIMARY KEY (member_id, channel)
);

-- +goose Down
DROP TABLE notify_prefs;
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
DROP TABLE notify_endpoints;
DROP TABLE notifications;
DROP TABLE outbox;
