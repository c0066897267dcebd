DROP INDEX entries_category_public;
DROP INDEX entries_kind_public;
DROP INDEX entries_public;
CREATE INDEX entries_public ON entries (status, publish_at DESC);
CREATE INDEX entries_kind_public ON entries (kind, status, publish_at DESC);
CREATE INDEX entries_category_public ON entries (category_id, status, publish_at DESC);
ALTER TABLE entries DROP COLUMN public_at;
