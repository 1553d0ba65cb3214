-- Members (SPEC L7) and the account matrix (L8).

-- +goose Up
-- role: koc (owners and fans), kos (sales staff), kol (hired creators).
-- source, for KOC (seed 004): fan 真爱, incubated 孵化, seeded 投放, scripted
-- 剧本; seeded and scripted content must carry a disclosure.
-- domain: public 公域 or private 私域.
CREATE TABLE members (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    domain     TEXT NOT NULL DEFAULT 'public',
    region     TEXT NOT NULL DEFAULT '',
    city       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'candidate',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (role IN ('koc', 'kos', 'kol')),
    CHECK (source IN ('', 'fan', 'incubated', 'seeded', 'scripted')),
    CHECK (domain IN ('public', 'private')),
    CHECK (status IN ('candidate', 'active', 'paused', 'left', 'banned'))
);
CREATE INDEX members_program ON members (program_id, id);
CREATE INDEX members_status ON members (program_id, status, role, id);
CREATE INDEX members_region ON members (program_id, region, city);

CREATE TABLE member_social_accounts (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    member_id  BIGINT NOT NULL REFERENCES members (id),
    platform   TEXT NOT NULL,
    handle     TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    followers  BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (program_id, platform, handle),
    CHECK (followers >= 0)
);
CREATE INDEX member_social_accounts_member ON member_social_accounts (member_id);

CREATE TABLE member_tags (
    program_id BIGINT NOT NULL REFERENCES programs (id),
    member_id  BIGINT NOT NULL REFERENCES members (id),
    tag        TEXT NOT NULL,
    PRIMARY KEY (member_id, tag)
);
CREATE INDEX member_tags_tag ON member_tags (program_id, tag);

-- Consent is a record of what a member agreed to (or withdrew), never edited.
CREATE TABLE member_consents (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    member_id  BIGINT NOT NULL REFERENCES members (id),
    kind       TEXT NOT NULL,
    granted    BOOLEAN NOT NULL,
    text       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL
);
CREATE INDEX member_consents_member ON member_consents (member_id, id);

CREATE TABLE member_notes (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    member_id  BIGINT NOT NULL REFERENCES members (id),
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX member_notes_member ON member_notes (member_id, id);

-- 1+X+N+N (seed 004): per platform, the brand's official accounts, its brand
-- IP accounts, and the N KOS and N KOC accounts, in one registry.
CREATE TABLE account_matrix (
    id         {{.ID}},
    program_id BIGINT NOT NULL REFERENCES programs (id),
    public_id  TEXT NOT NULL UNIQUE,
    platform   TEXT NOT NULL,
    layer      TEXT NOT NULL,
    name       TEXT NOT NULL,
    handle     TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    followers  BIGINT NOT NULL DEFAULT 0,
    member_id  BIGINT REFERENCES members (id),
    created_at BIGINT NOT NULL,
    UNIQUE (program_id, platform, handle),
    CHECK (layer IN ('official', 'brand_ip', 'kos', 'koc'))
);
CREATE INDEX account_matrix_program ON account_matrix (program_id, platform, layer);

-- +goose Down
DROP TABLE account_matrix;
DROP TABLE member_notes;
DROP TABLE member_consents;
DROP TABLE member_tags;
DROP TABLE member_social_accounts;
DROP TABLE members;
