-- Citizens' questions with official answers (Hỏi – Đáp, /hoi-dap). The
-- asker's name, email and phone are for staff only; the public sees the
-- question with personal numbers masked (`question_public`) and the
-- approved answer. `follow_key` is an HMAC of the asker's private link
-- (the link itself is shown once, never stored). `address`: an HMAC of
-- the client's address, to limit questions per address.
CREATE TABLE questions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    topic         TEXT NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    question      TEXT NOT NULL,
    question_public TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'assigned', 'answered', 'published', 'refused')),
    assignee_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- when the answer is due: received + the deadline in working days
    due_at        TIMESTAMP NOT NULL,
    answer_md     TEXT NOT NULL DEFAULT '',
    -- answer_md rendered and cleaned once at save
    answer_html   TEXT NOT NULL DEFAULT '',
    answered_by   TEXT NOT NULL DEFAULT '',
    answered_at   TIMESTAMP,
    approved_by   TEXT NOT NULL DEFAULT '',
    published_at  TIMESTAMP,
    -- the reason a refused question is not answered publicly
    refusal       TEXT NOT NULL DEFAULT '',
    -- when it was published or refused: the on-time figure's "handled"
    closed_at     TIMESTAMP,
    follow_key    TEXT NOT NULL UNIQUE,
    address       TEXT NOT NULL DEFAULT '',
    -- the public question and answer folded to search words
    words         TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
-- The staff's queue by state; the public list by topic, newest first.
CREATE INDEX questions_status ON questions (status, created_at);
CREATE INDEX questions_public ON questions (status, topic, published_at);
CREATE INDEX questions_address ON questions (address, created_at);

-- Published questions show on public pages (/hoi-dap, its feed in the
-- API): any change drops the cached pages.
CREATE TRIGGER questions_change_insert AFTER INSERT ON questions
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER questions_change_update AFTER UPDATE ON questions
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER questions_change_delete AFTER DELETE ON questions
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
