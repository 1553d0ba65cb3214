-- Relationship (SPEC A4, seed 001's 关系授权): the advisory council of the
-- top rung's members with their terms; its closed-door sessions with an
-- agenda, invitees who answer and minutes; feedback items members raise
-- (or sessions record) whose status the member follows; mentors who
-- coach newcomers on their submissions and nominate them.

-- +goose Up
CREATE TABLE council_seats (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    member_id  BIGINT NOT NULL REFERENCES members (id),
    role       TEXT NOT NULL DEFAULT 'member',
    term_from  TEXT NOT NULL,
    term_to    TEXT NOT NULL,
    ended_on   TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    CHECK (role IN ('chair', 'member')),
    CHECK (term_to >= term_from)
);
CREATE INDEX council_seats_program ON council_seats (program_id, term_to);
CREATE INDEX council_seats_member ON council_seats (member_id);

CREATE TABLE council_sessions (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    agenda     TEXT NOT NULL DEFAULT '',
    place      TEXT NOT NULL DEFAULT '',
    starts_at  BIGINT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'scheduled',
    minutes    TEXT NOT NULL DEFAULT '',
    held_at    BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (status IN ('scheduled', 'held', 'cancelled'))
);
CREATE INDEX council_sessions_program ON council_sessions (program_id, starts_at);

CREATE TABLE session_invites (
    session_id  BIGINT NOT NULL REFERENCES council_sessions (id),
    member_id   BIGINT NOT NULL REFERENCES members (id),
    answer      TEXT NOT NULL DEFAULT 'pending',
    answered_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, member_id),
    CHECK (answer IN ('pending', 'yes', 'no'))
);
CREATE INDEX session_invites_member ON session_invites (member_id);

CREATE TABLE feedback_items (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    member_id  BIGINT NOT NULL DEFAULT 0,
    session_id BIGINT NOT NULL DEFAULT 0,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'new',
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (status IN ('new', 'heard', 'considered', 'adopted', 'declined'))
);
CREATE INDEX feedback_items_program ON feedback_items (program_id, status, id);
CREATE INDEX feedback_items_member ON feedback_items (member_id, id);

CREATE TABLE mentorships (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    mentor_id  BIGINT NOT NULL REFERENCES members (id),
    mentee_id  BIGINT NOT NULL REFERENCES members (id),
    status     TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL,
    ended_at   BIGINT NOT NULL DEFAULT 0,
    CHECK (status IN ('active', 'ended')),
    CHECK (mentor_id <> mentee_id)
);
CREATE UNIQUE INDEX mentorships_open ON mentorships (mentee_id) WHERE status = 'active';
CREATE INDEX mentorships_mentor ON mentorships (mentor_id, status);

CREATE TABLE mentor_notes (
    id            {{.ID}},
    program_id    BIGINT NOT NULL REFERENCES programs (id),
    public_id     TEXT NOT NULL UNIQUE,
    mentorship_id BIGINT NOT NULL REFERENCES mentorships (id),
    submission    TEXT NOT NULL DEFAULT '',
    author_id     BIGINT NOT NULL REFERENCES members (id),
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX mentor_notes_mentorship ON mentor_notes (mentorship_id, id);

-- +goose Down
DROP TABLE mentor_notes;
DROP TABLE mentorships;
DROP TABLE feedback_items;
DROP TABLE session_invites;
DROP TABLE council_sessions;
DROP TABLE council_seats;
