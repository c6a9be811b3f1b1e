//! `deepthink eval --suite mixed`: one mixed-difficulty benchmark, from `1+1` to 5×5-digit
//! products and countdown-4, with the same number of held-out problems in each difficulty bin,
//! scored per bin for each method (a model with a strategy): accuracy, thinking tokens, and
//! samples per question. This is the figure overthinking work is judged on — compute should go
//! where the problem needs it, so the easy bins should be nearly free and the hard ones not worse.
//!
//! The bins, each drawn from its task's held-out split with a fixed seed:
//!
//! | bin | problems |
//! |---|---|
//! | `facts` | single-digit `+`, `−`, `×` in turn (`7*8`, `3-9`) |
//! | `+− 2–3` | `add` and `sub` in turn, 2–3-digit operands |
//! | `+− 4–5` | `add` and `sub` in turn, 4–5-digit operands |
//! | `× 2–3` | products of 2–3-digit operands |
//! | `× 4–5` | products of 4–5-digit operands |
//! | `countdown-3` | three numbers up to 30, targets 10–100 |
//! | `countdown-4` | four numbers up to 30, targets 10–100 |
//!
//! Problems are judged by the `mix` task built over every component, so one model sees them all.

use std::path::Path;

use plotters::prelude::*;
use serde::Serialize;

use deepthink_tasks::{split_problems, task_by_name, Problem, Split, Task, TaskConfig, TaskError, Verdict};

use crate::plot::PALETTE;
use crate::prediction::Prediction;

/// The suite's name on the command line.
pub const MIXED: &str = "mixed";

/// Every bin's label, in order.
pub const BINS: [&str; 7] = ["facts", "+− 2–3", "+− 4–5", "× 2–3", "× 4–5", "countdown-3", "countdown-4"];

/// One difficulty bin: its label and problems.
#[derive(Clone, Debug)]
pub struct Bin {
    pub label: &'static str,
    pub problems: Vec<Problem>,
}

/// The task that prompts and checks every suite problem: `mix` over all of its components.
pub fn suite_task() -> Result<Box<dyn Task>, TaskError> {
    let cfg = TaskConfig::default()
        .with("min_digits", 1)
        .with("max_digits", 5)
        .with("mix", "add=1,sub=1,mult=1,countdown3=1,countdown4=1");
    task_by_name("mix", &cfg)
}

/// The suite's bins, `per_bin` held-out problems each, drawn with `seed`.
pub fn mixed_suite(per_bin: usize, seed: u64) -> Result<Vec<Bin>, TaskError> {
    mixed_suite_from(per_bin, seed, Split::Test)
}

/// The suite's bins drawn from `split`, e.g. another seed's held-out draw (or the training split
/// where that space is small) for calibration problems of the same kinds.
pub fn mixed_suite_from(per_bin: usize, seed: u64, split: Split) -> Result<Vec<Bin>, TaskError> {
    let digits = |name: &str, lo: u32, hi: u32| {
        task_by_name(name, &TaskConfig::default().with("min_digits", lo).with("max_digits", hi))
    };
    let countdown = |n: usize| task_by_name("countdown", &TaskConfig::default().with("countdown_numbers", n));
    let alternate = |tasks: &[Box<dyn Task>]| -> Vec<Problem> {
        let each: Vec<Vec<Problem>> =
            tasks.iter().map(|t| split_problems(t.as_ref(), per_bin.div_ceil(tasks.len()), seed, split)).collect();
        (0..per_bin).map(|i| each[i % tasks.len()][i / tasks.len()].clone()).collect()
    };
    let draw = |t: Box<dyn Task>| split_problems(t.as_ref(), per_bin, seed, split);
    Ok(vec![
        Bin {
            label: BINS[0],
            problems: alternate(&[digits("add", 1, 1)?, digits("sub", 1, 1)?, digits("mult", 1, 1)?]),
        },
        Bin { label: BINS[1], problems: alternate(&[digits("add", 2, 3)?, digits("sub", 2, 3)?]) },
        Bin { label: BINS[2], problems: alternate(&[digits("add", 4, 5)?, digits("sub", 4, 5)?]) },
        Bin { label: BINS[3], problems: draw(digits("mult", 2, 3)?) },
        Bin { label: BINS[4], problems: draw(digits("mult", 4, 5)?) },
        Bin { label: BINS[5], problems: draw(countdown(3)?) },
        Bin { label: BINS[6], problems: draw(countdown(4)?) },
    ])
}

/// How one method did on one bin (or on the whole suite).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct BinStats {
    pub bin: String,
    pub n: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// Mean thinking tokens of the shown completion.
    pub thinking_tokens: f64,
    /// Mean tokens generated per problem, every sample included.
    pub generated_tokens: f64,
    /// Mean whole solutions sampled per problem.
    pub samples: f64,
    /// Share of problems answered with an empty think block.
    pub no_thinking: f64,
}

impl BinStats {
    fn of(bin: &str, preds: &[&Prediction]) -> BinStats {
        let n = preds.len();
        let mean = |f: &dyn Fn(&Prediction) -> f64| preds.iter().map(|p| f(p)).sum::<f64>() / n.max(1) as f64;
        let correct = preds.iter().filter(|p| p.verdict == Verdict::Correct).count();
        BinStats {
            bin: bin.to_string(),
            n,
            correct,
            accuracy: correct as f64 / n.max(1) as f64,
            thinking_tokens: mean(&|p| p.reasoning_tokens as f64),
            generated_tokens: mean(&|p| p.tokens as f64),
            samples: mean(&|p| p.samples.max(1) as f64),
            no_thinking: mean(&|p| f64::from(u8::from(deepthink_tasks::text::answers_without_thinking(&p.completion)))),
        }
    }
}

/// One method's row: the whole suite and each bin.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SuiteRow {
    pub method: String,
    pub overall: BinStats,
    pub bins: Vec<BinStats>,
}

/// Scores `preds`, in the order of the bins' problems, as `method`'s row.
pub fn score(method: &str, bins: &[Bin], preds: &[Prediction]) -> SuiteRow {
    let mut rows = Vec::new();
    let mut at = 0;
    for b in bins {
        let part: Vec<&Prediction> =
            preds[at.min(preds.len())..(at + b.problems.len()).min(preds.len())].iter().collect();
        rows.push(BinStats::of(b.label, &part));
        at += b.problems.len();
    }
    let all: Vec<&Prediction> = preds.iter().collect();
    SuiteRow { method: method.to_string(), overall: BinStats::of("all", &all), bins: rows }
}

/// The suite as Markdown: accuracy and thinking tokens per bin, one row per method, then
/// samples per question where a method samples more than once.
pub fn markdown(rows: &[SuiteRow]) -> String {
    let Some(first) = rows.first() else { return String::new() };
    let bins: Vec<&str> = first.bins.iter().map(|b| b.bin.as_str()).collect();
    let head = |title: &str| {
        let mut s = format!("| {title} | all |");
        for b in &bins {
            s.push_str(&format!(" {b} |"));
        }
        s.push_str(&format!("\n|---|---|{}\n", "---|".repeat(bins.len())));
        s
    };
    let table = |title: &str, cell: &dyn Fn(&BinStats) -> String| {
        let mut s = head(title);
        for r in rows {
            s.push_str(&format!("| {} | {} |", r.method, cell(&r.overall)));
            for b in &r.bins {
                s.push_str(&format!(" {} |", cell(b)));
            }
            s.push('\n');
        }
        s
    };
    let mut out = String::new();
    out.push_str(&table("accuracy", &|b| format!("{:.1}%", 100.0 * b.accuracy)));
    out.push('\n');
    out.push_str(&table("thinking tokens", &|b| format!("{:.1}", b.thinking_tokens)));
    out.push('\n');
    out.push_str(&table("answered without thinking", &|b| format!("{:.0}%", 100.0 * b.no_thinking)));
    if rows.iter().any(|r| r.overall.samples > 1.0) {
        out.push('\n');
        out.push_str(&table("samples per question", &|b| format!("{:.2}", b.samples)));
    }
    out
}

/// The suite's chart: accuracy per bin above, thinking tokens per bin below, one bar colour per
/// method, the legend under the title.
pub fn chart(path: &Path, title: &str, rows: &[SuiteRow]) -> Result<(), Box<dyn std::error::Error>> {
    let Some(first) = rows.first() else { return Err("no methods to chart".into()) };
    let bins: Vec<String> = first.bins.iter().map(|b| b.bin.clone()).collect();
    let root = SVGBackend::new(path, (1100, 760)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, rest) = root.split_vertically(60);
    top.draw(&Text::new(title.to_string(), (16, 8), ("sans-serif", 18).into_font()))?;
    for (k, r) in rows.iter().enumerate() {
        let x = 16 + 260 * k as i32;
        let color = PALETTE[k % PALETTE.len()];
        top.draw(&Rectangle::new([(x, 38), (x + 14, 52)], color.filled()))?;
        top.draw(&Text::new(r.method.clone(), (x + 20, 38), ("sans-serif", 13).into_font()))?;
    }
    let (upper, lower) = rest.split_vertically(350);
    let max_tokens = rows.iter().flat_map(|r| r.bins.iter().map(|b| b.thinking_tokens)).fold(1.0, f64::max) * 1.1;
    panel(&upper, &bins, rows, "accuracy (%)", 0.0..105.0, &|b| 100.0 * b.accuracy)?;
    panel(&lower, &bins, rows, "thinking tokens (mean)", 0.0..max_tokens, &|b| b.thinking_tokens)?;
    root.present()?;
    Ok(())
}

/// One grouped-bar panel: bins along x, one bar per method in each.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    bins: &[String],
    rows: &[SuiteRow],
    y_desc: &str,
    y: std::ops::Range<f64>,
    value: &dyn Fn(&BinStats) -> f64,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let n = bins.len() as f64;
    let mut chart =
        ChartBuilder::on(area).margin(12).x_label_area_size(30).y_label_area_size(56).build_cartesian_2d(0.0..n, y)?;
    let labels = bins.to_vec();
    chart
        .configure_mesh()
        .y_desc(y_desc)
        .x_labels(bins.len() * 2 + 1)
        .x_label_formatter(&|v: &f64| {
            let i = (v - 0.5).round();
            if (v - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;
    let width = 0.8 / rows.len().max(1) as f64;
    for (k, r) in rows.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        chart.draw_series(r.bins.iter().enumerate().map(|(i, b)| {
            let x0 = i as f64 + 0.1 + width * k as f64;
            Rectangle::new([(x0, 0.0), (x0 + width * 0.92, value(b))], color.filled())
        }))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_equal_held_out_and_of_their_kind() {
        let bins = mixed_suite(12, 1).unwrap();
        assert_eq!(bins.iter().map(|b| b.label).collect::<Vec<_>>(), BINS);
        let task = suite_task().unwrap();
        for b in &bins {
            assert_eq!(b.problems.len(), 12, "{}", b.label);
            for p in &b.problems {
                assert!(task.covers(p).is_ok(), "{} {p:?}", b.label);
            }
        }
        let kinds = |i: usize| bins[i].problems.iter().map(|p| p.difficulty()).collect::<Vec<_>>();
        assert!(kinds(0).iter().all(|d| ["1+1", "1-1", "1x1"].contains(&d.as_str())));
        assert!(kinds(4).iter().all(|d| d.contains('x') && !d.contains('1') && !d.contains('2')));
        assert!(kinds(6).iter().all(|d| d == "4 numbers"));
        assert!(bins[2].problems.iter().all(|p| p.is_held_out()));
        assert_eq!(mixed_suite(12, 1).unwrap()[3].problems, bins[3].problems, "seeded");
    }

    #[test]
    fn scores_each_bin_and_writes_a_table_and_a_chart() {
        let bins = mixed_suite(2, 1).unwrap();
        let task = suite_task().unwrap();
        let mut rng = deepthink_tasks::seeded::SplitMix64::new(1);
        let preds: Vec<Prediction> = bins
            .iter()
            .flat_map(|b| b.problems.iter())
            .enumerate()
            .map(|(i, p)| {
                // Right on even problems (the reference trace), an empty wrong answer on odd ones.
                let style = deepthink_tasks::mix::MIXED;
                let c = if i % 2 == 0 {
                    task.completion(p, style, &mut rng).unwrap()
                } else {
                    "<think>\n\n</think>\n\nx".into()
                };
                let checked = task.verify(p, &c);
                let solution = deepthink_search::Solution {
                    answer: None,
                    completion: c,
                    finish: deepthink_model::FinishReason::Stop,
                    reasoning_tokens: 3,
                    generated_tokens: 3,
                    prompt_tokens: 0,
                    verifier_tokens: 0,
                    flops: 0.0,
                    samples: Vec::new(),
                };
                Prediction::new(p, solution, checked, Default::default())
            })
            .collect();
        let row = score("ref", &bins, &preds);
        assert_eq!(row.overall.n, 14);
        assert!(row.bins.iter().all(|b| b.n == 2 && b.correct <= 1));
        assert_eq!(row.bins[0].no_thinking, 1.0);
        let md = markdown(std::slice::from_ref(&row));
        assert!(md.contains("| ref |") && md.contains("countdown-4"), "{md}");
        let path = std::env::temp_dir().join(format!("dt-suite-{}.svg", std::process::id()));
        chart(&path, "suite", &[row]).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains("ref") && svg.contains("countdown-3"));
        std::fs::remove_file(&path).unwrap();
    }
}
