DROP TRIGGER IF EXISTS listing_counts_tag_in;
DROP TRIGGER IF EXISTS listing_counts_tag_out;
DROP TRIGGER IF EXISTS listing_counts_tag_change;
DROP TRIGGER IF EXISTS listing_counts_entry_change;
DROP TRIGGER IF EXISTS listing_counts_entry_out;
DROP TRIGGER IF EXISTS listing_counts_entry_in;
DROP TABLE IF EXISTS listing_counts;
