//! Procedurally generated reasoning tasks with exact verifiers, the way Stream of Search
//! (Gandhi et al. 2024), TinyZero and reasoning-gym study reasoning: every problem has a checkable
//! answer, several reference reasoning styles, and per-line ground truth for process verifiers.
//!
//! Tasks: `mult` (a×b, with the measured compact trace), `countdown` (reach a target with
//! `+ - * /` using every number once, with Stream-of-Search depth-first traces), `add` (a+b
//! with a carry-by-carry trace) and `sub` (a−b, negative results included, borrow by borrow).
//! No tensor code lives here.
//!
//! The seam: a task is a module that owns its problem type ([`TaskProblem`]), its config
//! ([`TypedConfig`]), its trace styles and its readers, and registers one [`entry::TaskEntry`] in [`registry`].
//! Everything outside this crate sees `&dyn Task` and [`Problem`], never which task it is.

pub mod add;
pub mod config;
pub mod countdown;
pub mod entry;
pub mod error;
pub mod external;
pub mod held_out;
pub mod integer;
pub mod length_target;
pub mod mix;
pub mod mult;
pub mod notation;
pub mod plain;
pub mod problem;
pub mod prompt;
pub mod qa;
pub mod readability;
pub mod reasoning_stream;
pub mod registry;
pub mod seeded;
pub mod split;
pub mod stats;
pub mod style;
pub mod sub;
pub mod task;
pub mod text;
pub mod trace_style;
pub mod verdict;
pub mod verifier;
pub mod verifier_process;

pub use add::{AddConfig, AddProblem, AddTask};
pub use config::{TaskConfig, TypedConfig};
pub use countdown::{CountdownConfig, CountdownProblem, CountdownTask};
pub use error::TaskError;
pub use held_out::{held_out_per_group, held_out_problems, split_problems};
pub use mult::{MultConfig, MultProblem, MultTask};
pub use problem::{Problem, TaskProblem};
pub use registry::{all_task_names, task_by_name};
pub use style::{PromptStyle, Split};
pub use sub::{SubConfig, SubProblem, SubTask};
pub use task::{accepted_draw, Explanation, Task};
pub use trace_style::TraceStyle;
pub use verdict::{Checked, StepLabel, Verdict};
pub use verifier::{check_batch, Attempt, TaskChecker, Verifier};
