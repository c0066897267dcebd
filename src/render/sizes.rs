//! File sizes for people: `850 KB`, `2,4 MB`. The words and the decimal
//! mark are the theme's (`size_kb`, `size_mb`, `decimal_mark`).

/// How a size reads in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeFormats<'a> {
    /// `{n} KB`
    pub kb: &'a str,
    /// `{n} MB`
    pub mb: &'a str,
    /// Between the whole megabytes and the tenth: `,` in Vietnamese.
    pub decimal_mark: &'a str,
}

/// `bytes` in whole kilobytes (at least 1) under a megabyte, else in
/// megabytes to a tenth (binary units, as file managers show them).
pub fn human_size(bytes: u64, f: &SizeFormats) -> String {
    if bytes < 1024 * 1024 {
        f.kb.replace("{n}", &bytes.div_ceil(1024).max(1).to_string())
    } else {
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        let n = format!("{}{}{}", tenths / 10, f.decimal_mark, tenths % 10);
        f.mb.replace("{n}", &n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VI: SizeFormats = SizeFormats {
        kb: "{n} KB",
        mb: "{n} MB",
        decimal_mark: ",",
    };

    #[test]
    fn kilobytes_then_megabytes_to_a_tenth() {
        assert_eq!(human_size(0, &VI), "1 KB", "never 0");
        assert_eq!(human_size(1000, &VI), "1 KB");
        assert_eq!(human_size(1025, &VI), "2 KB", "rounded up");
        assert_eq!(human_size(1024 * 1024 - 1, &VI), "1024 KB");
        assert_eq!(human_size(1024 * 1024, &VI), "1,0 MB");
        assert_eq!(human_size(2_500_000, &VI), "2,4 MB");
    }

    #[test]
    fn the_words_and_the_mark_are_the_callers() {
        let en = SizeFormats {
            kb: "{n} kB",
            mb: "{n} MB",
            decimal_mark: ".",
        };
        assert_eq!(human_size(2_500_000, &en), "2.4 MB");
        assert_eq!(human_size(47 * 1024, &en), "47 kB");
    }
}
