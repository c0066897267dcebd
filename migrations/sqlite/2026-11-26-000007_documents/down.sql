DROP TABLE entry_citations;
DROP TRIGGER documents_index_delete;
DROP TABLE documents_index;
DROP TABLE documents;
