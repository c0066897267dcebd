DROP TABLE search_index;
CREATE VIRTUAL TABLE search_index USING fts5(
    title, summary, body, category, tags, byline,
    content = '',
    contentless_delete = 1,
    prefix = '2 3 4 5 6',
    tokenize = 'unicode61 remove_diacritics 2'
);
