-- Tasks (SPEC T1–T6): tasks, members' claims on them, submissions, reviews,
-- the occurrences of recurring obligations, and members' sign-in codes.

-- +goose Up
-- brief, eligibility, reward and recurrence are JSON documents (text).
-- capacity_account_id is the ledger account holding the free slots: a claim
-- is a ledger transfer out of it, so capacity is never exceeded (T6).
CREATE TABLE tasks (
    id                  {{.ID}},
    program_id          BIGINT NOT NULL REFERENCES programs (id),
    public_id           TEXT NOT NULL UNIQUE,
    title               TEXT NOT NULL,
    kind                TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'draft',
    mode                TEXT NOT NULL,
    brief               TEXT NOT NULL,
    eligibility         TEXT NOT NULL,
    capacity            INTEGER NOT NULL,
    claim_deadline      BIGINT NOT NULL DEFAULT 0,
    submit_deadline     BIGINT NOT NULL DEFAULT 0,
    submit_within_hours INTEGER NOT NULL DEFAULT 0,
    reward_points       BIGINT NOT NULL DEFAULT 0,
    reward              TEXT NOT NULL DEFAULT '{}',
    effort_minutes      INTEGER NOT NULL DEFAULT 0,
    campaign            TEXT NOT NULL DEFAULT '',
    budget_line         TEXT NOT NULL DEFAULT '',
    recurrence          TEXT NOT NULL DEFAULT '',
    capacity_account_id BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    published_at        BIGINT NOT NULL DEFAULT 0,
    CHECK (kind IN ('light_interaction', 'content', 'deep_review', 'experience_story', 'diary', 'consultation', 'mentoring')),
    CHECK (status IN ('draft', 'published', 'closed', 'cancelled')),
    CHECK (mode IN ('open', 'assigned', 'apply')),
    CHECK (capacity >= 1),
    CHECK (reward_points >= 0)
);
CREATE INDEX tasks_program ON tasks (program_id, status, id);

CREATE TABLE task_claims (
    id             {{.ID}},
    program_id     BIGINT NOT NULL REFERENCES programs (id),
    public_id      TEXT NOT NULL UNIQUE,
    task_id        BIGINT NOT NULL REFERENCES tasks (id),
    member_id      BIGINT NOT NULL REFERENCES members (id),
    status         TEXT NOT NULL,
    slot_transfer  TEXT NOT NULL DEFAULT '',
    attempt        INTEGER NOT NULL DEFAULT 0,
    submit_by      BIGINT NOT NULL DEFAULT 0,
    points_paid    BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (task_id, member_id),
    CHECK (status IN ('applied', 'not_selected', 'claimed', 'assigned', 'selected', 'submitted', 'changes_requested',
        'approved', 'rejected', 'withdrawn', 'expired', 'cancelled'))
);
CREATE INDEX task_claims_task ON task_claims (task_id, status);
CREATE INDEX task_claims_member ON task_claims (program_id, member_id, id);

-- A diary every week for 26 weeks: one occurrence each, submitted or missed.
CREATE TABLE task_occurrences (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    claim_id   BIGINT NOT NULL REFERENCES task_claims (id),
    seq        INTEGER NOT NULL,
    due_at     BIGINT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open',
    UNIQUE (claim_id, seq),
    CHECK (status IN ('open', 'submitted', 'changes_requested', 'approved', 'rejected', 'missed'))
);
CREATE INDEX task_occurrences_due ON task_occurrences (status, due_at);

-- posts: [{platform, url, posted_at}]; images: [url]; check: the brief
-- check's findings (T5), shown to the reviewer.
CREATE TABLE submissions (
    id            {{.ID}},
    program_id    BIGINT NOT NULL REFERENCES programs (id),
    public_id     TEXT NOT NULL UNIQUE,
    claim_id      BIGINT NOT NULL REFERENCES task_claims (id),
    occurrence_id BIGINT REFERENCES task_occurrences (id),
    version       INTEGER NOT NULL,
    posts         TEXT NOT NULL,
    text          TEXT NOT NULL DEFAULT '',
    images        TEXT NOT NULL DEFAULT '[]',
    check_result  TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending',
    created_at    BIGINT NOT NULL,
    CHECK (status IN ('pending', 'approved', 'changes_requested', 'rejected'))
);
CREATE INDEX submissions_claim ON submissions (claim_id, id);
CREATE INDEX submissions_pending ON submissions (program_id, status, id);

CREATE TABLE reviews (
    id            {{.ID}},
    program_id    BIGINT NOT NULL REFERENCES programs (id),
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    reviewer      TEXT NOT NULL,
    decision      TEXT NOT NULL,
    score         INTEGER NOT NULL DEFAULT 0,
    feedback      TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    UNIQUE (submission_id),
    CHECK (decision IN ('approved', 'changes_requested', 'rejected')),
    CHECK (score BETWEEN 0 AND 5)
);

-- One-time codes an operator hands a member (in WeCom, say) to sign in.
CREATE TABLE member_login_codes (
    code_hash  TEXT PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    member_id  BIGINT NOT NULL REFERENCES members (id),
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);

-- A session says who it is for, so that the audit log can name a member
-- without the program package reading members.
ALTER TABLE sessions ADD COLUMN actor_public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN actor_name;
ALTER TABLE sessions DROP COLUMN actor_public_id;
DROP TABLE member_login_codes;
DROP TABLE reviews;
DROP TABLE submissions;
DROP TABLE task_occurrences;
DROP TABLE task_claims;
DROP TABLE tasks;
