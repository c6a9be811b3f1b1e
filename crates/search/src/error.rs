//! Errors of strategies and generators; each says which argument or value is at fault.

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Model(#[from] deepthink_model::ModelError),
    #[error("budget: {0}")]
    Budget(String),
    #[error("verifier: {0}")]
    Verifier(String),
    #[error("strategy: {0}")]
    Config(String),
    /// A remote OpenAI-compatible backend failed or refused.
    #[error("backend: {0}")]
    Remote(String),
}
