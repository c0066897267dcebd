//! Reading a `multipart/form-data` upload form under byte limits enforced
//! while the body streams in: a file over the per-file limit is read no
//! further (and marked, so its refusal can be reported by name); a request
//! over the total limit is refused whole (413). Nothing touches the disk
//! here: files are held in memory until checked.

use std::collections::HashMap;

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::error::AppError;

/// One file of the form.
pub struct UploadedFile {
    /// The form field's name (`files`, `file`).
    pub field: String,
    /// The name the browser sent, as it sent it (never used as a path).
    pub name: String,
    pub bytes: Vec<u8>,
    /// The file was larger than the per-file limit; `bytes` is empty.
    pub too_large: bool,
}

/// A parsed upload form: its text fields and its files, in order.
#[derive(Default)]
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    pub files: Vec<UploadedFile>,
}

impl UploadForm {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Largest text field kept (a token, a title).
const FIELD_LIMIT: usize = 16 * 1024;

/// Reads the whole form: each file up to `per_file` bytes, everything up
/// to `total` bytes.
pub async fn read(
    mut payload: Multipart,
    per_file: usize,
    total: usize,
) -> Result<UploadForm, AppError> {
    let bad = |_| AppError::BadRequest("error_400_text");
    let mut form = UploadForm::default();
    let mut seen = 0usize;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(bad)?;
        let name = field.name().unwrap_or("").to_owned();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        let limit = if filename.is_some() {
            per_file
        } else {
            FIELD_LIMIT
        };
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad)?;
            seen += chunk.len();
            if seen > total {
                return Err(AppError::TooLarge);
            }
            if over {
                continue;
            }
            if bytes.len() + chunk.len() > limit {
                over = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        match filename {
            Some(filename) => {
                // A file input left empty still sends a part with no name.
                if filename.is_empty() && bytes.is_empty() && !over {
                    continue;
                }
                form.files.push(UploadedFile {
                    field: name,
                    name: filename,
                    bytes,
                    too_large: over,
                })
            }
            None if !over => {
                let text =
                    String::from_utf8(bytes).map_err(|_| AppError::BadRequest("error_400_text"))?;
                form.fields.insert(name, text);
            }
            None => return Err(AppError::TooLarge),
        }
    }
    Ok(form)
}
