DROP INDEX entries_lookup;
