-- The language a staff member reads the admin in ('' = the site's).
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
