//! `eval --calibrate K`: before `allocate` is evaluated, learn its allocation table on K
//! calibration problems of the same kinds from the training split (`allocate::calibrate`, then
//! `Calibration::fit`), and print what it learnt. Any other strategy, or K = 0, keeps the
//! options as they are.

use deepthink_search::allocate::calibrate;
use deepthink_search::candidates::Sampling;
use deepthink_search::{Budget, Generator, StrategyOptions};
use deepthink_tasks::{Problem, Task};

use super::eval::EvalArgs;

/// `a.options()`, with the allocation learnt on `calibration` when `strategy` is `allocate` and
/// `--calibrate` asks for it.
pub fn options_for(
    a: &EvalArgs,
    strategy: &str,
    task: &dyn Task,
    calibration: &[Problem],
    gen: &dyn Generator,
    budget: Budget,
) -> anyhow::Result<StrategyOptions> {
    let mut options = a.options();
    if strategy != "allocate" || a.calibrate == 0 {
        return Ok(options);
    }
    if a.window < 2 || a.window > budget.samples {
        anyhow::bail!(
            "--window {}: allocate's probe needs at least 2 samples and at most --samples {}",
            a.window,
            budget.samples
        );
    }
    let how = Sampling { prompt: a.prompt, temperature: a.temperature, seed: a.seed.wrapping_add(0xCA11) };
    let bar = indicatif::ProgressBar::new(calibration.len() as u64).with_message("calibrating allocate");
    let cal = calibrate(task, calibration, gen, how, a.window, budget, &mut |d| bar.set_position(d as u64))?;
    bar.finish_and_clear();
    let fit = cal.fit(a.calibration_tolerance / 100.0);
    eprintln!(
        "allocate, calibrated on {} training-split problems: {} (majority@{} {:.1}% there; this table {:.1}% at {:.2} samples, cost {:.2e})",
        calibration.len(),
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
