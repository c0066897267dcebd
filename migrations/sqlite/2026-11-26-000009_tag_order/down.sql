DROP TRIGGER IF EXISTS entries_public_at_to_tags;
DROP TRIGGER IF EXISTS entry_tags_public_at_insert;
DROP INDEX IF EXISTS entry_tags_tag_public;
ALTER TABLE entry_tags DROP COLUMN public_at;
