-- Satisfaction: "Thông tin này có hữu ích không?" under each entry and
-- page, answered with a score from 1 (not useful) to 5 (very useful) and
-- an optional short comment. One answer per browser and entry (or page),
-- which the browser may change: `browser` is an HMAC of its browser-id
-- cookie, never the cookie itself. No personal data is asked or kept:
-- `address` is an HMAC of the client's address, only to limit answers per
-- address. Nothing public shows ratings, so they log no change.
CREATE TABLE ratings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    entry_id   INTEGER REFERENCES entries (id) ON DELETE CASCADE,
    page_id    INTEGER REFERENCES pages (id) ON DELETE CASCADE,
    browser    TEXT NOT NULL,
    address    TEXT NOT NULL DEFAULT '',
    score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((entry_id IS NULL) <> (page_id IS NULL))
);
CREATE UNIQUE INDEX ratings_entry ON ratings (entry_id, browser);
CREATE UNIQUE INDEX ratings_page ON ratings (page_id, browser);
-- Answers from an address in the last hour (the limit); the admin's
-- figures and trend over a period.
CREATE INDEX ratings_address ON ratings (address, updated_at);
CREATE INDEX ratings_updated ON ratings (updated_at);
