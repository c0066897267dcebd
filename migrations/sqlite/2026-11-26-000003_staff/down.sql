ALTER TABLE revisions DROP COLUMN version;
DROP INDEX entries_admin;
DROP INDEX entries_author;
ALTER TABLE entries DROP COLUMN version;
ALTER TABLE entries DROP COLUMN author_id;
DROP TABLE slug_redirects;
DROP TABLE audit_log;
DROP TABLE login_failures;
DROP TABLE users;
