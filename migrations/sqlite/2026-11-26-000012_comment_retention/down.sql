DROP INDEX IF EXISTS comments_with_ip;
