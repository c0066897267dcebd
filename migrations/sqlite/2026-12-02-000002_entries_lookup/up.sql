-- Search checks each full-text match in `entries` (public yet? of the kind
-- and category asked?) for up to a thousand matches a query. Read from the
-- table, each check lands on the entry's whole row, bodies included (and
-- on its overflow pages: `public_at` was added last, after the bodies);
-- this index holds just what the check reads, keyed by id, so a thousand
-- checks read a few pages. Used with `INDEXED BY` in `storage::search`.
CREATE INDEX entries_lookup ON entries (id, public_at, kind, category_id);
