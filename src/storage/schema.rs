// @generated automatically by Diesel CLI.

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        username -> Text,
        action -> Text,
        target -> Text,
        detail -> Text,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    attachments (id) {
        id -> Integer,
        entry_id -> Integer,
        path -> Text,
        title -> Text,
        mime -> Text,
        size_bytes -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    bulletin_items (bulletin_id, entry_id) {
        bulletin_id -> Integer,
        entry_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    categories (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        description -> Text,
        position -> Integer,
    }
}

diesel::table! {
    comments (id) {
        id -> Integer,
        entry_id -> Integer,
        parent_id -> Nullable<Integer>,
        author_name -> Text,
        author_email -> Text,
        author_url -> Nullable<Text>,
        content -> Text,
        content_html -> Text,
        status -> Text,
        held_by -> Text,
        ip -> Nullable<Text>,
                user_agent -> Text,
        created_at -> Timestamp,
        official -> Bool,
        handled_at -> Nullable<Timestamp>,
        handled_by -> Text,
    }
}

diesel::table! {
    documents (id) {
        id -> Integer,
        slug -> Text,
        doc_type -> Text,
        number -> Text,
        issuer -> Text,
        issued_on -> Date,
        effective_on -> Nullable<Date>,
        status -> Text,
        #[sql_name = "abstract"]
        abstract_text -> Text,
        file_path -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    entries (id) {
        id -> Integer,
        kind -> Text,
        slug -> Text,
        title -> Text,
        summary -> Text,
        body_md -> Text,
        body_html -> Text,
        byline -> Text,
        category_id -> Nullable<Integer>,
        image_path -> Nullable<Text>,
        image_alt -> Text,
        image_caption -> Text,
        image_width -> Nullable<Integer>,
        image_height -> Nullable<Integer>,
        comments_open -> Bool,
        featured -> Bool,
        status -> Text,
        publish_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        bulletin_series -> Nullable<Text>,
        bulletin_number -> Nullable<Integer>,
        bulletin_year -> Nullable<Integer>,
                leaflet_format -> Nullable<Text>,
        author_id -> Nullable<Integer>,
        version -> Integer,
        public_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    entry_citations (number, entry_id) {
        number -> Text,
        entry_id -> Integer,
    }
}

diesel::table! {
    entry_tags (entry_id, tag_id) {
        entry_id -> Integer,
        tag_id -> Integer,
        public_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_failures (key) {
        key -> Text,
        failures -> Integer,
        first_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    media (id) {
        id -> Integer,
        hash -> Text,
        path -> Text,
        format -> Text,
        width -> Integer,
        height -> Integer,
        size_bytes -> Integer,
        original_name -> Text,
        alt -> Text,
        caption -> Text,
        search_text -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    media_uses (media_id, entry_id) {
        media_id -> Integer,
        entry_id -> Integer,
    }
}

diesel::table! {
    menu_items (id) {
        id -> Integer,
        menu -> Text,
        parent_id -> Nullable<Integer>,
        position -> Integer,
        label -> Text,
        target -> Text,
        url -> Text,
    }
}

diesel::table! {
    pages (id) {
        id -> Integer,
        parent_id -> Nullable<Integer>,
        position -> Integer,
        slug -> Text,
        path -> Text,
        title -> Text,
        summary -> Text,
        body_md -> Text,
        body_html -> Text,
        contacts -> Text,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    page_revisions (id) {
        id -> Integer,
        page_id -> Integer,
        snapshot -> Text,
        saved_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    page_redirects (old_path) {
        old_path -> Text,
        page_id -> Integer,
    }
}

diesel::table! {
    revisions (id) {
        id -> Integer,
        entry_id -> Integer,
        snapshot -> Text,
        saved_by -> Text,
                note -> Text,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    slug_redirects (old_slug) {
        old_slug -> Text,
        entry_id -> Integer,
    }
}

diesel::table! {
    tags (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
    }
}

diesel::joinable!(attachments -> entries (entry_id));
diesel::joinable!(comments -> entries (entry_id));
diesel::joinable!(entries -> categories (category_id));
diesel::joinable!(entries -> users (author_id));
diesel::joinable!(slug_redirects -> entries (entry_id));
diesel::joinable!(entry_citations -> entries (entry_id));
diesel::joinable!(questions -> users (assignee_id));
diesel::joinable!(ratings -> entries (entry_id));
diesel::joinable!(ratings -> pages (page_id));
diesel::joinable!(entry_tags -> entries (entry_id));
diesel::joinable!(entry_tags -> tags (tag_id));
diesel::joinable!(media_uses -> entries (entry_id));
diesel::joinable!(media_uses -> media (media_id));
diesel::joinable!(revisions -> entries (entry_id));
diesel::joinable!(page_revisions -> pages (page_id));
diesel::joinable!(page_redirects -> pages (page_id));
diesel::joinable!(translations -> entries (entry_id));
diesel::joinable!(translations -> pages (page_id));

diesel::allow_tables_to_appear_in_same_query!(
    attachments,
    audit_log,
    bulletin_items,
    categories,
    changes,
    comments,
    documents,
    entries,
    entry_citations,
    entry_tags,
    login_failures,
    media,
    media_uses,
    menu_items,
    page_redirects,
    page_revisions,
    pages,
    questions,
    ratings,
    revisions,
    settings,
    slug_redirects,
    tags,
    translations,
    users,
);

diesel::table! {
    questions (id) {
        id -> Integer,
        topic -> Text,
        name -> Text,
        email -> Text,
        phone -> Text,
        question -> Text,
        question_public -> Text,
        status -> Text,
        assignee_id -> Nullable<Integer>,
        due_at -> Timestamp,
        answer_md -> Text,
        answer_html -> Text,
        answered_by -> Text,
        answered_at -> Nullable<Timestamp>,
        approved_by -> Text,
        published_at -> Nullable<Timestamp>,
        refusal -> Text,
        closed_at -> Nullable<Timestamp>,
        follow_key -> Text,
        address -> Text,
        words -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ratings (id) {
        id -> Integer,
        entry_id -> Nullable<Integer>,
        page_id -> Nullable<Integer>,
        browser -> Text,
        address -> Text,
        score -> Integer,
        comment -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    translations (id) {
        id -> Integer,
        entry_id -> Nullable<Integer>,
        page_id -> Nullable<Integer>,
        lang -> Text,
        title -> Text,
        summary -> Text,
        body_md -> Text,
        body_html -> Text,
        contacts -> Text,
        image_alt -> Text,
        image_caption -> Text,
        status -> Text,
        words -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        disabled -> Bool,
        session_version -> Integer,
        created_at -> Timestamp,
        language -> Text,
    }
}

diesel::table! {
    changes (id) {
        id -> Integer,
        scope -> Text,
        entry_id -> Nullable<Integer>,
    }
}

diesel::table! {
    listing_counts (scope, key) {
        scope -> Text,
        key -> Text,
        n -> BigInt,
    }
}
