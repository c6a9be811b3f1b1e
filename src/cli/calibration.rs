//! `eval --calibrate K`: before `allocate` is evaluated, learn its allocation table on K
//! calibration problems of the same kinds that the evaluation does not score
//! (`allocate::calibrate`, then `Calibration::fit`), and print what it learnt. Any other
//! strategy, or K = 0, keeps the options as they are.
//!
//! Calibration problems are held-out problems of another draw, with every scored question
//! removed, so the table is fitted on problems the model was not trained on (as Snell et al.'s
//! validation set); where the held-out space is too small for that (single-digit facts), training-
//! split problems fill the rest.

use std::collections::HashSet;

use anyhow::bail;
use deepthink_search::allocate::calibrate;
use deepthink_search::allocation_table::Calibration;
use deepthink_search::candidates::Sampling;
use deepthink_search::{Budget, Generator, StrategyOptions};
use deepthink_tasks::{Problem, Task, Verifier};

use super::eval::EvalArgs;

/// The seed of the calibration draws, apart from the evaluation's.
pub fn draw_seed(a: &EvalArgs) -> u64 {
    a.seed ^ 0xCA11
}

/// Up to `k` problems from `candidates` (in order: held-out ones first), each question once and
/// none of `scored`'s.
pub fn unscored(candidates: impl IntoIterator<Item = Problem>, scored: &[Problem], k: usize) -> Vec<Problem> {
    let mut seen: HashSet<String> = scored.iter().map(|p| p.question().to_string()).collect();
    candidates.into_iter().filter(|p| seen.insert(p.question().to_string())).take(k).collect()
}

/// Refuses `--calibrate` where no `allocate` run would read it.
pub fn refuse_unused(a: &EvalArgs, mode: &str) -> anyhow::Result<()> {
    if a.calibrate > 0 {
        bail!(
            "--calibrate {} is not used by {mode}; it calibrates `--strategy allocate` in a plain eval or --suite",
            a.calibrate
        );
    }
    refuse_uncalibrated_cuts(a)
}

/// Refuses `--confidence-cuts` without `--calibrate`: only a learnt table reads them.
pub fn refuse_uncalibrated_cuts(a: &EvalArgs) -> anyhow::Result<()> {
    if !a.confidence_cuts.is_empty() && a.calibrate == 0 {
        let cuts: Vec<String> = a.confidence_cuts.iter().map(f32::to_string).collect();
        bail!("--confidence-cuts {} needs --calibrate K: the fixed allocate rule reads agreement only", cuts.join(","));
    }
    Ok(())
}

/// `a.options()`, with the allocation learnt on `calibration` (judged by `verifier`) when
/// `strategy` is `allocate` and `--calibrate` asks for it.
pub fn options_for(
    a: &EvalArgs,
    strategy: &str,
    task: &dyn Task,
    calibration: &[Problem],
    gen: &dyn Generator,
    verifier: &dyn Verifier,
    budget: Budget,
) -> anyhow::Result<StrategyOptions> {
    let mut options = a.options();
    refuse_uncalibrated_cuts(a)?;
    if strategy != "allocate" || a.calibrate == 0 {
        return Ok(options);
    }
    let cuts = &a.confidence_cuts;
    deepthink_search::allocation_table::check_cuts(cuts).map_err(|e| anyhow::anyhow!("--confidence-cuts: {e}"))?;
    let least = deepthink_search::allocation_table::least_probe(cuts);
    if a.window < least || a.window > budget.samples {
        bail!(
            "--window {}: allocate's probe needs at least {least} sample{} and at most --samples {}",
            a.window,
            if least == 1 { " (with --confidence-cuts)" } else { "s (1 with --confidence-cuts)" },
            budget.samples
        );
    }
    if !(a.calibration_tolerance.is_finite() && a.calibration_tolerance >= 0.0) {
        bail!("--calibration-tolerance {}: expected points of accuracy, 0 or more", a.calibration_tolerance);
    }
    if !matches!(a.calibration_folds, 1 | 2) {
        bail!(
            "--calibration-folds {}: expected 1 (fit on every calibration problem) or 2 (two-fold)",
            a.calibration_folds
        );
    }
    if calibration.is_empty() {
        bail!("--calibrate {}: every candidate calibration problem is one the evaluation scores", a.calibrate);
    }
    let how = Sampling { prompt: a.prompt, temperature: a.temperature, seed: draw_seed(a) };
    let bar = indicatif::ProgressBar::new(calibration.len() as u64).with_message("calibrating allocate");
    let drawn =
        calibrate(task, calibration, gen, verifier, how, a.window, cuts, budget, &mut |d| bar.set_position(d as u64))?;
    bar.finish_and_clear();
    let tolerance = a.calibration_tolerance / 100.0;
    let fit = if a.calibration_folds == 2 {
        Calibration::fit_two_fold(a.window, budget.samples, cuts, &drawn, tolerance)?
    } else {
        Calibration::new(a.window, budget.samples, cuts, &drawn)?.fit(tolerance)
    };
    eprintln!(
        "allocate, calibrated on {} problems the evaluation does not score{}: {} (majority@{} {:.1}% there; this table {:.1}% at {:.2} samples, cost {:.2e})",
        calibration.len(),
        if a.calibration_folds == 2 { ", two-fold" } else { "" },
        fit.table,
        budget.samples,
        100.0 * fit.majority_accuracy,
        100.0 * fit.accuracy,
        fit.mean_samples,
        fit.cost
    );
    options.allocation = Some(fit.table);
    Ok(options)
}
