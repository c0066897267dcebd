-- Translations: an entry's or a page's version in another language
-- (English, under /en). A translation belongs to its Vietnamese original
-- and shares its address (`/en/articles/{slug}`, `/en/{page path}`), kind,
-- category, dates and image; it has its own title, summary, body and (for
-- a page) contact list, and its own draft/published state. It is public
-- when it is published and its original is public.
CREATE TABLE translations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    entry_id   INTEGER REFERENCES entries (id) ON DELETE CASCADE,
    page_id    INTEGER REFERENCES pages (id) ON DELETE CASCADE,
    lang       TEXT NOT NULL,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    body_md    TEXT NOT NULL DEFAULT '',
    -- body_md rendered and cleaned once at save
    body_html  TEXT NOT NULL DEFAULT '',
    -- a page's contacts in this language, JSON as pages.contacts
    contacts   TEXT NOT NULL DEFAULT '[]',
    -- an entry's featured image described in this language ('': the
    -- original's words are shown, marked as Vietnamese)
    image_alt     TEXT NOT NULL DEFAULT '',
    image_caption TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    -- title, summary and body folded to search words, ' word word … '
    -- (searched with LIKE: translations are few)
    words      TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((entry_id IS NULL) <> (page_id IS NULL))
);
CREATE UNIQUE INDEX translations_entry ON translations (entry_id, lang);
CREATE UNIQUE INDEX translations_page ON translations (page_id, lang);
-- The English listings and feed: a language's published translations.
CREATE INDEX translations_lang ON translations (lang, status);

-- Every page may link to its translation (hreflang, the language
-- switch), and translations are few and rarely edited: any change drops
-- every cached page.
CREATE TRIGGER translations_change_insert AFTER INSERT ON translations
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER translations_change_update AFTER UPDATE ON translations
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER translations_change_delete AFTER DELETE ON translations
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
