//! The test-time-scaling grid: strategies × budgets × seeds on one task and one problem set,
//! each finished cell appended to `cells.jsonl` so an interrupted grid resumes where it stopped.
//!
//! A cell records accuracy and the compute spent per problem (tokens generated, prompt tokens
//! computed, verifier tokens, FLOPs), so strategies can be compared at equal budget N or equal
//! compute (Snell et al. 2024; search-and-learn). Strategies that make one attempt (`greedy`,
//! `sample`) ignore N and run once per seed (greedy once) as reference lines.

use deepthink_search::{by_name, Budget, Generator, Scorer, SearchError, StrategyOptions};
use deepthink_tasks::{Problem, Task, Verifier};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use crate::evaluate::Evaluation;
use crate::prediction::Prediction;
use serde::{Deserialize, Serialize};

/// One finished (strategy, budget, seed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub strategy: String,
    pub budget: usize,
    pub seed: u64,
    pub problems: usize,
    pub correct: usize,
    pub no_answer: usize,
    pub accuracy: f64,
    /// Means per problem.
    pub generated_tokens: f64,
    pub prompt_tokens: f64,
    pub verifier_tokens: f64,
    pub flops: f64,
    pub seconds: f64,
}

/// What to run.
#[derive(Clone, Debug)]
pub struct GridSpec {
    pub strategies: Vec<String>,
    pub budgets: Vec<usize>,
    pub seeds: usize,
    pub options: StrategyOptions,
    pub max_new_tokens: usize,
    /// About this many sequences in flight per strategy call.
    pub sequences_in_flight: usize,
}

/// Whether a strategy's result depends on N.
pub fn uses_budget(strategy: &str) -> bool {
    !matches!(strategy, "greedy" | "sample")
}

impl GridSpec {
    /// Every cell of the grid, in run order (cheap budgets first).
    pub fn cells(&self) -> Vec<(String, usize, u64)> {
        let mut out = Vec::new();
        for &b in &self.budgets {
            for s in &self.strategies {
                let (budget_ok, seeds) = match s.as_str() {
                    "greedy" => (b == self.budgets[0], 1),
                    "sample" => (b == self.budgets[0], self.seeds),
                    _ => (true, self.seeds),
                };
                if !budget_ok {
                    continue;
                }
                let budget = if uses_budget(s) { b } else { 1 };
                for seed in 0..seeds as u64 {
                    out.push((s.clone(), budget, seed));
                }
            }
        }
        out
    }
}

/// What every cell of one grid runs against.
#[derive(Clone, Copy)]
pub struct CellInputs<'a> {
    pub task: &'a dyn Task,
    pub problems: &'a [Problem],
    pub gen: &'a dyn Generator,
    pub scorer: Option<&'a dyn Scorer>,
    /// Checks the chosen answers; `None` for the task's own checker.
    pub verifier: Option<&'a dyn Verifier>,
}

/// Run one cell through the evaluation path: solve every problem, check the chosen answers,
/// average the spend.
pub fn run_cell(
    inputs: CellInputs,
    spec: &GridSpec,
    strategy: &str,
    budget: usize,
    seed: u64,
) -> Result<Cell, SearchError> {
    let CellInputs { task, problems, gen, scorer, verifier } = inputs;
    let options =
        StrategyOptions { seed: spec.options.seed.wrapping_add(seed.wrapping_mul(1_000_003)), ..spec.options.clone() };
    let s = by_name(strategy, &options, scorer)?;
    let chunk = (spec.sequences_in_flight / budget.max(1)).max(1);
    let b = Budget { samples: budget, max_new_tokens: spec.max_new_tokens };
    let run = Evaluation { task, strategy: s.as_ref(), gen, budget: b, chunk, verifier };
    let (report, preds) = run.run(problems, &mut |_, _| {})?;
    let n = problems.len().max(1) as f64;
    let mean = |f: &dyn Fn(&Prediction) -> f64| preds.iter().map(f).sum::<f64>() / n;
    Ok(Cell {
        strategy: strategy.to_string(),
        budget,
        seed,
        problems: problems.len(),
        correct: report.overall.correct,
        no_answer: report.overall.no_answer,
        accuracy: report.overall.correct as f64 / n,
        generated_tokens: mean(&|p| p.tokens as f64),
        prompt_tokens: mean(&|p| p.prompt_tokens as f64),
        verifier_tokens: mean(&|p| p.verifier_tokens as f64),
        flops: mean(&|p| p.flops),
        seconds: report.seconds,
    })
}

/// Cells already in `path` (a torn last line from an interrupted write is skipped).
pub fn read_cells(path: &Path) -> std::io::Result<Vec<Cell>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Append one finished cell (one line, flushed and synced). A torn line left by an interrupted
/// write is closed first, so it costs only itself.
pub fn append_cell(path: &Path, cell: &Cell) -> std::io::Result<()> {
    let torn = std::fs::read(path).ok().is_some_and(|b| b.last().is_some_and(|&c| c != b'\n'));
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let mut line = if torn { "\n".to_string() } else { String::new() };
    line.push_str(&serde_json::to_string(cell).map_err(std::io::Error::other)?);
    line.push('\n');
    f.write_all(line.as_bytes())?;
    f.sync_data()
}

/// Mean over seeds with a 95% confidence interval (Student's t).
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    pub strategy: String,
    pub budget: usize,
    pub seeds: usize,
    pub accuracy: f64,
    /// Half-width of the 95% interval (0 with one seed).
    pub ci95: f64,
    pub generated_tokens: f64,
    pub verifier_tokens: f64,
    pub flops: f64,
}

/// Average cells over seeds, per (strategy, budget), in strategy order then budget.
pub fn summarize(cells: &[Cell], strategies: &[String]) -> Vec<Point> {
    let mut groups: BTreeMap<(usize, usize), Vec<&Cell>> = BTreeMap::new();
    for c in cells {
        if let Some(i) = strategies.iter().position(|s| *s == c.strategy) {
            groups.entry((i, c.budget)).or_default().push(c);
        }
    }
    groups
        .into_iter()
        .map(|((i, budget), cs)| {
            let k = cs.len() as f64;
            let mean = |f: &dyn Fn(&Cell) -> f64| cs.iter().map(|c| f(c)).sum::<f64>() / k;
            let acc = mean(&|c| c.accuracy);
            let var =
                if cs.len() > 1 { cs.iter().map(|c| (c.accuracy - acc).powi(2)).sum::<f64>() / (k - 1.0) } else { 0.0 };
            Point {
                strategy: strategies[i].clone(),
                budget,
                seeds: cs.len(),
                accuracy: acc,
                ci95: t95(cs.len()) * (var / k).sqrt(),
                generated_tokens: mean(&|c| c.generated_tokens),
                verifier_tokens: mean(&|c| c.verifier_tokens),
                flops: mean(&|c| c.flops),
            }
        })
        .collect()
}

/// Two-sided 95% Student-t quantile for `k` samples (k − 1 degrees of freedom).
pub fn t95(k: usize) -> f64 {
    const T: [f64; 10] = [0.0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262];
    match k {
        0 | 1 => 0.0,
        k if k <= 10 => T[k - 1],
        _ => 1.96,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(strategy: &str, budget: usize, seed: u64, accuracy: f64) -> Cell {
        Cell {
            strategy: strategy.into(),
            budget,
            seed,
            problems: 10,
            correct: (accuracy * 10.0) as usize,
            no_answer: 0,
            accuracy,
            generated_tokens: 1.0,
            prompt_tokens: 1.0,
            verifier_tokens: 0.0,
            flops: 1.0,
            seconds: 0.0,
        }
    }

    #[test]
    fn summary_means_seeds_with_a_t_interval() {
        let cells = [cell("majority", 4, 0, 0.5), cell("majority", 4, 1, 0.7), cell("beam", 4, 0, 0.9)];
        let pts = summarize(&cells, &["majority".into(), "beam".into()]);
        assert_eq!(pts.len(), 2);
        assert_eq!(pts[0].strategy, "majority");
        assert!((pts[0].accuracy - 0.6).abs() < 1e-12);
        // sd = 0.1414, se = 0.1, t(1) = 12.706
        assert!((pts[0].ci95 - 1.2706).abs() < 1e-3, "{}", pts[0].ci95);
        assert_eq!(pts[1].ci95, 0.0);
    }

    #[test]
    fn one_attempt_strategies_run_once_and_cells_resume_from_disk() {
        let spec = GridSpec {
            strategies: vec!["greedy".into(), "majority".into()],
            budgets: vec![1, 4],
            seeds: 2,
            options: StrategyOptions::default(),
            max_new_tokens: 8,
            sequences_in_flight: 64,
        };
        let cells = spec.cells();
        assert_eq!(cells.iter().filter(|c| c.0 == "greedy").count(), 1);
        assert_eq!(cells.iter().filter(|c| c.0 == "majority").count(), 4);
        let dir = std::env::temp_dir().join(format!("dt-grid-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cells.jsonl");
        let _ = std::fs::remove_file(&path);
        append_cell(&path, &cell("majority", 4, 0, 0.5)).unwrap();
        // a torn write
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"strategy\":\"ma").unwrap();
        assert_eq!(read_cells(&path).unwrap(), vec![cell("majority", 4, 0, 0.5)]);
        append_cell(&path, &cell("majority", 4, 1, 0.6)).unwrap();
        assert_eq!(read_cells(&path).unwrap().len(), 2, "the cell after a torn line survives");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
