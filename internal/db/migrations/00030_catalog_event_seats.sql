-- A catalog item of kind event_seat may name its event (SPEC A2: a seat
-- "assigned as a reward, e.g. a VIP seat from the catalog"): redeeming it
-- takes one of the event's seats in the same transaction, or nothing.

-- +goose Up
ALTER TABLE catalog_items ADD COLUMN event TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE catalog_items DROP COLUMN event;
