//! Numbers as the theme writes them: the thousands mark is the theme's
//! (`thousands_mark`; `.` in Vietnamese).

/// `n` with its digits grouped by three: `grouped(1000, ".")` is `1.000`.
pub fn grouped(n: i64, mark: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(mark);
        }
        out.push(d);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0, "."), "0");
        assert_eq!(grouped(999, "."), "999");
        assert_eq!(grouped(1000, "."), "1.000");
        assert_eq!(grouped(1234567, "."), "1.234.567");
        assert_eq!(grouped(-12345, "."), "-12.345");
    }
}
