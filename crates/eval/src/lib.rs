//! Evaluation: run a model over problems, check each answer with the task's own verifier, and
//! report three outcomes — correct, wrong, no answer (truncated or malformed) — with the
//! reasoning length and compute spent, overall and per difficulty group; and the same under a
//! series of thinking budgets (`thinking_sweep`, s1's Table 3), and on the mixed-difficulty suite
//! per bin (`suite`).

pub mod curves;
pub mod evaluate;
pub mod grid;
pub mod grid_run;
pub mod line_chart;
pub mod plot;
pub mod prediction;
pub mod report;
pub mod suite;
pub mod thinking_sweep;

pub use evaluate::{evaluate_greedy, EvalOptions, Evaluation};
pub use prediction::Prediction;
pub use report::{EvalReport, GroupStats, SampledStats};
