//! The registry: entity types, entities in the ltree hierarchy, the tree's
//! read paths, moves, deletion, restore and purge, and history.
//!
//! Every mutation takes the `updated_at` the caller saw and refuses with
//! [`CoreError::Conflict`](crate::CoreError::Conflict) (carrying the current
//! row) when it changed; every mutation writes its audit row in the same
//! transaction.

mod entities;
mod history;
mod locks;
mod model;
mod moves;
mod read;
mod trash;
mod types;

pub use entities::*;
pub use history::*;
pub use model::*;
pub use moves::*;
pub use read::*;
pub use trash::*;
pub use types::*;

use std::future::Future;

use crate::error::CoreResult;

/// How often a transaction that hit a serialization failure or a deadlock
/// is tried again before the error reaches the caller.
pub const MAX_ATTEMPTS: u32 = 8;

/// Runs `attempt` again (with a short, growing pause) when it fails with a
/// serialization failure or a deadlock, at most [`MAX_ATTEMPTS`] times.
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> CoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CoreResult<T>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(e) if e.is_retryable() && tries < MAX_ATTEMPTS => {
                tracing::debug!("retrying after {e}");
                let jitter = u64::from(uuid::Uuid::now_v7().as_bytes()[15] % 16);
                tokio::time::sleep(std::time::Duration::from_millis(
                    5 * u64::from(tries) + jitter,
                ))
                .await;
            }
            other => return other,
        }
    }
}
