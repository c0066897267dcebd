//! Vietnamese-aware slugs and text folding.
//!
//! `đ`/`Đ` is a letter of its own, not `d` plus a mark, so Unicode
//! decomposition alone leaves it in place; it is mapped by hand. The same
//! folding serves slugs, heading ids and (later) search keys.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases `text`, drops every diacritic (tone and vowel marks, `đ`→`d`)
/// and keeps everything else as it is.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Sorts names the way a Vietnamese reader looks them up: by their
/// letters without marks and case first (so *Cải* comes before *Chính*,
/// which byte order reverses), then as written. Close to Vietnamese
/// dictionary order, which also orders ă, â after a and đ after d.
pub fn sort_names<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|t| {
        let n = name(t);
        (fold(n), n.to_owned())
    });
}

/// Turns a title into a URL slug: ASCII letters and digits joined by single
/// hyphens, at most 80 characters, cut at a word boundary.
///
/// Returns an empty string when the title has nothing usable; callers fall
/// back to a fixed word (see [`slugify_or`]).
pub fn slugify(title: &str) -> String {
    let folded = fold(title);
    let mut slug = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    const MAX: usize = 80;
    if slug.len() > MAX {
        let cut = slug[..MAX].rfind('-').unwrap_or(MAX);
        slug.truncate(cut);
    }
    slug
}

/// [`slugify`], or `fallback` when the title yields nothing.
pub fn slugify_or(title: &str, fallback: &str) -> String {
    let slug = slugify(title);
    if slug.is_empty() {
        fallback.to_owned()
    } else {
        slug
    }
}

/// Whether `slug` is one [`slugify`] could have produced: safe in a URL path.
pub fn is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 120
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The first of `base`, `base-2`, `base-3`, … for which `taken` says no.
pub fn unique(base: &str, mut taken: impl FnMut(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_their_letters_not_their_bytes() {
        let mut names = vec![
            "Kế hoạch 171/KH-SVHTT",
            "Đường phố văn minh",
            "Chính quyền số",
            "Dịch vụ công",
            "Cải cách hành chính",
            "an toàn",
        ];
        sort_names(&mut names, |n| n);
        assert_eq!(
            names,
            [
                "an toàn",
                "Cải cách hành chính",
                "Chính quyền số",
                "Dịch vụ công",
                "Đường phố văn minh",
                "Kế hoạch 171/KH-SVHTT",
            ]
        );
    }

    #[test]
    fn reference_title() {
        assert_eq!(
            slugify("Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính"),
            "so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh"
        );
    }

    #[test]
    fn d_with_stroke_and_stacked_marks() {
        assert_eq!(
            slugify("Đăng tải ĐỒNG BỘ đầy đủ"),
            "dang-tai-dong-bo-day-du"
        );
        assert_eq!(
            slugify("Cộng hòa xã hội chủ nghĩa"),
            "cong-hoa-xa-hoi-chu-nghia"
        );
        assert_eq!(slugify("Người dân ứng xử"), "nguoi-dan-ung-xu");
    }

    #[test]
    fn nfd_input_gives_the_same_slug() {
        let nfd: String = "Tiếng Việt".nfd().collect();
        assert_eq!(slugify(&nfd), "tieng-viet");
    }

    #[test]
    fn punctuation_and_numbers() {
        assert_eq!(
            slugify("Kế hoạch số 171/KH-SVHTT"),
            "ke-hoach-so-171-kh-svhtt"
        );
        assert_eq!(slugify("  --  "), "");
        assert_eq!(slugify_or("!!!", "bai-viet"), "bai-viet");
    }

    #[test]
    fn long_titles_cut_at_a_word() {
        let slug = slugify(&"cải cách hành chính ".repeat(20));
        assert!(slug.len() <= 80);
        assert!(!slug.ends_with('-'));
        assert!(is_valid(&slug));
    }

    #[test]
    fn unique_appends_a_counter() {
        let taken = ["a", "a-2"];
        assert_eq!(unique("a", |s| taken.contains(&s)), "a-3");
        assert_eq!(unique("b", |s| taken.contains(&s)), "b");
    }

    #[test]
    fn validity() {
        assert!(is_valid("tin-nganh"));
        assert!(!is_valid("Tin-nganh"));
        assert!(!is_valid("../etc"));
        assert!(!is_valid(""));
    }
}
