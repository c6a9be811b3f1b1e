//! `deepthink eval --budgets …`: the strategies × budgets × seeds grid. Parses the flags into a
//! [`GridRun`], which caches cells, resumes, and writes the summary and charts
//! (`deepthink_eval::grid_run`).

use std::path::Path;

use anyhow::{bail, Context};
use deepthink_eval::grid::GridSpec;
use deepthink_eval::grid_run::{Comparison, GridRun};
use deepthink_model::load_checkpoint;
use deepthink_search::LocalGenerator;

use super::eval::EvalArgs;

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    let strategies = a.strategies()?;
    if a.budgets.contains(&0) {
        bail!("--budgets: every budget must be at least 1, got 0");
    }
    if a.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    let (model_name, ck) = super::load_model_as(&a.model, a.dtype)?;
    let (task, problems) = super::eval::task_and_problems(&a)?;
    let mut settings = serde_json::json!({
        "model": model_name, "task": a.task.task, "task_config": a.task.config(), "problems": problems.len(),
        "problem_file": a.problems, "seed": a.seed, "prompt": a.prompt.to_string(), "temperature": a.temperature,
        "max_new_tokens": a.max_new_tokens, "verifier": a.verifier, "orm": a.orm, "width": a.width,
        "max_steps": a.max_steps, "exploration": a.exploration, "round": a.round, "confidence": a.confidence,
    });
    // Only when given, so grids made before the flag existed still match their settings.
    if let Some(cmd) = &a.verifier_cmd {
        settings["verifier_cmd"] = cmd.as_str().into();
    }
    if strategies.iter().any(|s| s == "esc" || s == "allocate") {
        settings["window"] = a.window.into();
    }
    if a.thinking.budget()?.is_active() {
        settings["thinking"] = serde_json::to_value(a.thinking.budget()?)?;
    }
    let prm = a.verifier.as_deref().map(|v| a.scorer(v)).transpose()?;
    let orm = a.orm.as_deref().map(|v| a.scorer(v)).transpose()?;
    let spec = GridSpec {
        strategies,
        budgets: a.budgets.clone(),
        seeds: a.seeds,
        options: a.options(),
        max_new_tokens: a.max_new_tokens,
        sequences_in_flight: 512,
    };
    let budget = a.thinking.budget()?;
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer).with_thinking(budget.clone());
    let other = match &a.compare_model {
        Some(dir) => Some((dir, load_checkpoint(dir).with_context(|| format!("loading {}", dir.display()))?)),
        None => None,
    };
    let other_gen =
        other.as_ref().map(|(_, o)| LocalGenerator::new(&o.model, &o.tokenizer).with_thinking(budget.clone()));
    let compare = other.as_ref().zip(other_gen.as_ref()).map(|((dir, o), g)| Comparison {
        name: format!("greedy:{}", dir.display()),
        label: format!("{} greedy, {}k params", short(dir), o.model.n_params() / 1000),
        gen: g,
    });
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
    let checker = a.process_verifier();
    let run = GridRun {
        out: a.out.clone(),
        settings,
        restart: a.restart,
        spec,
        task: task.as_ref(),
        problems: &problems,
        gen: &gen,
        prm: prm.as_deref(),
        orm: orm.as_deref(),
        compare,
        title,
        verifier: checker.as_ref().map(|v| v as &dyn deepthink_tasks::Verifier),
    };
    let table = run.run(&mut |line| eprintln!("{line}"))?;
    println!("{table}");
    eprintln!("grid written to {}", a.out.display());
    Ok(())
}

/// The run name of a checkpoint path (`runs/x/checkpoint` → `x`).
fn short(p: &Path) -> String {
    let p = if p.ends_with("checkpoint") { p.parent().unwrap_or(p) } else { p };
    p.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| p.display().to_string())
}
