//! Length statistics of reference traces (lines and characters of the think block), used to
//! document and compare trace styles.

use crate::seeded::SplitMix64;
use crate::style::Split;
use crate::task::Task;
use crate::text::{think_block, think_lines};
use crate::trace_style::TraceStyle;

/// Mean, median and max of one measure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub mean: f64,
    pub median: usize,
    pub max: usize,
}

/// Line and character counts of think blocks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LengthStats {
    pub problems: usize,
    pub lines: Summary,
    pub chars: Summary,
}

fn summarise(mut xs: Vec<usize>) -> Summary {
    xs.sort_unstable();
    let mean = xs.iter().sum::<usize>() as f64 / xs.len().max(1) as f64;
    Summary { mean, median: xs.get(xs.len() / 2).copied().unwrap_or(0), max: xs.last().copied().unwrap_or(0) }
}

/// Measures `style` over `n` training problems drawn with `seed`. The characters counted are
/// those between `<think>\n` and `\n</think>` (newlines between lines included).
/// Problems whose trace fails (an unsupported style) are skipped.
pub fn trace_length_stats(task: &dyn Task, style: TraceStyle, n: usize, seed: u64) -> LengthStats {
    let mut rng = SplitMix64::new(seed);
    let (mut lines, mut chars) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let p = task.generate(&mut rng, Split::Train);
        if let Ok(c) = task.completion(&p, style, &mut rng) {
            lines.push(think_lines(&c).len());
            chars.push(think_block(&c).trim_matches('\n').chars().count());
        }
    }
    LengthStats { problems: lines.len(), lines: summarise(lines), chars: summarise(chars) }
}
