-- The header and footer menus admins edit (`domain::menu`): items in
-- order, one level of submenu. `target` is 'home', 'documents',
-- 'kind:<kind>', 'category:<id>', 'page:<id>' or 'url' (then `url`
-- holds the address). An item whose category or page is gone is not
-- shown. With no item in a menu the theme shows its default navigation.

CREATE TABLE menu_items (
    id        INTEGER PRIMARY KEY NOT NULL,
    menu      TEXT NOT NULL CHECK (menu IN ('header', 'footer')),
    parent_id INTEGER REFERENCES menu_items (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL DEFAULT 0,
    label     TEXT NOT NULL,
    target    TEXT NOT NULL,
    url       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX menu_items_menu ON menu_items (menu, position, id);
CREATE INDEX menu_items_parent ON menu_items (parent_id);

-- On every page: any change drops every cached page.
CREATE TRIGGER menu_items_change_insert AFTER INSERT ON menu_items
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER menu_items_change_update AFTER UPDATE ON menu_items
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
CREATE TRIGGER menu_items_change_delete AFTER DELETE ON menu_items
BEGIN
    INSERT INTO changes (scope) VALUES ('site');
END;
