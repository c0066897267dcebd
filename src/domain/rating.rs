//! Satisfaction ratings: "Thông tin này có hữu ích không?" under each
//! entry and page. The rules of an answer, and the figures the admin
//! shows (count, average, distribution, the satisfied share that the
//! SIPAS target of 90 % is about, a trend by week).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use unicode_normalization::UnicodeNormalization;

use super::comment::FieldError;

/// The scale, worst to best: 1 "not useful" … 5 "very useful".
pub const SCORES: [i32; 5] = [1, 2, 3, 4, 5];
/// Scores that count as satisfied (SIPAS's "hài lòng" and "rất hài lòng").
pub const SATISFIED_FROM: i32 = 4;
/// Longest optional comment, in characters.
pub const COMMENT_MAX: usize = 500;
/// Answers one address may give (new or changed) in an hour.
pub const PER_HOUR: i64 = 30;

/// An answer as posted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RatingInput {
    pub score: String,
    pub comment: String,
}

/// An answer that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRating {
    pub score: i32,
    pub comment: String,
}

/// Checks an answer: a score on the scale, a comment of at most
/// [`COMMENT_MAX`] characters (NFC, invisible control characters dropped).
pub fn validate(input: &RatingInput) -> Result<ValidRating, Vec<FieldError>> {
    let mut errors = Vec::new();
    let score = match input.score.trim() {
        "" => {
            errors.push(FieldError {
                field: "score",
                key: "rating_score_required",
            });
            0
        }
        raw => match raw.parse::<i32>() {
            Ok(s) if SCORES.contains(&s) => s,
            _ => {
                errors.push(FieldError {
                    field: "score",
                    key: "rating_score_invalid",
                });
                0
            }
        },
    };
    let comment: String = input
        .comment
        .nfc()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_owned();
    if comment.chars().count() > COMMENT_MAX {
        errors.push(FieldError {
            field: "rating_comment",
            key: "rating_comment_too_long",
        });
    } else if comment.contains(char::REPLACEMENT_CHARACTER) {
        errors.push(FieldError {
            field: "rating_comment",
            key: "comment_garbled",
        });
    }
    if errors.is_empty() {
        Ok(ValidRating { score, comment })
    } else {
        Err(errors)
    }
}

/// How the answers of an entry, a category or the whole site stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Answers per score, 1 to 5.
    pub counts: [i64; 5],
}

impl Tally {
    /// Counts `n` answers of `score` (scores off the scale are ignored).
    pub fn add(&mut self, score: i32, n: i64) {
        if let Some(i) = SCORES.iter().position(|s| *s == score) {
            self.counts[i] += n;
        }
    }

    pub fn total(&self) -> i64 {
        self.counts.iter().sum()
    }

    /// The mean score, when there is an answer.
    pub fn average(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| {
            let sum: i64 = self
                .counts
                .iter()
                .zip(SCORES)
                .map(|(n, s)| n * i64::from(s))
                .sum();
            sum as f64 / total as f64
        })
    }

    /// The share of answers at [`SATISFIED_FROM`] or above, in percent.
    pub fn satisfied_percent(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| {
            let satisfied: i64 = self
                .counts
                .iter()
                .zip(SCORES)
                .filter(|(_, s)| *s >= SATISFIED_FROM)
                .map(|(n, _)| n)
                .sum();
            satisfied as f64 * 100.0 / total as f64
        })
    }
}

/// The Monday that starts the week holding `t` (weeks as Vietnam counts
/// them, from Monday).
pub fn week_of(t: NaiveDateTime) -> NaiveDate {
    let day = t.date();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The `weeks` weeks up to the one holding `now`, oldest first, each with
/// the tally of the answers (`(time, score)`) given in it.
pub fn by_week(
    answers: impl IntoIterator<Item = (NaiveDateTime, i32)>,
    now: NaiveDateTime,
    weeks: usize,
) -> Vec<(NaiveDate, Tally)> {
    let last = week_of(now);
    let mut out: Vec<(NaiveDate, Tally)> = (0..weeks)
        .rev()
        .map(|i| (last - Duration::weeks(i as i64), Tally::default()))
        .collect();
    for (at, score) in answers {
        let week = week_of(at);
        if let Some((_, t)) = out.iter_mut().find(|(w, _)| *w == week) {
            t.add(score, 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(score: &str, comment: &str) -> RatingInput {
        RatingInput {
            score: score.into(),
            comment: comment.into(),
        }
    }

    fn keys(i: &RatingInput) -> Vec<&'static str> {
        validate(i)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.key)
            .collect()
    }

    #[test]
    fn a_score_on_the_scale_is_needed_and_the_comment_is_optional() {
        assert_eq!(
            validate(&input("5", "")).unwrap(),
            ValidRating {
                score: 5,
                comment: String::new()
            }
        );
        assert_eq!(
            validate(&input(" 1 ", " Khó hiểu\u{0} ")).unwrap().comment,
            "Khó hiểu"
        );
        assert_eq!(keys(&input("", "")), ["rating_score_required"]);
        for bad in ["0", "6", "-1", "4.5", "năm", "99999999999"] {
            assert_eq!(keys(&input(bad, "")), ["rating_score_invalid"], "{bad}");
        }
        assert_eq!(
            keys(&input("3", &"a".repeat(COMMENT_MAX + 1))),
            ["rating_comment_too_long"]
        );
        assert!(validate(&input("3", &"ă".repeat(COMMENT_MAX))).is_ok());
    }

    #[test]
    fn a_tally_gives_the_average_and_the_satisfied_share() {
        let mut t = Tally::default();
        assert_eq!(t.average(), None);
        t.add(5, 6);
        t.add(4, 3);
        t.add(1, 1);
        t.add(9, 100);
        assert_eq!(t.total(), 10);
        assert_eq!(t.average(), Some(4.3));
        assert_eq!(t.satisfied_percent(), Some(90.0));
    }

    #[test]
    fn answers_fall_into_the_weeks_that_start_on_monday() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // Thursday 3 December 2026: its week began on Monday 30 November.
        let now = at("2026-12-03 10:00");
        assert_eq!(week_of(now), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        let weeks = by_week(
            [
                (at("2026-11-30 00:00"), 5),
                (at("2026-11-29 23:59"), 1),
                (at("2026-11-23 08:00"), 4),
                (at("2026-01-01 08:00"), 2),
            ],
            now,
            3,
        );
        let totals: Vec<(String, i64)> = weeks
            .iter()
            .map(|(w, t)| (w.to_string(), t.total()))
            .collect();
        assert_eq!(
            totals,
            [
                ("2026-11-16".to_owned(), 0),
                ("2026-11-23".to_owned(), 2),
                ("2026-11-30".to_owned(), 1)
            ]
        );
    }
}
