-- Prune the change log every thousandth row instead of on every row.
--
-- `DELETE ... WHERE id <= NEW.id - 10000` on every insert walks the
-- primary key from its lowest id. Within one long transaction (loa
-- copy-database, an import) the rows deleted by the earlier prunes are
-- still in the index, dead but not yet vacuumed, so each prune walked all
-- of them again: quadratic, about 30 entries a second into a 100,000-entry
-- copy. Every thousandth row the log is cut back to its last 10,000 rows,
-- so it holds between 10,000 and 11,000, and a bulk load walks each dead
-- row about once per thousand inserts. (SQLite deletes at once and keeps
-- its per-row prune.)
CREATE OR REPLACE FUNCTION changes_prune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id % 1000 = 0 THEN
        DELETE FROM changes WHERE id <= NEW.id - 10000;
    END IF;
    RETURN NULL;
END;
$$;
