//! The comment form as a template sees it: what was typed, what is wrong
//! with it (GOV.UK-style: a summary plus a message at each field), and the
//! anti-forgery token.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::comment::{CommentInput, FieldError};
use crate::render::templates::Theme;

/// The form's body as posted: the fields SPEC names, the token and the
/// honeypot. Unknown fields are ignored; every field may be missing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CommentPost {
    #[serde(flatten)]
    pub input: CommentInput,
    pub csrf_token: String,
    /// The consent box: "1" when ticked.
    pub consent: String,
    /// The honeypot: hidden from people, filled by bots.
    pub loa_website: String,
}

/// Name of the honeypot field (kept in one place for the template).
pub const HONEYPOT: &str = "loa_website";

/// One line of the error summary: a link to where the problem is.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorView {
    /// Id of the element the summary link points at.
    pub target: &'static str,
    pub message: String,
}

/// Fields with a box of their own, which show their message beside it.
const VISIBLE: [&str; 5] = [
    "content",
    "author_name",
    "author_email",
    "author_url",
    "consent",
];

#[derive(Debug, Clone, Serialize)]
pub struct ReplyTo {
    pub id: i32,
    pub author_name: String,
}

/// One visible field, in form order, as the template draws it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    pub name: &'static str,
    /// Message keys of the label and the hint.
    pub label: &'static str,
    pub hint: Option<&'static str>,
    /// `textarea`, or an `<input>` type.
    pub kind: &'static str,
    pub required: bool,
    pub autocomplete: Option<&'static str>,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommentFormView {
    pub action: String,
    pub values: CommentInput,
    /// Every problem, in form order, for the summary.
    pub errors: Vec<ErrorView>,
    /// The message beside each visible field that has one.
    pub field_errors: BTreeMap<&'static str, String>,
    /// Problems with the form as a whole (expired token, closed comments,
    /// a reply target that is gone), shown above the fields.
    pub form_errors: Vec<String>,
    pub token: String,
    pub honeypot: &'static str,
    pub reply_to: Option<ReplyTo>,
    pub fields: Vec<FieldView>,
    /// Whether the consent box was ticked (kept when the form comes back).
    pub consent: bool,
    /// The consent box's error, if any.
    pub consent_error: Option<String>,
}

impl CommentFormView {
    pub fn new(action: String, token: String) -> Self {
        Self {
            action,
            values: CommentInput::default(),
            errors: Vec::new(),
            field_errors: BTreeMap::new(),
            form_errors: Vec::new(),
            token,
            honeypot: HONEYPOT,
            reply_to: None,
            fields: Vec::new(),
            consent: false,
            consent_error: None,
        }
    }

    /// Lays out the visible fields with their values and errors; call last.
    pub fn build_fields(&mut self) {
        let errors = &self.field_errors;
        let field = |name, label, kind, required, autocomplete, hint, value: &String| FieldView {
            name,
            label,
            hint,
            kind,
            required,
            autocomplete,
            value: value.clone(),
            error: errors.get(name).cloned(),
        };
        let v = &self.values;
        let fields = vec![
            field(
                "content",
                "comment_label_content",
                "textarea",
                true,
                None,
                None,
                &v.content,
            ),
            field(
                "author_name",
                "comment_label_name",
                "text",
                true,
                Some("name"),
                None,
                &v.author_name,
            ),
            field(
                "author_email",
                "comment_label_email",
                "email",
                true,
                Some("email"),
                None,
                &v.author_email,
            ),
            field(
                "author_url",
                "comment_label_url",
                "url",
                false,
                Some("url"),
                Some("comment_hint_url"),
                &v.author_url,
            ),
        ];
        self.fields = fields;
        self.consent_error = self.field_errors.get("consent").cloned();
    }

    /// Adds a problem, its message looked up in the catalogue.
    pub fn add_error(&mut self, theme: &Theme, e: &FieldError) {
        let message = theme.message(e.key);
        let target = match VISIBLE.iter().find(|f| **f == e.field) {
            Some(field) => {
                self.field_errors
                    .entry(field)
                    .or_insert_with(|| message.clone());
                *field
            }
            None => {
                self.form_errors.push(message.clone());
                "comment-form-errors"
            }
        };
        self.errors.push(ErrorView { target, message });
    }
}

/// One step of the rating scale, as the form draws it.
#[derive(Debug, Clone, Serialize)]
pub struct RatingChoice {
    pub value: i32,
    /// Message key of its label (`rating_5` … `rating_1`).
    pub label: String,
    pub checked: bool,
}

/// The rating form ("Thông tin này có hữu ích không?") as a template sees
/// it: the scale, what was chosen and typed, what is wrong, the token.
#[derive(Debug, Clone, Serialize)]
pub struct RatingFormView {
    pub action: String,
    pub token: String,
    /// The scale, best first.
    pub choices: Vec<RatingChoice>,
    /// The comment as typed.
    pub comment: String,
    /// Every problem, for the summary (targets `score-5`, `rating_comment`,
    /// `rating-form-errors`).
    pub errors: Vec<ErrorView>,
    pub score_error: Option<String>,
    pub comment_error: Option<String>,
    /// Problems with the form as a whole (an expired token, too many
    /// answers from the address).
    pub form_errors: Vec<String>,
    /// The answer was just saved (the flash): the thanks show.
    pub saved: bool,
    /// Longest comment, in characters.
    pub comment_max: usize,
}

impl RatingFormView {
    pub fn new(action: String, token: String) -> Self {
        let mut view = Self {
            action,
            token,
            choices: Vec::new(),
            comment: String::new(),
            errors: Vec::new(),
            score_error: None,
            comment_error: None,
            form_errors: Vec::new(),
            saved: false,
            comment_max: crate::domain::rating::COMMENT_MAX,
        };
        view.choose("");
        view
    }

    /// Marks `score` (as posted) chosen.
    pub fn choose(&mut self, score: &str) {
        self.choices = crate::domain::rating::SCORES
            .iter()
            .rev()
            .map(|s| RatingChoice {
                value: *s,
                label: format!("rating_{s}"),
                checked: score.trim() == s.to_string(),
            })
            .collect();
    }

    /// Adds a problem, its message looked up in the catalogue.
    pub fn add_error(&mut self, theme: &Theme, e: &FieldError) {
        let message = theme.message(e.key);
        let target = match e.field {
            "score" => {
                self.score_error.get_or_insert_with(|| message.clone());
                "score-5"
            }
            "rating_comment" => {
                self.comment_error.get_or_insert_with(|| message.clone());
                "rating_comment"
            }
            _ => {
                self.form_errors.push(message.clone());
                "rating-form-errors"
            }
        };
        self.errors.push(ErrorView { target, message });
    }
}
