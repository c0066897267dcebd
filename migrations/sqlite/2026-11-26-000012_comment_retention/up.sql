-- Addresses are forgotten after the retention period, checked at every
-- comment posted: with only the comments that still hold an address in
-- this index, that check reads the few expired ones instead of walking
-- every older comment.
CREATE INDEX comments_with_ip ON comments (created_at) WHERE ip IS NOT NULL;
