DROP TRIGGER entries_search_delete;
DROP TABLE search_index;
