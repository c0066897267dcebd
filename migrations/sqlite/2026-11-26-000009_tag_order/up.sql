-- Tag pages and related entries list a tag's entries newest first. With the
-- entry's public_at copied onto entry_tags, that order comes straight from
-- an index instead of a sort of every entry with the tag. Triggers keep the
-- copy, whoever writes.

ALTER TABLE entry_tags ADD COLUMN public_at TIMESTAMP;
UPDATE entry_tags
SET public_at = (SELECT public_at FROM entries WHERE entries.id = entry_tags.entry_id);
CREATE INDEX entry_tags_tag_public ON entry_tags (tag_id, public_at, entry_id);

CREATE TRIGGER entry_tags_public_at_insert AFTER INSERT ON entry_tags
BEGIN
    UPDATE entry_tags
    SET public_at = (SELECT public_at FROM entries WHERE id = NEW.entry_id)
    WHERE entry_id = NEW.entry_id AND tag_id = NEW.tag_id;
END;

CREATE TRIGGER entries_public_at_to_tags AFTER UPDATE OF public_at ON entries
WHEN OLD.public_at IS NOT NEW.public_at
BEGIN
    UPDATE entry_tags SET public_at = NEW.public_at WHERE entry_id = NEW.id;
END;
