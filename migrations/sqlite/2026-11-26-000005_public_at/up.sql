-- When an entry is (or becomes) public: its publish time while it is
-- published or scheduled, NULL otherwise. One column that indexes can keep
-- in date order, so public listings read rows already sorted instead of
-- sorting every public entry (status IN (...) could not).
ALTER TABLE entries ADD COLUMN public_at TIMESTAMP;
UPDATE entries SET public_at = publish_at WHERE status IN ('published', 'scheduled');
DROP INDEX entries_public;
DROP INDEX entries_kind_public;
DROP INDEX entries_category_public;
CREATE INDEX entries_public ON entries (public_at DESC, id DESC);
CREATE INDEX entries_kind_public ON entries (kind, public_at DESC, id DESC);
CREATE INDEX entries_category_public ON entries (category_id, public_at DESC, id DESC);
