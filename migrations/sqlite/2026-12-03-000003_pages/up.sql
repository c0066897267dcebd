-- Pages (trang): the department's own information (functions and tasks,
-- organisation, contacts; Decree 42/2022/NĐ-CP), a tree by parent, shown
-- at its path (`/gioi-thieu/co-cau-to-chuc`). The save path
-- (`service::pages`) keeps `path` (the parent's path, '/', the slug) for
-- the page and its descendants, and records every path a page leaves in
-- `page_redirects`, answered with a 301.

-- AUTOINCREMENT: a deleted page's id is never given to a new page (a
-- menu item names its page by id; PostgreSQL's identity never reuses one).
CREATE TABLE pages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    parent_id  INTEGER REFERENCES pages (id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL DEFAULT 0,
    slug       TEXT NOT NULL,
    -- the tree path without the leading '/', e.g. 'gioi-thieu/co-cau-to-chuc'
    path       TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    body_md    TEXT NOT NULL DEFAULT '',
    -- body_md rendered and cleaned once at save
    body_html  TEXT NOT NULL DEFAULT '',
    -- officers or desks as a JSON array of {name, position, phone, email}
    contacts   TEXT NOT NULL DEFAULT '[]',
    status     TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Children in order (the admin tree, a page's subpages, the navigation).
CREATE INDEX pages_parent ON pages (parent_id, position, id);

CREATE TABLE page_revisions (
    id         INTEGER PRIMARY KEY NOT NULL,
    page_id    INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    -- the page's fields as JSON (`service::pages::Snapshot`)
    snapshot   TEXT NOT NULL,
    saved_by   TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX page_revisions_page ON page_revisions (page_id, id DESC);

CREATE TABLE page_redirects (
    old_path TEXT PRIMARY KEY NOT NULL,
    page_id  INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE
);
CREATE INDEX page_redirects_page ON page_redirects (page_id);

-- Pages are few and rarely edited, and the top-level ones are in every
-- page's navigation: any change drops every cached page.
CREATE TRIGGER pages_change_insert AFTER INSERT ON pages
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER pages_change_update AFTER UPDATE ON pages
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER pages_change_delete AFTER DELETE ON pages
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
