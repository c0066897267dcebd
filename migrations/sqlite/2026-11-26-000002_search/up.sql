-- Full-text search over public entries. The text is folded in Rust before
-- it is indexed (đ→d is not a diacritic to SQLite), and the table keeps no
-- copy of it: snippets are cut from the entries themselves. rowid = entry id.
CREATE VIRTUAL TABLE search_index USING fts5(
    title, summary, body, category, tags, byline,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER entries_search_delete AFTER DELETE ON entries BEGIN
    DELETE FROM search_index WHERE rowid = old.id;
END;
