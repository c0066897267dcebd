DROP TABLE page_redirects;
DROP TABLE page_revisions;
DROP TABLE pages;
