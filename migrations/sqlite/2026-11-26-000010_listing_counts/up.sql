-- How many entries each listing holds, kept by triggers, so a listing's
-- page count is one row read (minus the few entries scheduled for later)
-- instead of a count over every public entry.
--
-- Counted: entries with public_at set (published, or scheduled). scope is
-- 'all', 'kind' (key: the kind), 'category' (key: its id), 'tag' (key: its
-- id) or 'featured'.

CREATE TABLE listing_counts (
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;

INSERT INTO listing_counts (scope, key, n)
SELECT 'all', '', count(*) FROM entries WHERE public_at IS NOT NULL;
INSERT INTO listing_counts (scope, key, n)
SELECT 'kind', kind, count(*) FROM entries WHERE public_at IS NOT NULL GROUP BY kind;
INSERT INTO listing_counts (scope, key, n)
SELECT 'category', CAST(category_id AS TEXT), count(*) FROM entries
WHERE public_at IS NOT NULL AND category_id IS NOT NULL GROUP BY category_id;
INSERT INTO listing_counts (scope, key, n)
SELECT 'featured', '', count(*) FROM entries WHERE public_at IS NOT NULL AND featured;
INSERT INTO listing_counts (scope, key, n)
SELECT 'tag', CAST(tag_id AS TEXT), count(*) FROM entry_tags
WHERE public_at IS NOT NULL GROUP BY tag_id;

CREATE TRIGGER listing_counts_entry_in AFTER INSERT ON entries
WHEN NEW.public_at IS NOT NULL
BEGIN
    INSERT INTO listing_counts VALUES ('all', '', 1)
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
    INSERT INTO listing_counts VALUES ('kind', NEW.kind, 1)
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
    INSERT INTO listing_counts
        SELECT 'category', CAST(NEW.category_id AS TEXT), 1 WHERE NEW.category_id IS NOT NULL
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
    INSERT INTO listing_counts
        SELECT 'featured', '', 1 WHERE NEW.featured
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER listing_counts_entry_out AFTER DELETE ON entries
WHEN OLD.public_at IS NOT NULL
BEGIN
    UPDATE listing_counts SET n = n - 1 WHERE scope = 'all';
    UPDATE listing_counts SET n = n - 1 WHERE scope = 'kind' AND key = OLD.kind;
    UPDATE listing_counts SET n = n - 1
        WHERE scope = 'category' AND key = CAST(OLD.category_id AS TEXT);
    UPDATE listing_counts SET n = n - 1 WHERE scope = 'featured' AND OLD.featured;
END;

CREATE TRIGGER listing_counts_entry_change
AFTER UPDATE OF public_at, kind, category_id, featured ON entries
WHEN OLD.public_at IS NOT NULL OR NEW.public_at IS NOT NULL
BEGIN
    UPDATE listing_counts SET n = n - 1 WHERE OLD.public_at IS NOT NULL AND (
        scope = 'all'
        OR (scope = 'kind' AND key = OLD.kind)
        OR (scope = 'category' AND key = CAST(OLD.category_id AS TEXT))
        OR (scope = 'featured' AND OLD.featured));
    INSERT INTO listing_counts
        SELECT 'all', '', 1 WHERE NEW.public_at IS NOT NULL
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
    INSERT INTO listing_counts
        SELECT 'kind', NEW.kind, 1 WHERE NEW.public_at IS NOT NULL
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
    INSERT INTO listing_counts
        SELECT 'category', CAST(NEW.category_id AS TEXT), 1
        WHERE NEW.public_at IS NOT NULL AND NEW.category_id IS NOT NULL
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
    INSERT INTO listing_counts
        SELECT 'featured', '', 1 WHERE NEW.public_at IS NOT NULL AND NEW.featured
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
END;

-- Tags follow entry_tags.public_at (set by the triggers of migration 9).
CREATE TRIGGER listing_counts_tag_change AFTER UPDATE OF public_at ON entry_tags
BEGIN
    UPDATE listing_counts SET n = n - 1
        WHERE OLD.public_at IS NOT NULL AND scope = 'tag' AND key = CAST(OLD.tag_id AS TEXT);
    INSERT INTO listing_counts
        SELECT 'tag', CAST(NEW.tag_id AS TEXT), 1 WHERE NEW.public_at IS NOT NULL
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER listing_counts_tag_out AFTER DELETE ON entry_tags
WHEN OLD.public_at IS NOT NULL
BEGIN
    UPDATE listing_counts SET n = n - 1 WHERE scope = 'tag' AND key = CAST(OLD.tag_id AS TEXT);
END;

CREATE TRIGGER listing_counts_tag_in AFTER INSERT ON entry_tags
WHEN NEW.public_at IS NOT NULL
BEGIN
    INSERT INTO listing_counts VALUES ('tag', CAST(NEW.tag_id AS TEXT), 1)
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
END;
