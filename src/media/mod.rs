//! Media: uploaded images and attached documents.
//!
//! - [`images`]: checks an uploaded image under explicit limits, orients
//!   it, strips its metadata and makes the resized derivatives. Pure: bytes
//!   in, bytes out.
//! - [`documents`]: checks an attached document (PDF, DOCX, XLSX, ODT) by
//!   its content, not its name.
//! - [`store`]: files under `uploads/` by year/month with content-hash
//!   names, written to a temporary file and renamed only when complete.
//! - [`uploads`]: where those files live: a folder, or an S3 bucket.
//!
//! No database here: `service::media` registers stored images in the
//! library and regenerates them.

pub mod documents;
pub mod images;
pub mod store;
pub mod uploads;
