-- A column of facets: each entry's kind and category as words of their
-- own (`zkleaflet`, `zc12`, see domain::search::facets). A search within
-- one kind or category adds its facet to the MATCH, and FTS5 steps
-- through the short list of that facet's entries instead of checking
-- every newer match in `entries` (`cai cach` within leaflets, 5 % of the
-- entries, checked some 20,000 matches to find a thousand leaflets). The
-- index is rebuilt by `serve` (index version 7).
DROP TABLE search_index;
CREATE VIRTUAL TABLE search_index USING fts5(
    title, summary, body, category, tags, byline, facets,
    content = '',
    contentless_delete = 1,
    prefix = '2 3 4 5 6',
    tokenize = 'unicode61 remove_diacritics 2'
);
