-- Content: categories, tags, entries of the three kinds, revisions,
-- attachments, bulletin items, comments, and site settings.
-- Times are UTC, stored as 'YYYY-MM-DD HH:MM:SS[.fff]' text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE entries (
    id               INTEGER PRIMARY KEY NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('article', 'bulletin', 'leaflet')),
    slug             TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    summary          TEXT NOT NULL DEFAULT '',
    body_md          TEXT NOT NULL DEFAULT '',
    -- body_md rendered and cleaned once at save; what pages show.
    body_html        TEXT NOT NULL DEFAULT '',
    byline           TEXT NOT NULL DEFAULT '',
    category_id      INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    image_path       TEXT,
    image_alt        TEXT NOT NULL DEFAULT '',
    image_caption    TEXT NOT NULL DEFAULT '',
    image_width      INTEGER,
    image_height     INTEGER,
    comments_open    BOOLEAN NOT NULL DEFAULT 1,
    featured         BOOLEAN NOT NULL DEFAULT 0,
    status           TEXT NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'in_review', 'scheduled', 'published', 'archived')),
    publish_at       TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    -- bulletin: issue number within a series and year
    bulletin_series  TEXT,
    bulletin_number  INTEGER,
    bulletin_year    INTEGER,
    -- leaflet: print layout
    leaflet_format   TEXT CHECK (leaflet_format IN ('a4', 'a4-duplex', 'trifold')),
    UNIQUE (bulletin_series, bulletin_year, bulletin_number)
);

-- Public listings: newest public first, overall, per kind, per category.
CREATE INDEX entries_public ON entries (status, publish_at DESC);
CREATE INDEX entries_kind_public ON entries (kind, status, publish_at DESC);
CREATE INDEX entries_category_public ON entries (category_id, status, publish_at DESC);

CREATE TABLE entry_tags (
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (entry_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX entry_tags_tag ON entry_tags (tag_id, entry_id);

CREATE TABLE bulletin_items (
    bulletin_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    entry_id    INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (bulletin_id, entry_id)
) WITHOUT ROWID;
CREATE INDEX bulletin_items_entry ON bulletin_items (entry_id);

CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY NOT NULL,
    entry_id   INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    title      TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachments_entry ON attachments (entry_id, position);

CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY NOT NULL,
    entry_id   INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    -- the whole entry as JSON, so a revision can be restored field by field
    snapshot   TEXT NOT NULL,
    saved_by   TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX revisions_entry ON revisions (entry_id, id DESC);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY NOT NULL,
    entry_id     INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    author_name  TEXT NOT NULL,
    author_email TEXT NOT NULL,
    author_url   TEXT,
    content      TEXT NOT NULL,
    -- content as safe HTML (escaped, line breaks, nofollow links), made once
    content_html TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    -- why a rule held the comment (e.g. 'honeypot'), for moderators
    held_by      TEXT NOT NULL DEFAULT '',
    ip           TEXT,
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX comments_entry ON comments (entry_id, status, created_at);
CREATE INDEX comments_status ON comments (status, created_at DESC);
CREATE INDEX comments_parent ON comments (parent_id);
