-- Changes that alter what public pages show, for the page cache of every
-- loa server sharing this database. Triggers record them, so no write path
-- (admin, importer, CLI, another server) can forget to. A server reads the
-- rows after the last id it has seen and drops the pages they concern.
--
-- scope 'entry':    the entry's page, pages listing it, pages showing it
-- scope 'comments': the page of the entry the comment belongs to
-- scope 'site':     every page (names in navigation, settings, …)

CREATE TABLE changes (
    id       INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    scope    TEXT NOT NULL CHECK (scope IN ('entry', 'comments', 'site')),
    entry_id INTEGER
);

-- Keep the log short: servers poll it every second.
CREATE TRIGGER changes_prune AFTER INSERT ON changes
BEGIN
    DELETE FROM changes WHERE id <= NEW.id - 10000;
END;

-- Entries that are, were, or are scheduled to become public.
CREATE TRIGGER entries_change_insert AFTER INSERT ON entries
WHEN NEW.public_at IS NOT NULL
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', NEW.id);
END;
CREATE TRIGGER entries_change_update AFTER UPDATE ON entries
WHEN OLD.public_at IS NOT NULL OR NEW.public_at IS NOT NULL
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', NEW.id);
END;
CREATE TRIGGER entries_change_delete AFTER DELETE ON entries
WHEN OLD.public_at IS NOT NULL
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', OLD.id);
END;

-- What an entry page shows beside the entry row itself.
CREATE TRIGGER entry_tags_change_insert AFTER INSERT ON entry_tags
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', NEW.entry_id);
END;
CREATE TRIGGER entry_tags_change_delete AFTER DELETE ON entry_tags
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', OLD.entry_id);
END;
CREATE TRIGGER bulletin_items_change_insert AFTER INSERT ON bulletin_items
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', NEW.bulletin_id);
END;
CREATE TRIGGER bulletin_items_change_delete AFTER DELETE ON bulletin_items
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', OLD.bulletin_id);
END;
CREATE TRIGGER attachments_change_insert AFTER INSERT ON attachments
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', NEW.entry_id);
END;
CREATE TRIGGER attachments_change_update AFTER UPDATE ON attachments
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', NEW.entry_id);
END;
CREATE TRIGGER attachments_change_delete AFTER DELETE ON attachments
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('entry', OLD.entry_id);
END;

-- Comments a reader can see: approved ones.
CREATE TRIGGER comments_change_insert AFTER INSERT ON comments
WHEN NEW.status = 'approved'
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('comments', NEW.entry_id);
END;
CREATE TRIGGER comments_change_update AFTER UPDATE ON comments
WHEN OLD.status = 'approved' OR NEW.status = 'approved'
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('comments', NEW.entry_id);
END;
CREATE TRIGGER comments_change_delete AFTER DELETE ON comments
WHEN OLD.status = 'approved'
BEGIN
    INSERT INTO changes (scope, entry_id) VALUES ('comments', OLD.entry_id);
END;

-- Names shown on every page, and site settings (the signing key excepted).
CREATE TRIGGER categories_change_insert AFTER INSERT ON categories
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER categories_change_update AFTER UPDATE ON categories
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER categories_change_delete AFTER DELETE ON categories
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER tags_change_update AFTER UPDATE ON tags
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER tags_change_delete AFTER DELETE ON tags
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER settings_change_insert AFTER INSERT ON settings
WHEN NEW.key <> 'secret_key'
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER settings_change_update AFTER UPDATE ON settings
WHEN NEW.key <> 'secret_key'
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER settings_change_delete AFTER DELETE ON settings
WHEN OLD.key <> 'secret_key'
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
