-- Each two adjacent words of an entry as one word (`zymotzcua` for `một
-- cửa`, domain::search::pair), in a full-text table of their own, as
-- PostgreSQL keeps them in a column of their own. A phrase query walks
-- this table for its pairs, newest first, and checks each entry found in
-- search_index by rowid; without it, FTS5 checked the positions of every
-- entry holding all the phrase's words (12,528 of 100,000 for `"một cửa
-- liên thông"`, 25-35 ms a query). No prefix indexes: only the last pair
-- of a phrase being typed is a prefix. Rebuilt by `serve` (index
-- version 8); deleted with its entry, as search_index rows are.
CREATE VIRTUAL TABLE search_pairs USING fts5(
    pairs,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
DROP TRIGGER entries_search_delete;
CREATE TRIGGER entries_search_delete AFTER DELETE ON entries BEGIN
    DELETE FROM search_index WHERE rowid = old.id;
    DELETE FROM search_pairs WHERE rowid = old.id;
END;
