//! Training errors: each names the file, line, field or value at fault.

use std::path::PathBuf;

use deepthink_model::ModelError;
use deepthink_tasks::TaskError;

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Task(#[from] TaskError),
    #[error(transparent)]
    Search(#[from] deepthink_search::SearchError),
    #[error("{path} line {line}: {msg}")]
    Data { path: PathBuf, line: usize, msg: String },
    #[error("config: {0}")]
    Config(String),
    #[error("{path}: {msg}")]
    Resume { path: PathBuf, msg: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl TrainError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TrainError::Io { path: path.into(), source }
    }
}
