-- Prefix indexes for 2 to 6 characters: the last word of a query matches
-- as a prefix while typing (`cai cach` searches `"cai" "cach"*`), and
-- without an index for its length FTS5 merges the doclists of every word
-- starting so before it can return a row (2.4 ms for `cach*`, 17 ms for
-- `tu*` on 100,000 entries). Vietnamese syllables are at most seven
-- letters, so nearly every prefix typed is covered. The index is rebuilt
-- by `serve` (index version 4).
DROP TABLE search_index;
CREATE VIRTUAL TABLE search_index USING fts5(
    title, summary, body, category, tags, byline,
    content = '',
    contentless_delete = 1,
    prefix = '2 3 4 5 6',
    tokenize = 'unicode61 remove_diacritics 2'
);
