DROP TRIGGER IF EXISTS documents_change_delete;
DROP TRIGGER IF EXISTS documents_change_update;
DROP TRIGGER IF EXISTS documents_change_insert;
