//! Procedurally generated reasoning tasks with exact verifiers, the way Stream of Search
//! (Gandhi et al. 2024), TinyZero and reasoning-gym study reasoning: every problem has a checkable
//! answer, several reference reasoning styles, and per-line ground truth for process verifiers.
//!
//! Tasks: `mult` (a×b, with the measured compact trace) and `countdown` (reach a target with
//! `+ - * /` using every number once, with Stream-of-Search depth-first traces).
//! No tensor code lives here.

pub mod config;
pub mod countdown;
pub mod error;
pub mod external;
pub mod mult;
pub mod problem;
pub mod prompt;
pub mod seeded;
pub mod split;
pub mod stats;
pub mod style;
pub mod task;
pub mod text;
pub mod verdict;

pub use config::TaskConfig;
pub use countdown::{CountdownProblem, CountdownTask};
pub use error::TaskError;
pub use mult::{MultProblem, MultTask};
pub use problem::Problem;
pub use style::{PromptStyle, Split, TraceStyle};
pub use task::{all_task_names, task_by_name, Task};
pub use verdict::{Checked, StepLabel, Verdict};
