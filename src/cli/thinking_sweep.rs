//! `deepthink eval --thinking-budgets 8,16,32 [--wait-words wait,hmm --min-thinking-tokens N]`:
//! budget forcing measured as s1's Table 3 (`deepthink_eval::thinking_sweep`): one row per
//! maximum (and one per wait word at the given minimum), written as Markdown and JSON to --out.

use deepthink_eval::thinking_sweep::{markdown, Sweep};
use deepthink_model::ThinkingBudget;
use deepthink_search::{Budget, Generator, LocalGenerator, Strategy};
use deepthink_tasks::{Problem, Task};

use super::eval::EvalArgs;

/// The rows the flags ask for: each maximum, then each wait word at the minimum.
pub fn rows(a: &EvalArgs) -> anyhow::Result<Vec<(String, ThinkingBudget)>> {
    let mut rows: Vec<(String, ThinkingBudget)> =
        vec![("none".to_string(), ThinkingBudget { max: None, min: 0, wait: String::new() })];
    for &m in &a.thinking_budgets {
        rows.push((format!("max {m}"), ThinkingBudget { max: Some(m), ..ThinkingBudget::default() }));
    }
    let min = a.thinking.min_thinking_tokens;
    if !a.wait_words.is_empty() && min == 0 {
        anyhow::bail!("--wait-words needs --min-thinking-tokens N: the minimum the words are appended to reach");
    }
    for w in &a.wait_words {
        // `\n` on the command line stands for a bare line break ("nothing" in s1's comparison).
        let word = w.replace("\\n", "\n");
        let b = ThinkingBudget { max: None, min, wait: word };
        b.validate()?;
        rows.push((format!("min {min} + {w:?}"), b));
    }
    Ok(rows)
}

pub fn run<'m>(
    a: &EvalArgs,
    ck: &'m deepthink_model::Checkpoint,
    task: &dyn Task,
    problems: &[Problem],
    strategy: &dyn Strategy,
    budget: Budget,
) -> anyhow::Result<()> {
    let rows = rows(a)?;
    let sweep = Sweep { task, strategy, budget, chunk: 64, verifier: None };
    let make = |tb: &ThinkingBudget| -> Box<dyn Generator + 'm> {
        Box::new(LocalGenerator::new(&ck.model, &ck.tokenizer).with_thinking(tb.clone()))
    };
    let bar = indicatif::ProgressBar::new(rows.len() as u64);
    let out = sweep.run(problems, &rows, &make, &mut |r| {
        bar.inc(1);
        bar.println(format!(
            "{:>22}: {:5.1}% · {:6.1} thinking tokens",
            r.label,
            100.0 * r.accuracy,
            r.mean_thinking_tokens
        ));
    })?;
    bar.finish_and_clear();
    let md = markdown(&out);
    println!("{md}");
    std::fs::create_dir_all(&a.out)?;
    deepthink_model::fsutil::write_atomic(&a.out.join("thinking-budgets.md"), md.as_bytes())?;
    deepthink_model::fsutil::write_atomic(
        &a.out.join("thinking-budgets.json"),
        serde_json::to_string_pretty(&out)?.as_bytes(),
    )?;
    eprintln!("wrote {}/thinking-budgets.md and .json", a.out.display());
    Ok(())
}
