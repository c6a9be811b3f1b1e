//! `deepthink eval --suite mixed`: the mixed-difficulty benchmark (`deepthink_eval::suite`) for
//! each model (`--model`, and `--compare-model`) under each `--strategy`, written to `--out` as
//! `suite.md`, `suite.json` and the chart `suite.svg`.

use anyhow::bail;
use deepthink_eval::grid::uses_budget;
use deepthink_eval::suite::{chart, markdown, mixed_suite, mixed_suite_from, score, suite_task, MIXED};
use deepthink_eval::Evaluation;
use deepthink_model::fsutil::write_atomic;
use deepthink_search::{by_name, scorer_for, Budget, LocalGenerator};
use deepthink_tasks::{Problem, Split, TaskChecker};

use super::calibration;

use super::eval::EvalArgs;

pub fn run(a: &EvalArgs, suite: &str) -> anyhow::Result<()> {
    if suite != MIXED {
        bail!("unknown suite `{suite}` in --suite; known: {MIXED}");
    }
    let bins = mixed_suite(a.per_bin, a.seed)?;
    let problems: Vec<Problem> = bins.iter().flat_map(|b| b.problems.iter().cloned()).collect();
    let task = suite_task()?;
    let calibration = if a.calibrate > 0 { calibration_bins(a, &bins)? } else { Vec::new() };
    let checker = TaskChecker(task.as_ref());
    let strategies = a.strategies()?;
    let prm = a.verifier.as_deref().map(|v| a.scorer(v)).transpose()?;
    let orm = a.orm.as_deref().map(|v| a.scorer(v)).transpose()?;
    let mut models = vec![a.model.clone()];
    models.extend(a.compare_model.iter().map(|m| Some(m.clone())));
    let mut rows = Vec::new();
    for model in &models {
        let (dir, ck) = super::load_model_as(model, a.dtype)?;
        let gen = LocalGenerator::new(&ck.model, &ck.tokenizer).with_thinking(a.thinking.budget()?);
        let name = method_name(&dir);
        for strategy in &strategies {
            let samples = if uses_budget(strategy) { a.samples } else { 1 };
            let budget = Budget { samples, max_new_tokens: a.max_new_tokens };
            let options = calibration::options_for(a, strategy, task.as_ref(), &calibration, &gen, &checker, budget)?;
            let s = by_name(strategy, &options, scorer_for(strategy, prm.as_deref(), orm.as_deref()))?;
            let chunk = (64 / samples.max(1)).max(1);
            let method =
                if samples > 1 { format!("{name} {strategy}@{samples}") } else { format!("{name} {strategy}") };
            let bar = indicatif::ProgressBar::new(problems.len() as u64).with_message(method.clone());
            let mut tick = |d: usize, _| bar.set_position(d as u64);
            let run =
                Evaluation { task: task.as_ref(), strategy: s.as_ref(), gen: &gen, budget, chunk, verifier: None };
            let (_, preds) = run.run(&problems, &mut tick)?;
            bar.finish_and_clear();
            rows.push(score(&method, &bins, &preds));
        }
    }
    std::fs::create_dir_all(&a.out)?;
    let md = format!("# The mixed suite: {} problems a bin, seed {}\n\n{}", a.per_bin, a.seed, markdown(&rows));
    write_atomic(&a.out.join("suite.md"), md.as_bytes())?;
    write_atomic(&a.out.join("suite.json"), serde_json::to_string_pretty(&rows)?.as_bytes())?;
    let svg = a.out.join("suite.svg");
    let title = a.title.clone().unwrap_or_else(|| format!("mixed suite, {} problems a bin", a.per_bin));
    chart(&svg, &title, &rows).map_err(|e| anyhow::anyhow!("writing {}: {e}", svg.display()))?;
    println!("{md}");
    eprintln!("wrote {}/suite.md, suite.json and suite.svg", a.out.display());
    Ok(())
}

/// `--calibrate K` problems for the suite, K / 7 from each bin: held-out problems of another
/// draw that the suite does not score, topped up from the training split where the held-out
/// space is too small.
fn calibration_bins(a: &EvalArgs, bins: &[deepthink_eval::suite::Bin]) -> anyhow::Result<Vec<Problem>> {
    let per_bin = a.calibrate.div_ceil(bins.len().max(1));
    let held_out = mixed_suite_from(per_bin, calibration::draw_seed(a), Split::Test)?;
    let train = mixed_suite_from(per_bin, calibration::draw_seed(a), Split::Train)?;
    let mut out = Vec::new();
    for ((scored, h), t) in bins.iter().zip(held_out).zip(train) {
        out.extend(calibration::unscored(h.problems.into_iter().chain(t.problems), &scored.problems, per_bin));
    }
    Ok(out)
}

/// A model's name in the table: its directory's, or its run's for `RUN/checkpoint`.
fn method_name(dir: &str) -> String {
    let path = std::path::Path::new(dir);
    let named = if path.file_name().is_some_and(|n| n == "checkpoint") { path.parent() } else { Some(path) };
    named.and_then(|p| p.file_name()).map_or_else(|| dir.to_string(), |n| n.to_string_lossy().into_owned())
}
