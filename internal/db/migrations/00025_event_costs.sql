-- An event's costs (SPEC A2, seed 003): the venue, materials, catering and
-- travel, each spent on a budget line through the ledger.

-- +goose Up
CREATE TABLE event_costs (
    id          {{.ID}},
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    public_id   TEXT NOT NULL UNIQUE,
    event_id    BIGINT NOT NULL REFERENCES events (id),
    kind        TEXT NOT NULL,
    budget_line TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    CHECK (kind IN ('venue', 'materials', 'catering', 'travel', 'other')),
    CHECK (amount > 0)
);
CREATE INDEX event_costs_event ON event_costs (event_id, id);

-- +goose Down
DROP TABLE event_costs;
