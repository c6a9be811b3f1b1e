//! Strategies by name, for the CLI and the evaluation grid.

use deepthink_tasks::PromptStyle;

use crate::adaptive_majority::{AdaptiveMajority, StopRule};
use crate::allocate::Allocate;
use crate::allocation_table::AllocationTable;
use crate::beam::BeamSearch;
use crate::best_of_n::BestOfN;
use crate::dvts::Dvts;
use crate::error::SearchError;
use crate::majority::Majority;
use crate::mcts::Mcts;
use crate::scorer::Scorer;
use crate::single::Single;
use crate::strategy::Strategy;
use crate::weighted_majority::WeightedMajority;

/// Every strategy name, in the order reports list them.
pub const STRATEGY_NAMES: &[&str] = &[
    "greedy",
    "sample",
    "majority",
    "adaptive-majority",
    "esc",
    "allocate",
    "best-of-n",
    "weighted-majority",
    "beam",
    "dvts",
    "mcts",
];

/// Strategies that need a verifier.
pub fn needs_verifier(name: &str) -> bool {
    matches!(name, "best-of-n" | "weighted-majority" | "beam" | "dvts" | "mcts")
}

/// The knobs of every strategy (each reads the ones it has).
#[derive(Clone, Debug)]
pub struct StrategyOptions {
    pub prompt: PromptStyle,
    /// Sampling temperature (greedy ignores it).
    pub temperature: f32,
    pub seed: u64,
    /// M for `beam` and `dvts`.
    pub width: usize,
    /// Step cap of `beam` and `dvts`.
    pub max_steps: usize,
    /// UCT constant of `mcts`.
    pub exploration: f64,
    /// Samples per round of `adaptive-majority`.
    pub round: usize,
    /// Stopping confidence of `adaptive-majority`.
    pub confidence: f64,
    /// Window of `esc` (stop when this many latest samples agree), and the probe of `allocate`.
    pub window: usize,
    /// A learnt allocation for `allocate` (from `allocate::calibrate`); `None` for its fixed rule.
    pub allocation: Option<AllocationTable>,
}

impl Default for StrategyOptions {
    fn default() -> Self {
        StrategyOptions {
            prompt: PromptStyle::Plain,
            temperature: 1.0,
            seed: 0,
            width: 4,
            max_steps: 40,
            exploration: 1.0,
            round: 2,
            confidence: 0.95,
            window: 4,
            allocation: None,
        }
    }
}

/// Build strategy `name`; verifier strategies take `scorer` and fail clearly without one.
pub fn by_name<'s>(
    name: &str,
    o: &StrategyOptions,
    scorer: Option<&'s dyn Scorer>,
) -> Result<Box<dyn Strategy + 's>, SearchError> {
    let need = |scorer: Option<&'s dyn Scorer>| {
        scorer.ok_or_else(|| {
            SearchError::Config(format!(
                "strategy `{name}` needs a verifier: pass --verifier with a checkpoint from `deepthink train verifier`, or --verifier oracle"
            ))
        })
    };
    let (prompt, temperature, seed) = (o.prompt, o.temperature, o.seed);
    Ok(match name.trim() {
        "greedy" => Box::new(Single { prompt, temperature: 0.0, seed }),
        "sample" => Box::new(Single { prompt, temperature, seed }),
        "majority" => Box::new(Majority { prompt, temperature, seed }),
        "adaptive-majority" | "esc" => Box::new(AdaptiveMajority {
            prompt,
            temperature,
            seed,
            round: if name.trim() == "esc" { o.window } else { o.round },
            confidence: o.confidence,
            rule: if name.trim() == "esc" { StopRule::Window } else { StopRule::Beta },
        }),
        "allocate" => Box::new(Allocate { prompt, temperature, seed, probe: o.window, table: o.allocation.clone() }),
        "best-of-n" => Box::new(BestOfN { scorer: need(scorer)?, prompt, temperature, seed }),
        "weighted-majority" => Box::new(WeightedMajority { scorer: need(scorer)?, prompt, temperature, seed }),
        "beam" => Box::new(BeamSearch {
            scorer: need(scorer)?,
            prompt,
            temperature,
            seed,
            width: o.width,
            max_steps: o.max_steps,
        }),
        "dvts" => {
            Box::new(Dvts { scorer: need(scorer)?, prompt, temperature, seed, width: o.width, max_steps: o.max_steps })
        }
        "mcts" => Box::new(Mcts { scorer: need(scorer)?, prompt, temperature, seed, exploration: o.exploration }),
        other => {
            return Err(SearchError::Config(format!(
                "unknown strategy `{other}`; known: {}",
                STRATEGY_NAMES.join(", ")
            )))
        }
    })
}
