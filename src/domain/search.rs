//! Vietnamese search rules, free of SQL: how text is folded for matching,
//! how a reader's query becomes a safe FTS5 expression, and how a snippet
//! with highlighted matches is cut from the original text.
//!
//! Text and queries are folded the same way ([`super::slug::fold`]: NFD,
//! marks dropped, `đ`→`d`, lower case), so `cai cach` finds `cải cách` and
//! `Đăng tải` finds `dang tai`. A reader never writes FTS syntax: every
//! term is quoted, so `"`, `*`, `NEAR`, `(`, `:` are plain text.

use super::slug::fold;

/// How many terms of a query are used (a pasted essay still searches).
pub const MAX_TERMS: usize = 16;
/// How much of a query is read at all.
pub const MAX_QUERY_CHARS: usize = 256;

/// One thing to find: a word, or a phrase of adjacent words (a quoted
/// phrase, or a document number such as `171/KH-SVHTT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Folded tokens, in order.
    pub tokens: Vec<String>,
    /// The last token may be the start of a longer word (typing in progress).
    pub prefix: bool,
    /// Written as one word joined by `/` or `-` (see [`joined`]): its
    /// [`joined`] form, which the PostgreSQL index holds as one word.
    pub joined: Option<String>,
}

/// A word whose parts are joined by `/` or `-`, as document numbers are
/// written (`171/kh-svhtt`, `42/2022/nd-cp`), as one token: `zz`, then
/// the parts joined by `z` (`zz171zkhzsvhtt`; Vietnamese has no `z`, and
/// PostgreSQL's parser keeps such a run of letters and digits whole).
/// PostgreSQL's index holds it beside the parts, so finding such a number
/// is one lookup of a rare word instead of a phrase whose common parts
/// (`kh`, `svhtt`) are in thousands of entries. `None` unless `word`
/// (folded) is two to eight runs of letters and digits joined by single
/// `/` or `-`; other punctuation around it is ignored.
pub fn joined(word: &str) -> Option<String> {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if c.is_alphanumeric() {
            continue;
        }
        if !matches!(c, '/' | '-') || i == start {
            return None;
        }
        parts.push(&word[start..i]);
        start = i + c.len_utf8();
    }
    parts.push(&word[start..]);
    ((2..=8).contains(&parts.len()) && word.len() <= 64).then(|| format!("zz{}", parts.join("z")))
}

/// Two adjacent tokens as one word for PostgreSQL's index: `zy`, the
/// first, `z`, the second (`zymotzcua` for `một cửa`). The index keeps
/// them in a column of their own ([`index_pairs`]); a phrase query asks
/// that column for its pairs ([`Query::pairs_tsquery`]) beside the phrase
/// itself, so the GIN index hands over only entries holding every pair, a
/// few, instead of every entry holding every word (12,530 of 100,000 for
/// `"một cửa liên thông"`), each of which PostgreSQL rereads to check that
/// the words are adjacent. Vietnamese words are mostly two syllables, so
/// a pair is usually a word. A pair that is not really there (`z` inside
/// a token) only adds a candidate: the phrase is still checked.
pub fn pair(first: &str, second: &str) -> String {
    format!("zy{first}z{second}")
}

/// The words PostgreSQL's index is given for a folded field: its tokens,
/// then the [`joined`] form of each joined word in it (a word here is
/// what lies between spaces and punctuation other than `/` and `-`). The
/// joined words come after the tokens, so they never stand between two
/// tokens of a phrase.
pub fn index_words(folded: &str) -> String {
    let tokens = tokens(folded);
    let mut out = tokens.join(" ");
    for word in folded.split(|c: char| !(c.is_alphanumeric() || c == '/' || c == '-')) {
        if let Some(j) = joined(word) {
            out.push(' ');
            out.push_str(&j);
        }
    }
    out
}

/// The [`pair`] of each two adjacent tokens of a folded field, for the
/// index's column of pairs. Made within one field, as FTS5 matches a
/// phrase within one column.
pub fn index_pairs(folded: &str) -> String {
    let tokens = tokens(folded);
    let pairs: Vec<String> = tokens
        .windows(2)
        .map(|two| pair(&two[0], &two[1]))
        .collect();
    pairs.join(" ")
}

/// The words SQLite's index holds in its `facets` column for an entry of
/// `kind` (`article`, …) in category `category_id`: `zk` and the kind,
/// `zc` and the category's id. A search within one kind or category
/// requires its facet ([`facet_filter`]). Vietnamese has no `z`, and
/// folded text never makes these words from a reader's typing by chance.
pub fn facets(kind: &str, category_id: Option<i32>) -> String {
    match category_id {
        Some(c) => format!("zk{kind} zc{c}"),
        None => format!("zk{kind}"),
    }
}

/// The FTS5 expression requiring the facets of a kind and a category
/// (either may be absent); `None` when neither is asked for.
pub fn facet_filter(kind: Option<&str>, category_id: Option<i32>) -> Option<String> {
    let words: Vec<String> = kind
        .map(|k| format!("\"zk{k}\""))
        .into_iter()
        .chain(category_id.map(|c| format!("\"zc{c}\"")))
        .collect();
    (!words.is_empty()).then(|| format!("{{facets}} : ({})", words.join(" ")))
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
}

/// Splits folded text into tokens as FTS5's `unicode61` tokenizer does:
/// runs of letters and digits.
pub fn tokens(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Query {
    /// Reads what a person typed. Quoted parts are phrases; a word made of
    /// several tokens (`171/KH-SVHTT`) is a phrase; the last word, when the
    /// query does not end in a space or quote, matches as a prefix.
    pub fn parse(input: &str) -> Self {
        let input: String = input.chars().take(MAX_QUERY_CHARS).collect();
        let mut terms = Vec::new();
        let mut in_quote = false;
        for (i, part) in input.split('"').enumerate() {
            if i > 0 {
                in_quote = !in_quote;
            }
            if in_quote {
                let toks = tokens(&fold(part));
                if !toks.is_empty() {
                    terms.push(Term {
                        tokens: toks,
                        prefix: false,
                        joined: None,
                    });
                }
            } else {
                for word in part.split_whitespace() {
                    let folded = fold(word);
                    let toks = tokens(&folded);
                    if !toks.is_empty() {
                        terms.push(Term {
                            tokens: toks,
                            prefix: false,
                            joined: joined(&folded),
                        });
                    }
                }
            }
        }
        let ends_open = !input.ends_with(char::is_whitespace) && !input.trim_end().ends_with('"');
        // An unclosed quote ends in a phrase, which is never a prefix.
        if ends_open
            && !in_quote
            && let Some(last) = terms.last_mut()
        {
            last.prefix = true;
        }
        terms.truncate(MAX_TERMS);
        Query { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The FTS5 expression: every term quoted, all required.
    pub fn fts(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                let phrase = t.tokens.join(" ");
                // Tokens hold only letters and digits; quoting makes even
                // `NEAR` or `AND` plain words.
                if t.prefix {
                    format!("\"{phrase}\"*")
                } else {
                    format!("\"{phrase}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The same query for PostgreSQL's `to_tsquery('simple', …)`: every
    /// term required (`&`), a phrase's tokens adjacent (`<->`), the open
    /// last word a prefix (`:*`). A word joined by `/` or `-` is its
    /// [`joined`] token, which the index holds ([`index_words`]).
    pub fn tsquery(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                let tokens = match &t.joined {
                    Some(j) => return lexeme(j, t.prefix),
                    None => &t.tokens[..],
                };
                let last = tokens.len() - 1;
                let words: Vec<String> = tokens
                    .iter()
                    .enumerate()
                    .map(|(i, tok)| lexeme(tok, t.prefix && i == last))
                    .collect();
                if last == 0 {
                    words.concat()
                } else {
                    format!("({})", words.join(" <-> "))
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// What the index's column of pairs must hold for [`Self::tsquery`]
    /// to match: every [`pair`] of every phrase (the last a prefix when
    /// its phrase's last word is). `None` without a phrase.
    pub fn pairs_tsquery(&self) -> Option<String> {
        let pairs: Vec<String> =
            self.terms
                .iter()
                .filter(|t| t.joined.is_none())
                .flat_map(|t| {
                    let last = t.tokens.len().saturating_sub(1);
                    t.tokens.windows(2).enumerate().map(move |(i, two)| {
                        lexeme(&pair(&two[0], &two[1]), t.prefix && i + 1 == last)
                    })
                })
                .collect();
        (!pairs.is_empty()).then(|| pairs.join(" & "))
    }
}

/// One word of a tsquery. Words hold only letters and digits: quoting is
/// enough to keep `&`, `!` or `:` out.
fn lexeme(word: &str, prefix: bool) -> String {
    if prefix {
        format!("'{word}':*")
    } else {
        format!("'{word}'")
    }
}

/// `text` folded, with for each folded char the byte range of the original
/// char it came from.
fn fold_mapped(text: &str) -> (Vec<char>, Vec<(usize, usize)>) {
    let mut chars = Vec::with_capacity(text.len());
    let mut spans = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        // Most of a Vietnamese text is ASCII, which folds to its lower
        // case: no normalization, no string per character (the fold of
        // ten long bodies was a quarter of a search's time).
        if c.is_ascii() {
            chars.push(c.to_ascii_lowercase());
            spans.push((i, i + 1));
            continue;
        }
        let end = i + c.len_utf8();
        for f in fold(c.encode_utf8(&mut [0; 4])).chars() {
            chars.push(f);
            spans.push((i, end));
        }
    }
    (chars, spans)
}

/// A piece of a snippet: text, and whether it matched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Piece {
    pub text: String,
    pub hit: bool,
}

/// Cuts about `width` characters of `text` around the first match of
/// `query` and marks every match, keeping the original Vietnamese. Without
/// a match, returns the start of the text.
pub fn snippet(text: &str, query: &Query, width: usize) -> Vec<Piece> {
    let (folded, spans) = fold_mapped(text);
    let n = folded.len();
    let is_word = |i: usize| folded.get(i).is_some_and(|c| c.is_alphanumeric());
    // Every token of every term, as char sequences, matched at word starts;
    // each with the index of the term it belongs to.
    let needles: Vec<(Vec<char>, bool, usize)> = query
        .terms
        .iter()
        .enumerate()
        .flat_map(|(term, t)| {
            let last = t.tokens.len().saturating_sub(1);
            t.tokens
                .iter()
                .enumerate()
                .map(move |(i, tok)| (tok.chars().collect::<Vec<_>>(), t.prefix && i == last, term))
        })
        .collect();
    let mut hits: Vec<(usize, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        if is_word(i) && (i == 0 || !is_word(i - 1)) {
            let found = needles.iter().find_map(|(needle, prefix, term)| {
                let end = i + needle.len();
                let matches =
                    end <= n && folded[i..end] == needle[..] && (*prefix || !is_word(end));
                matches.then_some((end, *term))
            });
            if let Some((end, term)) = found {
                hits.push((i, end, term));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    // Window: where the most different query words fall within `width`
    // (earliest on a tie), starting a little before, at a word boundary.
    let focus = hits
        .iter()
        .take(500)
        .map(|&(s, _, _)| {
            let mut terms: Vec<usize> = hits
                .iter()
                .filter(|h| h.0 >= s && h.1 <= s.saturating_add(width / 4 * 3))
                .map(|h| h.2)
                .collect();
            terms.sort_unstable();
            terms.dedup();
            (terms.len(), s)
        })
        .fold(
            (0, 0),
            |best, cand| if cand.0 > best.0 { cand } else { best },
        )
        .1;
    let mut start = focus.saturating_sub(width / 4);
    while start > 0 && is_word(start - 1) {
        start -= 1;
    }
    let mut end = start.saturating_add(width).min(n);
    while end < n && is_word(end) {
        end += 1;
    }
    let byte = |ci: usize| if ci >= n { text.len() } else { spans[ci].0 };
    let mut pieces = Vec::new();
    if start > 0 {
        pieces.push(Piece {
            text: "…".into(),
            hit: false,
        });
    }
    let mut pos = start;
    for &(hs, he, _) in hits.iter().filter(|h| h.0 >= start && h.1 <= end) {
        if hs > pos {
            pieces.push(Piece {
                text: text[byte(pos)..byte(hs)].to_owned(),
                hit: false,
            });
        }
        pieces.push(Piece {
            text: text[byte(hs)..byte(he)].to_owned(),
            hit: true,
        });
        pos = he;
    }
    if end > pos {
        pieces.push(Piece {
            text: text[byte(pos)..byte(end)].to_owned(),
            hit: false,
        });
    }
    if end < n {
        pieces.push(Piece {
            text: "…".into(),
            hit: false,
        });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_fold_as_the_index_does() {
        let text = "ĐĂNG TẢI Kế hoạch số 171/KH-SVHTT: Cải cách HÀNH CHÍNH, ü ß İ.";
        let (chars, spans) = fold_mapped(text);
        assert_eq!(chars.iter().collect::<String>(), fold(text));
        assert_eq!(spans.len(), chars.len());
        assert!(
            spans
                .iter()
                .all(|&(a, b)| text.is_char_boundary(a) && a < b)
        );
    }

    fn fts(q: &str) -> String {
        Query::parse(q).fts()
    }

    #[test]
    fn postgres_queries_say_the_same_as_fts5_ones() {
        let ts = |q: &str| Query::parse(q).tsquery();
        let pairs = |q: &str| Query::parse(q).pairs_tsquery();
        assert_eq!(ts("Cải cách "), "'cai' & 'cach'");
        assert_eq!(ts("cải cách"), "'cai' & 'cach':*");
        assert_eq!(pairs("cải cách"), None);
        // A document number is the one word the index holds for it; in
        // quotes it is a phrase of its parts.
        assert_eq!(ts("171/KH-SVHTT "), "'zz171zkhzsvhtt'");
        assert_eq!(pairs("171/KH-SVHTT "), None);
        assert_eq!(ts("số 171/KH-SV"), "'so' & 'zz171zkhzsv':*");
        assert_eq!(ts("\"171/KH-SVHTT\""), "('171' <-> 'kh' <-> 'svhtt')");
        assert_eq!(
            pairs("\"171/KH-SVHTT\"").as_deref(),
            Some("'zy171zkh' & 'zykhzsvhtt'")
        );
        assert_eq!(ts("\"thủ tục\" đường"), "('thu' <-> 'tuc') & 'duong':*");
        assert_eq!(pairs("\"thủ tục\" đường").as_deref(), Some("'zythuztuc'"));
        // A word of several tokens being typed: its last pair is a prefix.
        assert_eq!(ts("cai.cach"), "('cai' <-> 'cach':*)");
        assert_eq!(pairs("cai.cach").as_deref(), Some("'zycaizcach':*"));
        // An unclosed quote is a phrase, never a prefix.
        assert_eq!(ts("\"một cửa"), "('mot' <-> 'cua')");
        assert_eq!(pairs("\"một cửa").as_deref(), Some("'zymotzcua'"));
        assert_eq!(ts("' & ! :* <->"), "");
        assert_eq!(pairs("' & ! :* <->"), None);
    }

    #[test]
    fn a_filtered_search_requires_the_facets_of_its_kind_and_category() {
        assert_eq!(facets("leaflet", Some(12)), "zkleaflet zc12");
        assert_eq!(facets("article", None), "zkarticle");
        assert_eq!(
            facet_filter(Some("leaflet"), Some(12)).as_deref(),
            Some(r#"{facets} : ("zkleaflet" "zc12")"#)
        );
        assert_eq!(
            facet_filter(None, Some(3)).as_deref(),
            Some(r#"{facets} : ("zc3")"#)
        );
        assert_eq!(facet_filter(None, None), None);
        // A reader's words never become a facet.
        assert!(!fts("zkleaflet").contains("{facets}"));
    }

    #[test]
    fn words_joined_by_slashes_or_hyphens_are_also_one_word() {
        assert_eq!(joined("171/kh-svhtt").as_deref(), Some("zz171zkhzsvhtt"));
        assert_eq!(
            joined("(42/2022/nd-cp),").as_deref(),
            Some("zz42z2022zndzcp")
        );
        for not in ["cai", "171/", "a//b", "a,b", "a/b.c", "", "/-/"] {
            assert_eq!(joined(not), None, "{not:?}");
        }
        // The same number written in another order is another word.
        assert_ne!(joined("17/1kh-svhtt"), joined("171/kh-svhtt"));
        assert_eq!(
            index_words(&fold("Kế hoạch số 171/KH-SVHTT,ngày 02/3/2022 (COVID-19).")),
            "ke hoach so 171 kh svhtt ngay 02 3 2022 covid 19 \
             zz171zkhzsvhtt zz02z3z2022 zzcovidz19"
        );
        assert_eq!(
            index_pairs(&fold("Kế hoạch số 171/KH-SVHTT,ngày")),
            "zykezhoach zyhoachzso zysoz171 zy171zkh zykhzsvhtt zysvhttzngay"
        );
    }

    #[test]
    fn words_are_folded_quoted_and_the_last_is_a_prefix() {
        assert_eq!(
            fts("cải cách hành chính"),
            r#""cai" "cach" "hanh" "chinh"*"#
        );
        assert_eq!(fts("Đăng tải "), r#""dang" "tai""#);
        assert_eq!(fts("ĐĂNG TẢI"), r#""dang" "tai"*"#);
    }

    #[test]
    fn phrases_and_document_numbers() {
        assert_eq!(
            fts("\"cải cách hành chính\" Hà"),
            r#""cai cach hanh chinh" "ha"*"#
        );
        assert_eq!(fts("171/KH-SVHTT"), r#""171 kh svhtt"*"#);
        assert_eq!(fts("\"một cửa\""), r#""mot cua""#);
    }

    #[test]
    fn fts_syntax_is_plain_text() {
        for q in [
            "\"",
            "*",
            "NEAR",
            "(",
            ":",
            "a OR b",
            "x AND (y",
            "col:val",
            "^a",
            "-b",
            "\"\"\"",
            "NEAR(a b)",
        ] {
            let f = fts(q);
            // Only quoted tokens of letters/digits, spaces and a final `*`.
            let bare = f.replace(['"', '*', ' '], "");
            assert!(bare.chars().all(char::is_alphanumeric), "{q:?} -> {f}");
        }
        assert!(Query::parse("  \" * ( : ").is_empty());
        assert_eq!(fts("NEAR"), r#""near"*"#);
    }

    #[test]
    fn long_queries_are_bounded() {
        let q = Query::parse(&"cải cách ".repeat(2000));
        assert!(q.terms.len() <= MAX_TERMS);
    }

    fn render(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn snippets_keep_the_original_text_and_mark_matches() {
        let text = "Đăng tải thông tin cấp phép trên Cổng Thông tin điện tử Sở Văn hóa";
        let s = render(&snippet(text, &Query::parse("dang tai thong"), 200));
        assert_eq!(
            s,
            "[Đăng] [tải] [thông] tin cấp phép trên Cổng [Thông] tin điện tử Sở Văn hóa"
        );
    }

    #[test]
    fn snippets_center_on_the_first_match() {
        let text = format!(
            "{} Kế hoạch số 171/KH-SVHTT ngày 29/3/2022 {}",
            "mở đầu ".repeat(50),
            "kết ".repeat(50)
        );
        let s = render(&snippet(&text, &Query::parse("171/KH-SVHTT"), 60));
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("[171]/[KH]-[SVHTT]"), "{s}");
    }

    #[test]
    fn snippets_go_where_most_query_words_meet() {
        let text = format!(
            "hành chính {} thủ tục hành chính đơn giản",
            "chữ ".repeat(100)
        );
        let s = render(&snippet(&text, &Query::parse("thu tuc hanh chinh"), 80));
        assert!(s.contains("[thủ] [tục] [hành] [chính]"), "{s}");
    }

    #[test]
    fn prefixes_match_word_starts_only() {
        let s = render(&snippet(
            "hành chính, chỉnh sửa",
            &Query::parse("chinh"),
            100,
        ));
        assert_eq!(s, "hành [chính], [chỉnh] sửa");
        let s = render(&snippet(
            "hành chính, chỉnh sửa",
            &Query::parse("chinh "),
            100,
        ));
        assert_eq!(s, "hành [chính], [chỉnh] sửa");
        let s = render(&snippet("chínhquyền", &Query::parse("chinh "), 100));
        assert_eq!(s, "chínhquyền");
    }
}
