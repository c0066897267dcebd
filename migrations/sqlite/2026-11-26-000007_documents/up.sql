-- The document registry (plans, decisions, …; Decree 42/2022/NĐ-CP), its
-- search index, and the document numbers each entry's text mentions.

CREATE TABLE documents (
    id           INTEGER PRIMARY KEY NOT NULL,
    slug         TEXT NOT NULL UNIQUE,
    -- "Kế hoạch", "Quyết định", … as written on the document
    doc_type     TEXT NOT NULL,
    -- number and symbol, e.g. "171/KH-SVHTT"
    number       TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    issued_on    DATE NOT NULL,
    effective_on DATE,
    status       TEXT NOT NULL DEFAULT 'in_force'
                 CHECK (status IN ('in_force', 'amended', 'replaced', 'expired')),
    abstract     TEXT NOT NULL DEFAULT '',
    -- the document's file under uploads/ (until attachments link here)
    file_path    TEXT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
-- The public list: newest first, and by number for linking.
CREATE INDEX documents_issued ON documents (issued_on DESC, id DESC);
CREATE INDEX documents_number ON documents (number);
CREATE INDEX documents_status ON documents (status, issued_on DESC);

-- Folded text, as for entries (rowid = document id).
CREATE VIRTUAL TABLE documents_index USING fts5(
    number, doc_type, issuer, abstract,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER documents_index_delete AFTER DELETE ON documents BEGIN
    DELETE FROM documents_index WHERE rowid = old.id;
END;

-- Document numbers written in an entry's text, kept by every save. Keyed by
-- number, not document: a document added later finds the entries that
-- already cite it, and removing one leaves nothing to clean up.
CREATE TABLE entry_citations (
    number   TEXT NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    PRIMARY KEY (number, entry_id)
) WITHOUT ROWID;
CREATE INDEX entry_citations_entry ON entry_citations (entry_id);
