//! Progress and cancellation of long operations (moves of big subtrees,
//! later imports and exports): a callback that receives progress, and a
//! token a running operation checks between steps.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Progress of a long operation: rows done so far of its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: i64,
    pub total: i64,
}

/// Receives progress (from the operation's task; keep it quick).
pub type OnProgress<'a> = &'a (dyn Fn(Progress) + Send + Sync);

/// A flag a running operation checks between steps; cancelling before the
/// commit rolls everything back.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
