-- Scheduled jobs (SPEC P5): each job's next run and who holds its lease,
-- taken and renewed with one conditional UPDATE on both engines, and a
-- record of every run. Jobs belong to the installation (program 0) or to
-- one program (a job in that program's time zone).

-- +goose Up
CREATE TABLE jobs (
    name         TEXT PRIMARY KEY,
    program_id   BIGINT NOT NULL DEFAULT 0,
    schedule     TEXT NOT NULL,
    zone         TEXT NOT NULL DEFAULT 'UTC',
    next_run_at  BIGINT NOT NULL,
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  BIGINT NOT NULL DEFAULT 0,
    attempt      INTEGER NOT NULL DEFAULT 0,
    last_run_at  BIGINT NOT NULL DEFAULT 0,
    last_outcome TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);

CREATE TABLE job_runs (
    id           {{.ID}},
    job          TEXT NOT NULL REFERENCES jobs (name),
    program_id   BIGINT NOT NULL DEFAULT 0,
    owner        TEXT NOT NULL,
    due_at       BIGINT NOT NULL,
    attempt      INTEGER NOT NULL,
    started_at   BIGINT NOT NULL,
    ended_at     BIGINT NOT NULL DEFAULT 0,
    outcome      TEXT NOT NULL DEFAULT 'running',
    changed      BIGINT NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    CHECK (outcome IN ('running', 'ok', 'failed', 'lost', 'abandoned'))
);
CREATE INDEX job_runs_job ON job_runs (job, id);

-- +goose Down
DROP TABLE job_runs;
DROP TABLE jobs;
