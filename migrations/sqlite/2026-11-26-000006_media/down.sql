DROP INDEX attachments_path;
DROP TABLE media_uses;
DROP TABLE media;
