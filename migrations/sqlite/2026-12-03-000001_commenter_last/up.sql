-- When a commenter last wrote (`storage::comments::last_from`, on every
-- comment POST): the newest comment of one email is the last entry of its
-- range in this index. Without it PostgreSQL's generic plan (chosen after
-- five executions of the prepared statement) walked `comments_created`
-- backwards, filtering on the email: a new commenter, who matches nothing,
-- read all 75,000 comments of the benchmark site (70 ms a POST, under the
-- write lock). The address has `comments_ip (ip, created_at)` already.
CREATE INDEX comments_email_time ON comments (author_email, created_at);
