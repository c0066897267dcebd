-- The search index's row holds what a search tests besides the words
-- (storage/search.rs), so that a search reads search_index alone and
-- reads an entry's doc (a few kilobytes, stored out of line and read
-- whole for every test) only when the cheap tests have passed:
--
--   pairs        each two adjacent words as one (zymotzcua), taken out of
--                doc: in doc they doubled it, and every search that walks
--                the newest matches read twice as much. Phrase queries
--                look them up through their own GIN index.
--   title        the title's words alone, derived from doc: the title test
--                of up to a thousand candidates read each one's whole doc.
--   kind, category_id, public_at
--                copies of the entry's, written with the row by the save
--                path: a search within one kind walks that kind's rows
--                (search_index_kind) instead of reading the doc of every
--                newer entry of the other kinds, and needs no join.
--
-- The rows are dropped here: search index version 7 rebuilds them all at
-- the next start (SQLite's FTS5 index is unchanged).
DELETE FROM search_index;
ALTER TABLE search_index
    ADD COLUMN pairs TSVECTOR NOT NULL,
    ADD COLUMN title TSVECTOR GENERATED ALWAYS AS (ts_filter(doc, '{a}')) STORED,
    ADD COLUMN kind TEXT NOT NULL,
    ADD COLUMN category_id INTEGER,
    ADD COLUMN public_at TIMESTAMP NOT NULL;
CREATE INDEX search_index_pairs ON search_index USING gin (pairs);
CREATE INDEX search_index_kind ON search_index (kind, id);
CREATE INDEX search_index_category ON search_index (category_id, id);
