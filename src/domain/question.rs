//! Citizens' questions with official answers (Hỏi – Đáp, `/hoi-dap`): the
//! form's rules (as the comment form's), the states a question moves
//! through and who moves it, and the topics it is filed under.

use unicode_normalization::UnicodeNormalization;

use super::comment::{FieldError, collapse_spaces, is_email};

/// Longest question, as a comment.
pub const QUESTION_MAX: usize = 5000;
pub const NAME_MAX: usize = 100;
/// Longest answer staff write.
pub const ANSWER_MAX: usize = 20_000;
/// Working days to answer when the setting is missing.
pub const DEFAULT_DEADLINE_DAYS: u32 = 10;
/// Questions one address may send in an hour.
pub const PER_HOUR: i64 = 5;

/// Where a question is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionStatus {
    /// Received, nobody assigned.
    New,
    /// A staff member has it.
    Assigned,
    /// Answered, waiting for an editor's approval.
    Answered,
    /// Approved: public with its answer.
    Published,
    /// Not answered publicly, with a reason the asker reads.
    Refused,
}

impl QuestionStatus {
    pub const ALL: [Self; 5] = [
        Self::New,
        Self::Assigned,
        Self::Answered,
        Self::Published,
        Self::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Assigned => "assigned",
            Self::Answered => "answered",
            Self::Published => "published",
            Self::Refused => "refused",
        }
    }

    /// Whether the question is done with (published or refused): what the
    /// on-time figure counts as handled.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Published | Self::Refused)
    }
}

impl std::str::FromStr for QuestionStatus {
    type Err = super::entry::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| super::entry::UnknownValue(s.to_owned()))
    }
}

/// What staff do to a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Give it to a staff member (again, to another).
    Assign,
    /// Write or rewrite the answer.
    Answer,
    /// Approve the answer: the question and answer go public.
    Publish,
    /// Take a published answer back to be reworked.
    Unpublish,
    /// Decline with a reason.
    Refuse,
}

/// The state `action` leads to from `from`, or `None` when it does not
/// apply there.
pub fn next(from: QuestionStatus, action: Action) -> Option<QuestionStatus> {
    use QuestionStatus as S;
    match (action, from) {
        (Action::Assign, S::New | S::Assigned | S::Refused) => Some(S::Assigned),
        (Action::Answer, S::New | S::Assigned | S::Answered) => Some(S::Answered),
        (Action::Publish, S::Answered) => Some(S::Published),
        (Action::Unpublish, S::Published) => Some(S::Answered),
        (Action::Refuse, S::New | S::Assigned | S::Answered) => Some(S::Refused),
        _ => None,
    }
}

/// The form as posted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct QuestionInput {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub topic: String,
    pub question: String,
}

/// A question that passed the form's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidQuestion {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub topic: String,
    pub question: String,
}

fn clean(s: &str) -> String {
    s.nfc()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .replace("\r\n", "\n")
        .trim()
        .to_owned()
}

/// Checks the form's rules, field by field in form order; `topics` are
/// the topics offered.
pub fn validate(
    input: &QuestionInput,
    topics: &[String],
) -> Result<ValidQuestion, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field, key| errors.push(FieldError { field, key });
    let name = collapse_spaces(&clean(&input.name));
    if name.is_empty() {
        fail("name", "question_name_required");
    } else if name.chars().count() > NAME_MAX {
        fail("name", "question_name_too_long");
    } else if name.contains(char::REPLACEMENT_CHARACTER) {
        fail("name", "comment_garbled");
    }
    let email = input.email.trim().to_owned();
    if email.is_empty() {
        fail("email", "question_email_required");
    } else if !is_email(&email) {
        fail("email", "question_email_invalid");
    }
    let phone = collapse_spaces(&clean(&input.phone));
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !phone.is_empty()
        && (!phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +.-()".contains(c))
            || !(8..=15).contains(&digits))
    {
        fail("phone", "question_phone_invalid");
    }
    let topic = input.topic.trim().to_owned();
    if topic.is_empty() {
        fail("topic", "question_topic_required");
    } else if !topics.contains(&topic) {
        fail("topic", "question_topic_invalid");
    }
    let question = clean(&input.question);
    if question.is_empty() {
        fail("question", "question_text_required");
    } else if question.chars().count() > QUESTION_MAX {
        fail("question", "question_text_too_long");
    } else if question.contains(char::REPLACEMENT_CHARACTER) {
        fail("question", "comment_garbled");
    }
    if errors.is_empty() {
        Ok(ValidQuestion {
            name,
            email,
            phone,
            topic,
            question,
        })
    } else {
        Err(errors)
    }
}

/// The topics offered, from the setting (one per line), or the defaults.
pub fn topics(setting: Option<&str>) -> Vec<String> {
    let from_setting: Vec<String> = setting
        .unwrap_or("")
        .lines()
        .map(|l| collapse_spaces(l.trim()))
        .filter(|l| !l.is_empty())
        .collect();
    if from_setting.is_empty() {
        DEFAULT_TOPICS.iter().map(|t| (*t).to_owned()).collect()
    } else {
        from_setting
    }
}

/// Topics when an admin has set none.
pub const DEFAULT_TOPICS: [&str; 6] = [
    "Thủ tục hành chính",
    "Văn hóa, di sản",
    "Thể dục, thể thao",
    "Gia đình",
    "Cải cách hành chính",
    "Khác",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> QuestionInput {
        QuestionInput {
            name: "Nguyễn Thị Bình".into(),
            email: "binh@example.vn".into(),
            phone: String::new(),
            topic: "Thủ tục hành chính".into(),
            question: "Xin cấp phép biểu diễn nghệ thuật cần hồ sơ gì?".into(),
        }
    }

    fn keys(i: &QuestionInput) -> Vec<(&'static str, &'static str)> {
        validate(i, &topics(None))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.key))
            .collect()
    }

    #[test]
    fn a_complete_question_is_valid_and_the_phone_is_optional() {
        let ok = validate(&input(), &topics(None)).unwrap();
        assert_eq!(ok.phone, "");
        let with_phone = QuestionInput {
            phone: "0912 345 678".into(),
            ..input()
        };
        assert_eq!(
            validate(&with_phone, &topics(None)).unwrap().phone,
            "0912 345 678"
        );
    }

    #[test]
    fn every_broken_rule_is_reported_at_its_field() {
        let empty = QuestionInput::default();
        assert_eq!(
            keys(&empty),
            [
                ("name", "question_name_required"),
                ("email", "question_email_required"),
                ("topic", "question_topic_required"),
                ("question", "question_text_required"),
            ]
        );
        let bad = QuestionInput {
            email: "binh@".into(),
            phone: "gọi tôi".into(),
            topic: "Chủ đề lạ".into(),
            question: "a".repeat(QUESTION_MAX + 1),
            ..input()
        };
        assert_eq!(
            keys(&bad),
            [
                ("email", "question_email_invalid"),
                ("phone", "question_phone_invalid"),
                ("topic", "question_topic_invalid"),
                ("question", "question_text_too_long"),
            ]
        );
    }

    #[test]
    fn states_move_only_as_the_queue_allows() {
        use Action::*;
        use QuestionStatus as S;
        assert_eq!(next(S::New, Assign), Some(S::Assigned));
        assert_eq!(next(S::Assigned, Answer), Some(S::Answered));
        assert_eq!(next(S::Answered, Publish), Some(S::Published));
        assert_eq!(next(S::Assigned, Publish), None, "nothing to approve yet");
        assert_eq!(next(S::Published, Refuse), None);
        assert_eq!(next(S::Published, Unpublish), Some(S::Answered));
        assert_eq!(next(S::New, Refuse), Some(S::Refused));
    }

    #[test]
    fn topics_come_from_the_setting_one_per_line() {
        assert_eq!(topics(Some(" Một  \n\nHai\n")), ["Một", "Hai"]);
        assert_eq!(topics(Some("  ")).len(), DEFAULT_TOPICS.len());
    }
}
