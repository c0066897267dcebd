//! Where uploaded files live: a folder, or a bucket of S3-compatible
//! object storage. The `uploads` setting picks: a path (one machine, or a
//! shared file system such as NFS that every server mounts), or
//! `s3://bucket/prefix` (several servers, no shared file system), with
//! the usual `AWS_*` variables for credentials, region and endpoint
//! (`AWS_ENDPOINT_URL` for a server other than Amazon's; `AWS_ALLOW_HTTP`
//! for one reached without TLS).
//!
//! The library's callers are blocking code (the media pipeline runs off
//! the executor, the CLI has none), so this offers blocking calls. A
//! bucket's requests run on a small runtime of its own and the caller
//! waits for the answer: that works from any thread, inside an async
//! executor's blocking pool or not. Serving a file is the one async call.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as Key;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt};

/// The uploaded files' home.
#[derive(Clone)]
pub enum Uploads {
    /// A folder on this machine (or mounted from a shared file system).
    Folder(PathBuf),
    /// A bucket (under a prefix) of S3-compatible object storage.
    Bucket(Arc<Bucket>),
}

pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    /// Always `Some` until dropped (see `Drop`).
    runtime: Option<tokio::runtime::Runtime>,
    /// `s3://bucket/prefix`, for messages.
    url: String,
}

/// Why the `uploads` setting cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("uploads {0:?}: expected s3://bucket or s3://bucket/prefix")]
    BadUrl(String),
    #[error("uploads {url}: {source}")]
    Store {
        url: String,
        source: object_store::Error,
    },
    #[error("uploads {0}: {1}")]
    Io(String, io::Error),
}

impl Uploads {
    /// The home the setting names; a bucket is checked with one listing,
    /// so wrong credentials or a missing bucket stop the server at start.
    pub fn open(setting: &Path) -> Result<Self, OpenError> {
        let text = setting.to_string_lossy();
        let Some(rest) = text.strip_prefix("s3://") else {
            return Ok(Self::Folder(setting.to_owned()));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(OpenError::BadUrl(text.into_owned()));
        }
        let url = text.trim_end_matches('/').to_owned();
        // A request that fails for want of the server is tried again a
        // few times, not for object_store's default three minutes: a
        // reader or an editor is waiting.
        let retry = object_store::RetryConfig {
            max_retries: 3,
            retry_timeout: std::time::Duration::from_secs(15),
            ..Default::default()
        };
        let s3 = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_retry(retry)
            .build()
            .map_err(|source| OpenError::Store {
                url: url.clone(),
                source,
            })?;
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix))
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("loa-uploads")
            .enable_all()
            .build()
            .map_err(|e| OpenError::Io(url.clone(), e))?;
        let bucket = Bucket {
            store,
            runtime: Some(runtime),
            url: url.clone(),
        };
        bucket
            .wait(|store| async move {
                use futures_util::StreamExt;
                store.list(None).next().await.transpose().map(|_| ())
            })
            .map_err(|source| OpenError::Store { url, source })?;
        Ok(Self::Bucket(Arc::new(bucket)))
    }

    /// The folder, when the files are in one (created when missing).
    pub fn folder(&self) -> Option<&Path> {
        match self {
            Self::Folder(dir) => Some(dir),
            Self::Bucket(_) => None,
        }
    }

    /// The setting as shown to people.
    pub fn describe(&self) -> String {
        match self {
            Self::Folder(dir) => dir.display().to_string(),
            Self::Bucket(b) => b.url.clone(),
        }
    }

    /// Writes `files` (paths under uploads), all or none: in a folder each
    /// goes to a temporary name and all are renamed into place at the end;
    /// in a bucket each object appears whole when written, and those
    /// written are removed again if a later one fails.
    pub fn write_all(&self, files: &[(String, &[u8])]) -> io::Result<()> {
        match self {
            Self::Folder(dir) => super::store::write_all(dir, files),
            Self::Bucket(b) => {
                let mut written = Vec::with_capacity(files.len());
                for (rel, bytes) in files {
                    let key = key(rel)?;
                    let payload = Bytes::copy_from_slice(bytes);
                    let k = key.clone();
                    let put = b.wait(move |store| async move {
                        store.put(&k, payload.into()).await.map(|_| ())
                    });
                    if let Err(e) = put {
                        for done in written {
                            let _ = b.wait(move |store| async move { store.delete(&done).await });
                        }
                        return Err(b.io_error(e));
                    }
                    written.push(key);
                }
                Ok(())
            }
        }
    }

    /// The file at `rel`; `NotFound` when there is none.
    pub fn read(&self, rel: &str) -> io::Result<Vec<u8>> {
        match self {
            Self::Folder(dir) => std::fs::read(dir.join(rel)),
            Self::Bucket(b) => {
                let key = key(rel)?;
                b.wait(move |store| async move { store.get(&key).await?.bytes().await })
                    .map(|bytes| bytes.to_vec())
                    .map_err(|e| b.io_error(e))
            }
        }
    }

    /// Whether a file is stored at `rel`.
    pub fn exists(&self, rel: &str) -> io::Result<bool> {
        match self {
            Self::Folder(dir) => Ok(dir.join(rel).is_file()),
            Self::Bucket(b) => {
                let key = key(rel)?;
                match b.wait(move |store| async move { store.head(&key).await }) {
                    Ok(_) => Ok(true),
                    Err(object_store::Error::NotFound { .. }) => Ok(false),
                    Err(e) => Err(b.io_error(e)),
                }
            }
        }
    }

    /// Removes the file at `rel`; one that is not there is no error.
    pub fn remove(&self, rel: &str) -> io::Result<()> {
        let result = match self {
            Self::Folder(dir) => std::fs::remove_file(dir.join(rel)),
            Self::Bucket(b) => {
                let key = key(rel)?;
                b.wait(move |store| async move { store.delete(&key).await })
                    .map_err(|e| b.io_error(e))
            }
        };
        match result {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The bytes stored at `rel`, for serving: `None` when there is none.
    /// Only for a bucket (a folder's files are served from disk).
    pub async fn fetch(&self, rel: &str) -> io::Result<Option<Bytes>> {
        let Self::Bucket(b) = self else {
            return Err(io::Error::other("fetch is for a bucket"));
        };
        let key = key(rel)?;
        let store = b.store.clone();
        let got = b
            .runtime()
            .spawn(async move { store.get(&key).await?.bytes().await })
            .await
            .map_err(io::Error::other)?;
        match got {
            Ok(bytes) => Ok(Some(bytes)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(b.io_error(e)),
        }
    }
}

impl Drop for Bucket {
    /// A runtime may not be dropped from async code (the server's state is
    /// dropped there); this one stops without waiting.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Bucket {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("present until dropped")
    }

    /// Runs one request on the bucket's runtime and waits for its answer.
    fn wait<T, F, Fut>(&self, request: F) -> object_store::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(Arc<dyn ObjectStore>) -> Fut,
        Fut: std::future::Future<Output = object_store::Result<T>> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let fut = request(self.store.clone());
        self.runtime().spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv().unwrap_or_else(|_| {
            Err(object_store::Error::Generic {
                store: "S3",
                source: "the uploads runtime stopped".into(),
            })
        })
    }

    fn io_error(&self, e: object_store::Error) -> io::Error {
        let kind = match e {
            object_store::Error::NotFound { .. } => io::ErrorKind::NotFound,
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, format!("{}: {e}", self.url))
    }
}

/// The object key for a path under uploads (the library's names only:
/// plain segments, no `..`).
fn key(rel: &str) -> io::Result<Key> {
    Key::parse(rel).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

impl std::fmt::Debug for Uploads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Uploads({})", self.describe())
    }
}
