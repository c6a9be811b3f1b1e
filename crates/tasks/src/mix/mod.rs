//! Task `mix`: a weighted mix of the other tasks, for one generalist model (`+`, `−`, `×` and
//! countdown in one set of weights) and the R1 recipe's broader task mix.
//!
//! The mix is a spec string, the `mix` config key: comma-separated components
//! `TASK[N][:STYLE]=WEIGHT`, for example the default
//! `add:carry=1,sub:borrow=1,mult:long=3,countdown3:optimal=1,countdown4:optimal=1`.
//! Each draw picks a component with probability proportional to its weight and draws a problem
//! from that task, built from the same config bag (so `min_digits`/`max_digits` set the digit
//! range of `add`, `sub` and `mult` alike). A trailing number on `countdown` fixes its number
//! count (`countdown4` is countdown with `countdown_numbers = 4`). `STYLE` is the trace the
//! `mixed` style writes for that component (default: the task's most readable worked style).
//!
//! Problems keep their own task's tag and difficulty (`3x3`, `2+4`, `3 numbers`), so files,
//! held-out splits and per-difficulty reports stay those of the tasks themselves.
//!
//! Thinking only when it pays (issue 13): with `mix_direct_easy` (on by default), a problem whose
//! operands are both single digits (`1+1`, `7*8`, `9-3`) is answered straight away — an empty
//! think block — because a fact needs no reasoning; everything else gets its worked trace, which
//! grows with the problem. That gives the generalist the lecture's two opening behaviours.
//!
//! A fact answered directly is recalled, not worked out, and recall cannot generalise to a fact
//! never seen: a model trained without the held-out `7-5` answered it `-6` (measured on the first
//! generalist run, docs/results.md §12). So with `mix_direct_easy` the training split draws the
//! single-digit cells from the whole table of 81 facts, held-out ones included — a times table is
//! learnt by heart — and those cells measure recall. Every other cell stays held out.
//!
//! The mix does not know the registry: [`MixTask::new`] takes a function that builds a task by
//! name, and `registry` passes its own.

use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};

use crate::config::{invalid, TaskConfig, TypedConfig};
use crate::error::TaskError;
use crate::problem::Problem;
use crate::style::{PromptStyle, Split};
use crate::task::{Explanation, Task};
use crate::trace_style::TraceStyle;

/// Task name.
pub const NAME: &str = "mix";

/// Each component's own trace (its `STYLE`), with easy problems answered directly.
pub const MIXED: TraceStyle = TraceStyle::named("mixed");

/// Trace styles `mix` offers.
pub const TRACE_STYLES: &[TraceStyle] = &[TraceStyle::DIRECT, MIXED];

/// The generalist's mix: products get most of the weight because they have the longest traces
/// and the most cells to learn.
pub const DEFAULT_MIX: &str = "add:carry=1,sub:borrow=1,mult:long=3,countdown3:optimal=1,countdown4:optimal=1";

/// The difficulty groups that `mix_direct_easy` answers without thinking.
const EASY: &[&str] = &["1x1", "1+1", "1-1"];

/// `mix`'s config: the spec and whether single-digit problems skip thinking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MixConfig {
    /// Components `TASK[N][:STYLE]=WEIGHT`, comma-separated (see the module doc).
    pub mix: String,
    /// Answer single-digit `+`, `−`, `×` problems with an empty think block.
    pub mix_direct_easy: bool,
}

impl Default for MixConfig {
    fn default() -> Self {
        MixConfig { mix: DEFAULT_MIX.to_string(), mix_direct_easy: true }
    }
}

impl TypedConfig for MixConfig {}

/// One component of a mix.
struct Component {
    /// As written in the spec (`countdown4`).
    label: String,
    task: Box<dyn Task>,
    style: TraceStyle,
    weight: f64,
    /// The difficulty its problems have, when the label fixes it (`4 numbers`).
    difficulty: Option<String>,
}

/// The weighted mix.
pub struct MixTask {
    components: Vec<Component>,
    total_weight: f64,
    direct_easy: bool,
}

/// Builds a task by registry name from a config bag.
pub type BuildTask<'a> = &'a dyn Fn(&str, &TaskConfig) -> Result<Box<dyn Task>, TaskError>;

impl MixTask {
    /// Parses the spec in `cfg` and builds each component with `build`.
    pub fn new(cfg: &TaskConfig, build: BuildTask<'_>) -> Result<MixTask, TaskError> {
        let own: MixConfig = cfg.read()?;
        let mut components = Vec::new();
        for part in own.mix.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            components.push(component(part, cfg, build)?);
        }
        if components.is_empty() {
            return Err(invalid("mix", &own.mix, "names no component; e.g. add=1,mult:long=3"));
        }
        let total_weight = components.iter().map(|c| c.weight).sum();
        Ok(MixTask { components, total_weight, direct_easy: own.mix_direct_easy })
    }

    /// The component a problem came from: its task, and its fixed difficulty if it has one.
    fn component_of(&self, p: &Problem) -> Option<&Component> {
        let difficulty = p.difficulty();
        let same_task = |c: &&Component| c.task.name() == p.task_name();
        self.components
            .iter()
            .filter(same_task)
            .find(|c| c.difficulty.as_deref().is_none_or(|d| d == difficulty))
            .or_else(|| self.components.iter().find(same_task))
    }

    fn owner(&self, p: &Problem) -> Result<&Component, TaskError> {
        self.component_of(p).ok_or_else(|| TaskError::BadQuestion {
            task: NAME,
            input: p.question(),
            reason: format!("is a `{}` problem, and this mix has no `{}` component", p.task_name(), p.task_name()),
        })
    }
}

/// Reads one `TASK[N][:STYLE]=WEIGHT` component.
fn component(part: &str, cfg: &TaskConfig, build: BuildTask<'_>) -> Result<Component, TaskError> {
    let bad = |reason: &str| invalid("mix", part, reason);
    let (head, weight) = part.split_once('=').ok_or_else(|| bad("each component is TASK[:STYLE]=WEIGHT"))?;
    let weight: f64 = weight.trim().parse().map_err(|_| bad("the weight is not a number"))?;
    if !(weight.is_finite() && weight > 0.0) {
        return Err(bad("the weight must be positive"));
    }
    let (label, style) = match head.split_once(':') {
        Some((label, style)) => (label.trim(), Some(style.trim().parse::<TraceStyle>()?)),
        None => (head.trim(), None),
    };
    let name = label.trim_end_matches(|c: char| c.is_ascii_digit());
    let count = &label[name.len()..];
    if name == NAME {
        return Err(bad("a mix cannot contain a mix"));
    }
    let (sub_cfg, difficulty) = match (name, count) {
        (_, "") => (cfg.clone(), None),
        ("countdown", n) => {
            let n: usize = n.parse().map_err(|_| bad("the number count is not a number"))?;
            (cfg.clone().with("countdown_numbers", n), Some(format!("{n} numbers")))
        }
        _ => return Err(bad("only `countdown` takes a number (countdown3, countdown4)")),
    };
    let task = build(name, &sub_cfg)?;
    // Without a style a component writes its task's most detailed trace (the last offered).
    let style = style.unwrap_or_else(|| task.trace_styles().last().copied().unwrap_or(TraceStyle::DIRECT));
    if !task.trace_styles().contains(&style) {
        return Err(bad(&format!("`{name}` has no trace style `{style}`")));
    }
    Ok(Component { label: label.to_string(), task, style, weight, difficulty })
}

impl Task for MixTask {
    fn name(&self) -> &'static str {
        NAME
    }

    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem {
        let mut pick = rng.gen_range(0.0..self.total_weight);
        // Rounding can leave `pick` at the top of the range: then the last component.
        let mut chosen = &self.components[self.components.len() - 1];
        for c in &self.components {
            if pick < c.weight {
                chosen = c;
                break;
            }
            pick -= c.weight;
        }
        let p = chosen.task.generate(rng, split);
        match split {
            Split::Train if self.direct_easy => any_fact(chosen, &p, rng).unwrap_or(p),
            _ => p,
        }
    }

    fn prompt(&self, p: &Problem, style: PromptStyle) -> String {
        match self.component_of(p) {
            Some(c) => c.task.prompt(p, style),
            None => p.question(),
        }
    }

    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }

    fn completion(&self, p: &Problem, style: TraceStyle, rng: &mut dyn RngCore) -> Result<String, TaskError> {
        let c = self.owner(p)?;
        let easy = self.direct_easy && EASY.contains(&p.difficulty().as_str());
        let style = if style == MIXED && !easy { c.style } else { TraceStyle::DIRECT };
        c.task.completion(p, style, rng)
    }

    /// The first component whose task reads the question (products, sums, differences and
    /// countdown problems do not look alike) and covers it.
    fn parse_question(&self, text: &str) -> Result<Problem, TaskError> {
        let mut parsed_but_outside = None;
        for c in &self.components {
            if let Ok(p) = c.task.parse_question(text) {
                if c.task.covers(&p).is_ok() {
                    return Ok(p);
                }
                parsed_but_outside = parsed_but_outside.or(Some(p));
            }
        }
        // A question of a known form but outside the trained range: `covers` says why, in
        // words, to whoever asked.
        parsed_but_outside.ok_or_else(|| TaskError::BadQuestion {
            task: NAME,
            input: text.to_string(),
            reason: format!("is none of this model's question forms: {}", forms(&self.components)),
        })
    }

    fn covers(&self, p: &Problem) -> Result<(), String> {
        let mut why =
            format!("this model was trained on {}, not `{}` problems", labels(&self.components), p.task_name());
        for c in self.components.iter().filter(|c| c.task.name() == p.task_name()) {
            match c.task.covers(p) {
                Ok(()) if c.difficulty.as_deref().is_none_or(|d| d == p.difficulty()) => return Ok(()),
                Ok(()) => {
                    why = format!(
                        "`{}` has {}; this model was trained on {}",
                        p.question(),
                        p.difficulty(),
                        labels(&self.components)
                    )
                }
                Err(e) => why = e,
            }
        }
        Err(why)
    }

    fn explain(&self, p: &Problem, completion: &str) -> Option<Explanation> {
        self.component_of(p)?.task.explain(p, completion)
    }
}

/// For a single-digit problem `p` of component `c`: a fact of the same operation drawn from the
/// whole table (operands 1–9), held-out facts included; `None` for any other problem.
fn any_fact(c: &Component, p: &Problem, rng: &mut dyn RngCore) -> Option<Problem> {
    let op = match p.difficulty().as_str() {
        "1+1" => '+',
        "1-1" => '-',
        "1x1" => '*',
        _ => return None,
    };
    let (a, b) = (rng.gen_range(1..=9u32), rng.gen_range(1..=9u32));
    c.task.parse_question(&format!("{a}{op}{b}")).ok()
}

/// `add, sub, mult, countdown3, countdown4`.
fn labels(components: &[Component]) -> String {
    components.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join(", ")
}

/// One example question per distinct task: `123+45, 503-68, 123*456, 25 5 4 -> 80`.
fn forms(components: &[Component]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    let mut rng = crate::seeded::SplitMix64::new(7);
    for c in components {
        if !seen.contains(&c.task.name()) {
            seen.push(c.task.name());
            out.push(c.task.generate(&mut rng, Split::Train).question());
        }
    }
    out.join(", ")
}

#[cfg(test)]
mod tests;
