//! Test-time compute: strategies that spend more generation on a problem to answer it better
//! (the lecture's method 2), written against a [`Generator`] so the same strategy runs on the
//! local model or, later, a remote OpenAI-compatible server.
//!
//! Every strategy is charged through the generator's token counts, so methods can be compared at
//! equal compute. This crate so far has the generator contract, the local generator, answer
//! voting, and the first strategies (`greedy`, `sample`, `majority`); verifier-guided search
//! builds on the same pieces.

pub mod error;
pub mod generator;
pub mod local;
pub mod majority;
pub mod single;
pub mod strategy;
pub mod vote;

pub use error::SearchError;
pub use generator::{Continuation, Generator, Request};
pub use local::LocalGenerator;
pub use strategy::{Budget, Solution, Strategy};
