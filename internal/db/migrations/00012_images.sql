-- Images members hand in with their work, kept in the database (one file
-- to back up), each with its program and the member who uploaded it.

-- +goose Up
CREATE TABLE images (
    id           {{.ID}},
    program_id   BIGINT NOT NULL REFERENCES programs (id),
    public_id    TEXT NOT NULL UNIQUE,
    member_id    BIGINT NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    data         {{.Bytes}} NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX images_program ON images (program_id, id);

-- +goose Down
DROP TABLE images;
