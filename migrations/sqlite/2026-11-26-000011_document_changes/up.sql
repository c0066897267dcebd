-- The document registry in the page cache's change log (migration 8): a
-- record's number links from every entry that cites it, and the registry
-- pages list records, so a change to one drops every page (rare).
CREATE TRIGGER documents_change_insert AFTER INSERT ON documents
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER documents_change_update AFTER UPDATE ON documents
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER documents_change_delete AFTER DELETE ON documents
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
