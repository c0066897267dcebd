-- Moderation: official replies, who handled a comment and when (for the
-- department's on-time figure), and indexes for the queue, per-address
-- limits and returning commenters.
ALTER TABLE comments ADD COLUMN official BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN handled_at TIMESTAMP;
ALTER TABLE comments ADD COLUMN handled_by TEXT NOT NULL DEFAULT '';
CREATE INDEX comments_created ON comments (created_at);
CREATE INDEX comments_ip ON comments (ip, created_at);
CREATE INDEX comments_author ON comments (author_email, author_name, status);
