//! `reasoning_effort` → how much test-time compute an answer gets. One table, here and in
//! `docs/server.md`:
//!
//! | effort    | prompt       | strategy                                             | thinking budget |
//! |-----------|--------------|------------------------------------------------------|-----------------|
//! | `none`    | thinking off | one greedy completion                                | —               |
//! | `minimal` | thinking on  | one greedy completion                                | 64 tokens       |
//! | `low`     | thinking on  | one greedy completion                                | —               |
//! | `medium`  | thinking on  | `adaptive-majority`, up to 8 samples                 | —               |
//! | `high`    | thinking on  | `beam` (width 4, 8 beams) with `serve --verifier`; else `majority` over 16 | — |
//!
//! `none`, `minimal` and `low` are single completions and stream token by token; `medium` and
//! `high` run a strategy and send its chosen reply when it is decided. The `deepthink`
//! extension object picks any strategy directly and overrides the table.

use crate::wire::{Effort, StrategyChoice};

/// The `minimal` effort's thinking budget.
pub const MINIMAL_THINKING_TOKENS: usize = 64;

/// What an effort level asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// One greedy completion with this thinking budget (`None`: unbounded).
    Greedy { max_thinking: Option<usize> },
    /// A strategy run.
    Strategy(StrategyChoice),
}

pub fn plan(effort: Effort, has_verifier: bool) -> Plan {
    let strategy = |name: &str, samples: usize, width: Option<usize>| {
        Plan::Strategy(StrategyChoice { strategy: name.into(), samples: Some(samples), width })
    };
    match effort {
        Effort::None | Effort::Low => Plan::Greedy { max_thinking: None },
        Effort::Minimal => Plan::Greedy { max_thinking: Some(MINIMAL_THINKING_TOKENS) },
        Effort::Medium => strategy("adaptive-majority", 8, None),
        Effort::High if has_verifier => strategy("beam", 8, Some(4)),
        Effort::High => strategy("majority", 16, None),
    }
}
