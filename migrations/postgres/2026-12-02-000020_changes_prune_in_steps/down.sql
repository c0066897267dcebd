CREATE OR REPLACE FUNCTION changes_prune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM changes WHERE id <= NEW.id - 10000;
    RETURN NULL;
END;
$$;
