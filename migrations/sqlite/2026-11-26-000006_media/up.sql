-- The media library: one row per stored image (its files are the
-- original re-encoded plus derivatives, all named after the content hash),
-- which entries use it, and the attachments' lookup by path.

CREATE TABLE media (
    id            INTEGER PRIMARY KEY NOT NULL,
    -- 12 bytes of SHA-256 of the uploaded file, in hex: the same file is
    -- stored once
    hash          TEXT NOT NULL UNIQUE,
    -- YYYY/MM/<hash>.<ext> under uploads/
    path          TEXT NOT NULL UNIQUE,
    format        TEXT NOT NULL CHECK (format IN ('jpeg', 'png', 'webp', 'gif')),
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    -- bytes of every file stored for it
    size_bytes    INTEGER NOT NULL,
    -- the uploader's file name, shown to staff only, never a path
    original_name TEXT NOT NULL DEFAULT '',
    alt           TEXT NOT NULL DEFAULT '',
    caption       TEXT NOT NULL DEFAULT '',
    -- folded alt, caption and name, for the library's search
    search_text   TEXT NOT NULL DEFAULT '',
    uploaded_by   TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX media_created ON media (created_at DESC, id DESC);

-- Which entries show which image (featured or in the body); kept by the
-- entries' write path.
CREATE TABLE media_uses (
    media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    PRIMARY KEY (media_id, entry_id)
) WITHOUT ROWID;
CREATE INDEX media_uses_entry ON media_uses (entry_id);

-- Attachments are served by path (the download's name comes from here).
CREATE INDEX attachments_path ON attachments (path);
