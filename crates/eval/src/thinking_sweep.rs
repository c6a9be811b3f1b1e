//! Budget forcing measured as s1's Table 3 (Muennighoff et al. 2025): the same problems solved
//! under a series of thinking budgets, each row's accuracy beside the thinking tokens it spent.
//!
//! - **Control**: the share of problems whose thinking stayed within the row's maximum (budget
//!   forcing should give 100% by construction; a token-count prompt does not).
//! - **At the cap**: the share whose thinking reached the maximum — cut by the decoder's
//!   `</think>`, or (rarely) closing on its own at exactly that length.
//! - **Slope**: how accuracy grows with thinking — the mean, over consecutive rows, of the change
//!   in accuracy (points) per doubling of the mean thinking tokens. s1 reports the average slope
//!   of its piecewise-linear accuracy-vs-tokens curve; per doubling keeps the figure comparable
//!   across models whose thinking lengths differ tenfold.
//! - Minimum rows (`min_thinking_tokens` with a wait word) say which appended word helps: s1 found
//!   "Wait" better than "Hmm", "Alternatively" or nothing.
//!
//! One [`Evaluation`] per row, with a generator made for that row's budget.

use deepthink_model::ThinkingBudget;
use deepthink_search::{Budget, Generator, SearchError, Strategy};
use deepthink_tasks::{Problem, Task, Verifier};
use serde::Serialize;

use crate::evaluate::Evaluation;

/// One budget's result.
#[derive(Clone, Debug, Serialize)]
pub struct SweepRow {
    /// `max` or `min:WORD`, as the table prints it.
    pub label: String,
    pub budget: ThinkingBudget,
    pub accuracy: f64,
    pub no_answer: f64,
    pub mean_thinking_tokens: f64,
    /// Share of problems whose thinking stayed within the maximum (1 when there is none).
    pub control: f64,
    /// Share of problems whose thinking reached the maximum.
    pub at_cap: f64,
}

/// Everything a sweep needs besides the generator, which depends on the row.
pub struct Sweep<'a> {
    pub task: &'a dyn Task,
    pub strategy: &'a dyn Strategy,
    pub budget: Budget,
    pub chunk: usize,
    pub verifier: Option<&'a dyn Verifier>,
}

impl Sweep<'_> {
    /// Run every budget in `rows` on `problems`, the generator for each made by `make_gen`.
    pub fn run<'g>(
        &self,
        problems: &[Problem],
        rows: &[(String, ThinkingBudget)],
        make_gen: &dyn Fn(&ThinkingBudget) -> Box<dyn Generator + 'g>,
        progress: &mut dyn FnMut(&SweepRow),
    ) -> Result<Vec<SweepRow>, SearchError> {
        let mut out = Vec::with_capacity(rows.len());
        for (label, tb) in rows {
            let gen = make_gen(tb);
            let eval = Evaluation {
                task: self.task,
                strategy: self.strategy,
                gen: gen.as_ref(),
                budget: self.budget,
                chunk: self.chunk,
                verifier: self.verifier,
            };
            let (report, preds) = eval.run(problems, &mut |_, _| {})?;
            let n = preds.len().max(1) as f64;
            let within = preds.iter().filter(|p| tb.max.is_none_or(|m| p.reasoning_tokens <= m)).count();
            let at_cap = preds.iter().filter(|p| tb.max.is_some_and(|m| p.reasoning_tokens >= m)).count();
            let row = SweepRow {
                label: label.clone(),
                budget: tb.clone(),
                accuracy: report.overall.accuracy,
                no_answer: report.no_answer_rate,
                mean_thinking_tokens: report.mean_reasoning_tokens,
                control: within as f64 / n,
                at_cap: at_cap as f64 / n,
            };
            progress(&row);
            out.push(row);
        }
        Ok(out)
    }
}

/// Accuracy points gained per doubling of mean thinking tokens, averaged over consecutive rows
/// (sorted by thinking tokens); `None` with fewer than two distinct lengths.
pub fn slope_per_doubling(rows: &[&SweepRow]) -> Option<f64> {
    let mut pts: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.mean_thinking_tokens > 0.0)
        .map(|r| (r.mean_thinking_tokens.log2(), 100.0 * r.accuracy))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let slopes: Vec<f64> =
        pts.windows(2).filter(|w| w[1].0 - w[0].0 > 1e-9).map(|w| (w[1].1 - w[0].1) / (w[1].0 - w[0].0)).collect();
    (!slopes.is_empty()).then(|| slopes.iter().sum::<f64>() / slopes.len() as f64)
}

/// The table, as Markdown.
pub fn markdown(rows: &[SweepRow]) -> String {
    let mut s = String::from(
        "| budget | accuracy | no answer | mean thinking tokens | control | at the cap |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        s.push_str(&format!(
            "| {} | {:.1}% | {:.1}% | {:.1} | {:.0}% | {:.0}% |\n",
            r.label,
            100.0 * r.accuracy,
            100.0 * r.no_answer,
            r.mean_thinking_tokens,
            100.0 * r.control,
            100.0 * r.at_cap
        ));
    }
    let max_rows: Vec<&SweepRow> = rows.iter().filter(|r| r.budget.min == 0).collect();
    match slope_per_doubling(&max_rows) {
        Some(sl) => s.push_str(&format!(
            "\nSlope over the maximum rows: {sl:+.1} accuracy points per doubling of thinking tokens.\n"
        )),
        None => s.push_str("\nSlope: fewer than two distinct thinking lengths.\n"),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(tokens: f64, acc: f64) -> SweepRow {
        SweepRow {
            label: String::new(),
            budget: ThinkingBudget::default(),
            accuracy: acc,
            no_answer: 0.0,
            mean_thinking_tokens: tokens,
            control: 1.0,
            at_cap: 0.0,
        }
    }

    #[test]
    fn the_slope_is_points_per_doubling_averaged_over_segments() {
        let rows = [row(8.0, 0.10), row(16.0, 0.30), row(32.0, 0.40)];
        let refs: Vec<&SweepRow> = rows.iter().collect();
        assert!((slope_per_doubling(&refs).unwrap() - 15.0).abs() < 1e-9, "(20 + 10) / 2");
        assert_eq!(slope_per_doubling(&refs[..1]), None);
    }
}
