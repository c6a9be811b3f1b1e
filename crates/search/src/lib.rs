//! Test-time compute: strategies that spend more generation on a problem to answer it better
//! (the lecture's method 2), written against a [`Generator`] so the same strategy runs on the
//! local model or a remote server, and against a [`Scorer`] so verifier-guided strategies run
//! with a trained ORM/PRM or the task's own checker.
//!
//! Every strategy is charged through the generator's and verifier's token counts ([`Spend`]),
//! so methods can be compared at equal compute. One file per strategy; [`by_name`] builds them.

pub mod adaptive_majority;
pub mod allocate;
pub mod allocation_table;
pub mod beam;
pub mod best_of_n;
pub mod candidates;
pub mod confidence_scorer;
pub mod decode_request;
pub mod dvts;
pub mod error;
pub mod generator;
pub mod local;
pub mod majority;
pub mod mcts;
pub mod model_scorer;
pub mod registry;
pub mod remote;
pub mod scorer;
pub mod scorer_spec;
pub mod single;
pub mod spend;
pub mod steps;
pub mod strategy;
pub mod verifier_input;
pub mod vote;
pub mod weighted_majority;

pub use confidence_scorer::ConfidenceScorer;
pub use error::SearchError;
pub use generator::{Continuation, Generator, Request};
pub use local::LocalGenerator;
pub use model_scorer::ModelScorer;
pub use registry::{by_name, StrategyOptions, STRATEGY_NAMES};
pub use remote::{RemoteConfig, RemoteGenerator, StreamDelta};
pub use scorer::{OracleScorer, ScoreItem, Scorer, Scores};
pub use scorer_spec::{load_scorer, scorer_for};
pub use spend::Spend;
pub use strategy::{Budget, Solution, Strategy};
