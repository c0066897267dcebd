DROP TRIGGER entries_search_delete;
CREATE TRIGGER entries_search_delete AFTER DELETE ON entries BEGIN
    DELETE FROM search_index WHERE rowid = old.id;
END;
DROP TABLE search_pairs;
