-- Task templates (SPEC L2, program-as-code): reusable task specs per program,
-- matched by key when a program file is applied.

-- +goose Up
CREATE TABLE task_templates (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    key        TEXT NOT NULL,
    position   INTEGER NOT NULL,
    spec       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (program_id, key)
);

-- +goose Down
DROP TABLE task_templates;
