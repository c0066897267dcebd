//! Translations of entries and pages: the form's rules, and the
//! languages the site may be read in besides its own.
//!
//! A translation belongs to a Vietnamese original and shares its address
//! under the language's prefix (`/en/articles/{slug}`, `/en/gioi-thieu`),
//! its kind, category, dates and image; it has its own title, summary,
//! body and (for a page) contact list, and its own draft/published state.

use serde::Serialize;

use super::page::{PageStatus, Problem, check_shared};

/// The languages a translation may be in, each served under `/{lang}/`
/// (SPEC: the English site under `/en`). The site's own language,
/// Vietnamese, is served at `/`.
pub const LANGUAGES: [&str; 1] = ["en"];

/// Whether `lang` is one a translation may be in.
pub fn is_language(lang: &str) -> bool {
    LANGUAGES.contains(&lang)
}

/// The translation form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TranslationInput {
    pub title: String,
    pub summary: String,
    pub body_md: String,
    /// Pages only: the contact list's text form (`page::contacts_text`).
    pub contacts: String,
    /// Entries only: the featured image's alternative text and caption in
    /// this language (empty: the original's are shown).
    pub image_alt: String,
    pub image_caption: String,
    pub status: String,
}

/// A translation once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTranslation {
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub contacts: Vec<super::page::Contact>,
    pub image_alt: String,
    pub image_caption: String,
    pub status: PageStatus,
}

/// Checks the translation form (the page form's rules for the same fields).
pub fn validate(input: &TranslationInput) -> Result<ValidTranslation, Vec<Problem>> {
    let mut problems = Vec::new();
    let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() || title.chars().count() > 200 {
        problems.push(Problem::at("title", "page_title_required"));
    }
    let (summary, contacts, status) = check_shared(
        &input.summary,
        &input.contacts,
        &input.status,
        &mut problems,
    );
    // In the form's order: the image's words come after the summary.
    let mut image = Vec::new();
    if input.image_alt.trim().chars().count() > 500 {
        image.push(Problem::at("image_alt", "translation_image_alt_too_long"));
    }
    if input.image_caption.trim().chars().count() > 300 {
        image.push(Problem::at("image_caption", "translation_caption_too_long"));
    }
    let at = problems
        .iter()
        .position(|p| p.field != "title" && p.field != "summary")
        .unwrap_or(problems.len());
    problems.splice(at..at, image);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ValidTranslation {
        title,
        summary,
        body_md: input.body_md.replace("\r\n", "\n").trim().to_owned(),
        contacts,
        image_alt: input.image_alt.trim().to_owned(),
        image_caption: input.image_caption.trim().to_owned(),
        status,
    })
}

/// Title, summary and body as search words: folded, each preceded by a
/// space (` cai cach hanh chinh `), so that `LIKE '% cai%'` finds a word
/// that begins with `cai`.
pub fn words(title: &str, summary: &str, body_md: &str) -> String {
    let folded = super::slug::fold(&format!("{title} {summary} {body_md}"));
    let mut out = String::with_capacity(folded.len() + 2);
    for token in super::search::tokens(&folded) {
        out.push(' ');
        out.push_str(&token);
    }
    out.push(' ');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_spaced_for_prefix_matching() {
        assert_eq!(
            words("Administrative reform", "Đăng tải", "Plan No. 171/KH-SVHTT"),
            " administrative reform dang tai plan no 171 kh svhtt "
        );
    }

    #[test]
    fn a_translation_needs_a_title_and_a_known_state() {
        let problems = validate(&TranslationInput {
            status: "public".into(),
            contacts: "Văn phòng | Office | 12 | not-an-email".into(),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "contacts", "status"]);
        let ok = validate(&TranslationInput {
            title: "  About   us ".into(),
            status: "published".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.title, "About us");
    }
}
