//! The few kinds of storage failure. Driver errors become these at the backend edge.

/// A storage failure, as the layers above see it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write; the text says which, for logs.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot be reached or is too busy; worth retrying.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

/// Why the store could not be opened at start. The text is one line for an operator.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot reach PostgreSQL at {host}:{port} after {seconds}s: {reason}")]
    Unreachable {
        host: String,
        port: u16,
        seconds: u64,
        reason: String,
    },
    #[error(
        "the database schema is at version {database}, newer than this flagstaff binary knows \
         (version {binary}); run a flagstaff release at least as new as the one that migrated it"
    )]
    SchemaTooNew { database: i64, binary: i64 },
    #[error("{0}")]
    Other(String),
}

impl From<StoreError> for ConnectError {
    fn from(e: StoreError) -> Self {
        ConnectError::Other(e.to_string())
    }
}
