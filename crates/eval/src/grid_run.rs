//! Running a whole grid into a directory, resumably: `OUT/grid.json` holds the settings (a rerun
//! with other settings is refused unless restarted), `OUT/cells.jsonl` every finished cell (a
//! rerun runs only the missing ones), then `summary.json`, `summary.md` and two charts —
//! accuracy against N and against inference FLOPs per problem. A comparison model's greedy cell
//! is cached the same way and drawn as a reference line.

use std::path::{Path, PathBuf};

use deepthink_model::fsutil::write_atomic;
use deepthink_search::{scorer_for, Generator, Scorer};
use deepthink_tasks::{Problem, Task, Verifier};

use crate::grid::{append_cell, read_cells, run_cell, summarize, uses_budget, Cell, CellInputs, GridSpec, Point};
use crate::plot::{plot_grid, Reference, XAxis};

/// A model evaluated greedily beside the grid (a bigger model, say).
pub struct Comparison<'a> {
    /// Its cell's strategy name, e.g. `greedy:runs/big/checkpoint`.
    pub name: String,
    /// Its reference line's label.
    pub label: String,
    pub gen: &'a dyn Generator,
}

/// Everything a grid run needs.
pub struct GridRun<'a> {
    pub out: PathBuf,
    /// Written to `grid.json`; must equal what an earlier run wrote there.
    pub settings: serde_json::Value,
    /// Forget cached cells and settings.
    pub restart: bool,
    pub spec: GridSpec,
    pub task: &'a dyn Task,
    pub problems: &'a [Problem],
    pub gen: &'a dyn Generator,
    /// Process and outcome verifiers (see `scorer_for`).
    pub prm: Option<&'a dyn Scorer>,
    pub orm: Option<&'a dyn Scorer>,
    pub compare: Option<Comparison<'a>>,
    pub title: String,
    /// Checks every cell's answers; `None` for the task's own checker.
    pub verifier: Option<&'a dyn Verifier>,
}

/// Why a grid could not run or be written.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    #[error("{0} was made with other settings (model, verifier, problems or strategy knobs); pass --restart or another --out")]
    Settings(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(transparent)]
    Search(#[from] deepthink_search::SearchError),
}

fn io(path: &Path, e: impl std::fmt::Display) -> GridError {
    GridError::Io { path: path.display().to_string(), message: e.to_string() }
}

impl GridRun<'_> {
    /// Runs every missing cell (each appended to `cells.jsonl` as it finishes; `log` gets a line
    /// per cell), then writes the summary and charts. Returns the summary table (markdown).
    pub fn run(&self, log: &mut dyn FnMut(&str)) -> Result<String, GridError> {
        std::fs::create_dir_all(&self.out).map_err(|e| io(&self.out, e))?;
        let cells_path = self.out.join("cells.jsonl");
        self.check_settings(&cells_path)?;
        let mut cells = read_cells(&cells_path).map_err(|e| io(&cells_path, e))?;
        let todo = self.spec.cells();
        let total = todo.len();
        for (k, (strategy, budget, seed)) in todo.into_iter().enumerate() {
            if cells.iter().any(|c| c.strategy == strategy && c.budget == budget && c.seed == seed) {
                continue;
            }
            let scorer = scorer_for(&strategy, self.prm, self.orm);
            let inputs =
                CellInputs { task: self.task, problems: self.problems, gen: self.gen, scorer, verifier: self.verifier };
            let cell = run_cell(inputs, &self.spec, &strategy, budget, seed)?;
            log(&format!(
                "[{}/{total}] {strategy:>17} N={budget:<3} seed {seed}: {:5.1}%  {:7.0} tokens + {:6.0} verifier tokens · {:.2e} FLOPs per problem · {:.0} s",
                k + 1,
                100.0 * cell.accuracy,
                cell.generated_tokens,
                cell.verifier_tokens,
                cell.flops,
                cell.seconds
            ));
            append_cell(&cells_path, &cell).map_err(|e| io(&cells_path, e))?;
            cells.push(cell);
        }
        let mut references = Vec::new();
        if let Some(c) = &self.compare {
            let cell = match cells.iter().find(|x| x.strategy == c.name) {
                Some(x) => x.clone(),
                None => {
                    let inputs = CellInputs {
                        task: self.task,
                        problems: self.problems,
                        gen: c.gen,
                        scorer: None,
                        verifier: self.verifier,
                    };
                    let mut x = run_cell(inputs, &self.spec, "greedy", 1, 0)?;
                    x.strategy = c.name.clone();
                    append_cell(&cells_path, &x).map_err(|e| io(&cells_path, e))?;
                    cells.push(x.clone());
                    x
                }
            };
            log(&format!("{}: {:.1}% · {:.2e} FLOPs per problem", c.name, 100.0 * cell.accuracy, cell.flops));
            references.push(Reference { label: c.label.clone(), accuracy: cell.accuracy });
        }
        let strategies = &self.spec.strategies;
        let curves: Vec<String> = strategies.iter().filter(|s| uses_budget(s)).cloned().collect();
        let points = summarize(&cells, &curves);
        for s in strategies.iter().filter(|s| !uses_budget(s)) {
            if let Some(p) = summarize(&cells, std::slice::from_ref(s)).first() {
                references.insert(0, Reference { label: format!("{s} (this model)"), accuracy: p.accuracy });
            }
        }
        let table = self.write_summary(&summarize(&cells, &all_names(&cells, strategies)))?;
        if !points.is_empty() {
            for (x, file) in [(XAxis::Budget, "accuracy-vs-n.svg"), (XAxis::Flops, "accuracy-vs-flops.svg")] {
                let path = self.out.join(file);
                plot_grid(&path, &self.title, &points, &references, x).map_err(|e| io(&path, e))?;
            }
        }
        Ok(table)
    }

    /// Refuses a directory whose `grid.json` holds other settings; writes them otherwise.
    fn check_settings(&self, cells_path: &Path) -> Result<(), GridError> {
        let settings_path = self.out.join("grid.json");
        if self.restart {
            let _ = std::fs::remove_file(cells_path);
        }
        match std::fs::read_to_string(&settings_path) {
            Ok(old) if !self.restart => {
                let old: serde_json::Value = serde_json::from_str(&old).unwrap_or_default();
                if old != self.settings {
                    return Err(GridError::Settings(settings_path.display().to_string()));
                }
                Ok(())
            }
            _ => {
                let bytes = serde_json::to_vec_pretty(&self.settings).map_err(|e| io(&settings_path, e))?;
                write_atomic(&settings_path, &bytes).map_err(|e| io(&settings_path, e))
            }
        }
    }

    /// `summary.json` and `summary.md`; returns the markdown.
    fn write_summary(&self, points: &[Point]) -> Result<String, GridError> {
        let json_path = self.out.join("summary.json");
        let json = serde_json::to_vec_pretty(points).map_err(|e| io(&json_path, e))?;
        write_atomic(&json_path, &json).map_err(|e| io(&json_path, e))?;
        let md = summary_table(points);
        let md_path = self.out.join("summary.md");
        write_atomic(&md_path, md.as_bytes()).map_err(|e| io(&md_path, e))?;
        Ok(md)
    }
}

/// The grid's markdown table.
pub fn summary_table(points: &[Point]) -> String {
    let mut md = String::from(
        "| strategy | N | accuracy | ±95% | seeds | generated tokens | verifier tokens | FLOPs |\n|---|---|---|---|---|---|---|---|\n",
    );
    for p in points {
        md.push_str(&format!(
            "| {} | {} | {:.1}% | {:.1} | {} | {:.0} | {:.0} | {:.2e} |\n",
            p.strategy,
            p.budget,
            100.0 * p.accuracy,
            100.0 * p.ci95,
            p.seeds,
            p.generated_tokens,
            p.verifier_tokens,
            p.flops
        ));
    }
    md
}

/// The grid's strategies, then any other strategy a cached cell holds (a comparison model).
fn all_names(cells: &[Cell], strategies: &[String]) -> Vec<String> {
    let mut names = strategies.to_vec();
    for c in cells {
        if !names.contains(&c.strategy) {
            names.push(c.strategy.clone());
        }
    }
    names
}
