//! Attached documents: PDF, DOCX, XLSX, ODT, recognised by their content.
//!
//! The name's extension must agree with what the bytes are: a PDF starts
//! with `%PDF-`; the office formats are ZIP files whose parts say which
//! they are (`word/document.xml`, `xl/workbook.xml`, or an ODF `mimetype`
//! stored first, as the standard requires). Macros (`vbaProject.bin`)
//! and PDF script or launch actions are refused. The file is served as a download, never inline.

use serde::Serialize;

use super::images::{Refusal, extension, plain_name};

/// Largest document accepted.
pub const MAX_BYTES: usize = 25 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Pdf,
    Docx,
    Xlsx,
    Odt,
}

impl DocKind {
    pub const ALL: [DocKind; 4] = [DocKind::Pdf, DocKind::Docx, DocKind::Xlsx, DocKind::Odt];

    pub fn ext(self) -> &'static str {
        match self {
            DocKind::Pdf => "pdf",
            DocKind::Docx => "docx",
            DocKind::Xlsx => "xlsx",
            DocKind::Odt => "odt",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            DocKind::Pdf => "application/pdf",
            DocKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            DocKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            DocKind::Odt => "application/vnd.oasis.opendocument.text",
        }
    }

    pub fn from_ext(ext: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.ext() == ext)
    }

    pub fn from_mime(mime: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.mime() == mime)
    }
}

fn has(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// What the bytes are, if one of the accepted kinds.
pub fn sniff(bytes: &[u8]) -> Option<DocKind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(DocKind::Pdf);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    // ODF: the first entry is `mimetype`, stored, its content right after
    // the 30-byte local header and the name.
    if bytes.len() > 38 && &bytes[30..38] == b"mimetype" {
        let rest = &bytes[38..bytes.len().min(38 + 80)];
        return rest
            .starts_with(b"application/vnd.oasis.opendocument.text")
            .then_some(DocKind::Odt)
            .filter(|_| !rest.starts_with(b"application/vnd.oasis.opendocument.text-"));
    }
    if has(bytes, b"[Content_Types].xml") {
        if has(bytes, b"word/document.xml") {
            return Some(DocKind::Docx);
        }
        if has(bytes, b"xl/workbook.xml") {
            return Some(DocKind::Xlsx);
        }
    }
    None
}

/// Checks an attachment named `name`; returns its kind.
pub fn check(name: &str, bytes: &[u8]) -> Result<DocKind, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    let name = plain_name(name)?;
    let claimed = extension(name)
        .and_then(|e| DocKind::from_ext(&e))
        .ok_or(Refusal::NotAllowed)?;
    let actual = sniff(bytes).ok_or(Refusal::NotAnImage)?;
    if actual != claimed {
        return Err(Refusal::Mismatch);
    }
    // Macros in office files; script and launch actions in PDFs.
    let active = has(bytes, b"vbaProject.bin")
        || has(bytes, b"<script")
        || (actual == DocKind::Pdf && (has(bytes, b"/JavaScript") || has(bytes, b"/Launch")));
    if active {
        return Err(Refusal::Polyglot);
    }
    if actual == DocKind::Pdf && !has(&bytes[bytes.len().saturating_sub(1024)..], b"%%EOF") {
        return Err(Refusal::Truncated);
    }
    Ok(actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_by_content_not_name() {
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
        assert_eq!(check("Kế hoạch 171.pdf", pdf), Ok(DocKind::Pdf));
        assert_eq!(check("x.docx", pdf), Err(Refusal::Mismatch));
        assert_eq!(check("x.pdf", b"<html>"), Err(Refusal::NotAnImage));
        assert_eq!(check("x.exe", pdf), Err(Refusal::NotAllowed));
        assert_eq!(check("x.pdf", &pdf[..20]), Err(Refusal::Truncated));
        let js =
            b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF\n";
        assert_eq!(check("x.pdf", js), Err(Refusal::Polyglot));
    }

    /// The start of a ZIP whose first entry is `name` holding `content`
    /// (stored), plus `more` bytes standing for the other entries.
    fn zip(name: &[u8], content: &[u8], more: &[u8]) -> Vec<u8> {
        let mut z = b"PK\x03\x04".to_vec();
        z.extend([0u8; 22]);
        z.extend((name.len() as u16).to_le_bytes());
        z.extend([0u8; 2]);
        z.extend(name);
        z.extend(content);
        z.extend(more);
        z
    }

    #[test]
    fn office_files_by_their_parts() {
        let docx = zip(
            b"[Content_Types].xml",
            b"<Types/>",
            b"PK..word/document.xml",
        );
        let xlsx = zip(b"[Content_Types].xml", b"<Types/>", b"PK..xl/workbook.xml");
        let odt = zip(
            b"mimetype",
            b"application/vnd.oasis.opendocument.text",
            b"PK..",
        );
        let ods = zip(
            b"mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
            b"",
        );
        assert_eq!(check("Kế hoạch.docx", &docx), Ok(DocKind::Docx));
        assert_eq!(check("so-lieu.xlsx", &xlsx), Ok(DocKind::Xlsx));
        assert_eq!(check("van-ban.odt", &odt), Ok(DocKind::Odt));
        assert_eq!(check("bang.odt", &ods), Err(Refusal::NotAnImage));
        assert_eq!(check("so-lieu.docx", &xlsx), Err(Refusal::Mismatch));
        let macro_doc = zip(
            b"[Content_Types].xml",
            b"<Types/>",
            b"word/document.xml word/vbaProject.bin",
        );
        assert_eq!(check("x.docx", &macro_doc), Err(Refusal::Polyglot));
    }
}
