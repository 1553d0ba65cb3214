-- Experience (SPEC A2): events with a capacity of seats that is a ledger
-- account (never oversold), first come or apply-and-select or assigned, a
-- waitlist that moves up in order with a deadline to accept, and a ticket
-- per attendee checked in once.

-- +goose Up
CREATE TABLE events (
    id               {{.ID}},
    program_id       BIGINT NOT NULL REFERENCES programs (id),
    public_id        TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL DEFAULT '',
    venue            TEXT NOT NULL DEFAULT '',
    region           TEXT NOT NULL DEFAULT '',
    starts_at        BIGINT NOT NULL,
    ends_at          BIGINT NOT NULL,
    capacity         INTEGER NOT NULL,
    allocation       TEXT NOT NULL,
    ladder           TEXT NOT NULL DEFAULT '',
    min_tier         TEXT NOT NULL DEFAULT '',
    offer_hours      INTEGER NOT NULL DEFAULT 24,
    status           TEXT NOT NULL DEFAULT 'draft',
    seats_account_id BIGINT NOT NULL DEFAULT 0,
    taken_account_id BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK (kind IN ('factory_tour', 'track_day', 'tea_party', 'summit', 'other')),
    CHECK (allocation IN ('first_come', 'apply', 'reward')),
    CHECK (status IN ('draft', 'published', 'cancelled')),
    CHECK (capacity > 0),
    CHECK (ends_at >= starts_at)
);
CREATE INDEX events_program ON events (program_id, starts_at);

-- One seat row per event and member: where they stand, their place on the
-- waitlist, their ticket.
CREATE TABLE event_seats (
    id            {{.ID}},
    program_id    BIGINT NOT NULL REFERENCES programs (id),
    public_id     TEXT NOT NULL UNIQUE,
    event_id      BIGINT NOT NULL REFERENCES events (id),
    member_id     BIGINT NOT NULL REFERENCES members (id),
    status        TEXT NOT NULL,
    position      BIGINT NOT NULL DEFAULT 0,
    seat_transfer TEXT NOT NULL DEFAULT '',
    attempt       INTEGER NOT NULL DEFAULT 0,
    ticket        TEXT NOT NULL UNIQUE,
    offered_until BIGINT NOT NULL DEFAULT 0,
    checked_in_at BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (event_id, member_id),
    CHECK (status IN ('going', 'applied', 'waitlisted', 'offered', 'cancelled', 'declined', 'expired', 'rejected'))
);
CREATE INDEX event_seats_event ON event_seats (event_id, status, position);
CREATE INDEX event_seats_member ON event_seats (member_id, id);
CREATE INDEX event_seats_offers ON event_seats (status, offered_until);

-- +goose Down
DROP TABLE event_seats;
DROP TABLE events;
