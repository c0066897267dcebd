-- Staff accounts, sign-in throttling, the audit log, old slugs, and the
-- entry's author and version (for concurrent-edit detection).

CREATE TABLE users (
    id              INTEGER PRIMARY KEY NOT NULL,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('author', 'moderator', 'editor', 'admin')),
    disabled        BOOLEAN NOT NULL DEFAULT 0,
    -- bumped on disable, password change and logout: older sessions end
    session_version INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL
);

-- Failed sign-ins per account ('user:NAME') and per address ('ip:ADDR').
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY NOT NULL,
    failures     INTEGER NOT NULL,
    first_at     TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY NOT NULL,
    at         TIMESTAMP NOT NULL,
    username   TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    ip         TEXT
);
CREATE INDEX audit_log_at ON audit_log (at DESC);

-- A published entry's earlier slugs answer with a 301 to the current one.
CREATE TABLE slug_redirects (
    old_slug TEXT PRIMARY KEY NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE
);

ALTER TABLE entries ADD COLUMN author_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
-- +1 on every save; an edit form carries the version it started from.
ALTER TABLE entries ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX entries_author ON entries (author_id);
CREATE INDEX entries_admin ON entries (updated_at DESC);

-- The entry version each revision saved (to show what changed since a form
-- was opened).
ALTER TABLE revisions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
