-- Members' identity cards (L6): a card has a number anyone may verify; a
-- new card (on a new title) supersedes the one before, whose verification
-- page then says so.

-- +goose Up
CREATE TABLE member_cards (
    id            {{.ID}},
    program_id    BIGINT NOT NULL REFERENCES programs (id),
    member_id     BIGINT NOT NULL REFERENCES members (id),
    number        TEXT NOT NULL UNIQUE,
    title_zh      TEXT NOT NULL DEFAULT '',
    title_en      TEXT NOT NULL DEFAULT '',
    issued_at     BIGINT NOT NULL,
    superseded_at BIGINT NOT NULL DEFAULT 0
);
-- One current card a member, however many ask for it at once.
CREATE UNIQUE INDEX member_cards_current ON member_cards (member_id) WHERE superseded_at = 0;

-- The dashboard counts members by source and domain from the index alone.
CREATE INDEX members_source ON members (program_id, source, domain);

-- +goose Down
DROP INDEX members_source;
DROP INDEX member_cards_current;
DROP TABLE member_cards;
