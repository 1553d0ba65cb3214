-- Member files staged for import (P4): the rows as checked, the errors by
-- row and column, and whether the operator applied it.

-- +goose Up
CREATE TABLE member_imports (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    filename   TEXT NOT NULL DEFAULT '',
    rows       TEXT NOT NULL,
    row_count  INTEGER NOT NULL,
    errors     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'staged',
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    CHECK (status IN ('staged', 'applied'))
);
CREATE INDEX member_imports_program ON member_imports (program_id, id);

-- An import looks up its phones among the program's members.
CREATE INDEX members_phone ON members (program_id, phone);

-- The member table sorted by name, page by page.
CREATE INDEX members_name ON members (program_id, name, id);

-- +goose Down
DROP INDEX members_name;
DROP INDEX members_phone;
DROP TABLE member_imports;
