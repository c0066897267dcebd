DROP INDEX comments_email_time;
