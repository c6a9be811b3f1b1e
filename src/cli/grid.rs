//! `deepthink eval --budgets …`: the strategies × budgets × seeds grid. Finished cells are cached
//! in `OUT/cells.jsonl`; the grid's settings in `OUT/grid.json` must match on a rerun (or pass
//! --restart). Writes `summary.json`, `summary.md` and two charts: accuracy against N and against
//! inference FLOPs per problem.

use std::path::Path;

use anyhow::{bail, Context};
use deepthink_eval::grid::{append_cell, read_cells, run_cell, summarize, Cell, CellInputs, GridSpec, Point};
use deepthink_eval::plot::{plot_grid, Reference, XAxis};
use deepthink_search::LocalGenerator;
use deepthink_tasks::task_by_name;
use deepthink_tasks::split::held_out_problems;

use super::eval::{load_scorer, scorer_for, EvalArgs};

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    let strategies = a.strategies()?;
    if a.budgets.contains(&0) {
        bail!("--budgets: every budget must be at least 1, got 0");
    }
    if a.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    let (model_name, ck) = super::load_model(&a.model)?;
    let task = task_by_name(&a.task.task, &a.task.config())?;
    let problems = match &a.problems {
        Some(p) => deepthink_tasks::external::read_problems(p)?,
        None => held_out_problems(task.as_ref(), a.n, a.seed),
    };
    if problems.is_empty() {
        bail!("no problems to evaluate");
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let settings = serde_json::json!({
        "model": model_name, "task": a.task.task, "task_config": a.task.config(), "problems": problems.len(),
        "problem_file": a.problems, "seed": a.seed, "prompt": a.prompt.to_string(), "temperature": a.temperature,
        "max_new_tokens": a.max_new_tokens, "verifier": a.verifier, "orm": a.orm, "width": a.width,
        "max_steps": a.max_steps, "exploration": a.exploration, "round": a.round, "confidence": a.confidence,
    });
    let cells_path = a.out.join("cells.jsonl");
    let settings_path = a.out.join("grid.json");
    if a.restart {
        let _ = std::fs::remove_file(&cells_path);
    }
    match std::fs::read_to_string(&settings_path) {
        Ok(old) if !a.restart => {
            let old: serde_json::Value = serde_json::from_str(&old).unwrap_or_default();
            if old != settings {
                bail!(
                    "{} was made with other settings (model, verifier, problems or strategy knobs); pass --restart or another --out",
                    settings_path.display()
                );
            }
        }
        _ => deepthink_model::fsutil::write_atomic(&settings_path, &serde_json::to_vec_pretty(&settings)?)?,
    }
    let prm = a.verifier.as_deref().map(load_scorer).transpose()?;
    let orm = a.orm.as_deref().map(load_scorer).transpose()?;
    let spec = GridSpec {
        strategies: strategies.clone(),
        budgets: a.budgets.clone(),
        seeds: a.seeds,
        options: a.options(),
        max_new_tokens: a.max_new_tokens,
        sequences_in_flight: 512,
    };
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let mut cells = read_cells(&cells_path)?;
    let todo = spec.cells();
    let total = todo.len();
    for (k, (strategy, budget, seed)) in todo.into_iter().enumerate() {
        if cells.iter().any(|c| c.strategy == strategy && c.budget == budget && c.seed == seed) {
            continue;
        }
        let scorer = scorer_for(&strategy, prm.as_deref(), orm.as_deref());
        let inputs = CellInputs { task: task.as_ref(), problems: &problems, gen: &gen, scorer, verifier: None };
        let cell = run_cell(inputs, &spec, &strategy, budget, seed)?;
        eprintln!(
            "[{}/{total}] {strategy:>17} N={budget:<3} seed {seed}: {:5.1}%  {:7.0} tokens + {:6.0} verifier tokens · {:.2e} FLOPs per problem · {:.0} s",
            k + 1,
            100.0 * cell.accuracy,
            cell.generated_tokens,
            cell.verifier_tokens,
            cell.flops,
            cell.seconds
        );
        append_cell(&cells_path, &cell)?;
        cells.push(cell);
    }
    let mut references = Vec::new();
    if let Some(dir) = &a.compare_model {
        let name = format!("greedy:{}", dir.display());
        let other = deepthink_model::load_checkpoint(dir).with_context(|| format!("loading {}", dir.display()))?;
        let params = other.model.n_params();
        let cell = match cells.iter().find(|c| c.strategy == name) {
            Some(c) => c.clone(),
            None => {
                let g = LocalGenerator::new(&other.model, &other.tokenizer);
                let inputs = CellInputs { task: task.as_ref(), problems: &problems, gen: &g, scorer: None, verifier: None };
                let mut c = run_cell(inputs, &spec, "greedy", 1, 0)?;
                c.strategy = name.clone();
                append_cell(&cells_path, &c)?;
                cells.push(c.clone());
                c
            }
        };
        eprintln!("{name} ({params} parameters): {:.1}% · {:.2e} FLOPs per problem", 100.0 * cell.accuracy, cell.flops);
        references.push(Reference {
            label: format!("{} greedy, {}k params", short(dir), params / 1000),
            accuracy: cell.accuracy,
        });
    }
    let curves: Vec<String> = strategies.iter().filter(|s| deepthink_eval::grid::uses_budget(s)).cloned().collect();
    let points = summarize(&cells, &curves);
    for s in strategies.iter().filter(|s| !deepthink_eval::grid::uses_budget(s)) {
        if let Some(p) = summarize(&cells, std::slice::from_ref(s)).first() {
            references.insert(0, Reference { label: format!("{s} (this model)"), accuracy: p.accuracy });
        }
    }
    write_summary(&a.out, &summarize(&cells, &all_names(&cells, &strategies)))?;
    let title = a.title.clone().unwrap_or_else(|| {
        format!(
            "{} — {} held-out problems × {} seeds, {} ({}k params)",
            task.name(),
            problems.len(),
            a.seeds,
            short(Path::new(&model_name)),
            ck.model.n_params() / 1000
        )
    });
    if !points.is_empty() {
        for (x, file) in [(XAxis::Budget, "accuracy-vs-n.svg"), (XAxis::Flops, "accuracy-vs-flops.svg")] {
            plot_grid(&a.out.join(file), &title, &points, &references, x)
                .map_err(|e| anyhow::anyhow!("plotting {file}: {e}"))?;
        }
    }
    println!("{}", std::fs::read_to_string(a.out.join("summary.md"))?);
    eprintln!("grid written to {}", a.out.display());
    Ok(())
}

fn all_names(cells: &[Cell], strategies: &[String]) -> Vec<String> {
    let mut names = strategies.to_vec();
    for c in cells {
        if !names.contains(&c.strategy) {
            names.push(c.strategy.clone());
        }
    }
    names
}

/// The run name of a checkpoint path (`runs/x/checkpoint` → `x`).
fn short(p: &Path) -> String {
    let p = if p.ends_with("checkpoint") { p.parent().unwrap_or(p) } else { p };
    p.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| p.display().to_string())
}

fn write_summary(out: &Path, points: &[Point]) -> anyhow::Result<()> {
    deepthink_model::fsutil::write_atomic(&out.join("summary.json"), &serde_json::to_vec_pretty(points)?)?;
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
    deepthink_model::fsutil::write_atomic(&out.join("summary.md"), md.as_bytes())?;
    Ok(())
}
