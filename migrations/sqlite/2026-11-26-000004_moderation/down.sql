DROP INDEX comments_author;
DROP INDEX comments_ip;
DROP INDEX comments_created;
ALTER TABLE comments DROP COLUMN handled_by;
ALTER TABLE comments DROP COLUMN handled_at;
ALTER TABLE comments DROP COLUMN official;
