//! Running storage work off the async executor.

use crate::storage::Db;
use actix_web::web;

use super::AppState;
use crate::error::AppError;

/// Checks out a connection inside a blocking task and runs `f` on it.
pub async fn run<T, F>(state: &web::Data<AppState>, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Db) -> Result<T, AppError> + Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}
