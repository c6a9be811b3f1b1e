//! The pipeline's report: every model stage scored greedily on the recipe's held-out tasks —
//! accuracy, mean thinking tokens, readability and notation mixing (`tasks::readability`) — as one
//! table, `report.md`.

use std::path::Path;

use deepthink_eval::{evaluate_greedy, EvalOptions};
use deepthink_model::load_checkpoint;
use deepthink_tasks::readability::{mixes_notation, notation_consistency, readability};
use deepthink_tasks::{held_out_problems, task_by_name, PromptStyle};
use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::pipeline::recipe::ReportSpec;

/// One task's score for one model.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TaskScore {
    pub task: String,
    pub n: usize,
    pub accuracy: f64,
    pub thinking_tokens: f64,
    /// Mean readability of the completions that reason (`tasks::readability`; 1 when none do).
    pub readability: f64,
    /// Mean share of the reasoning's numerals in the target notation (R1's language consistency).
    pub consistency: f64,
    /// Share of completions whose reasoning mixes notations.
    pub mixing: f64,
}

/// One stage's row.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Row {
    pub stage: String,
    pub kind: String,
    pub seconds: f64,
    /// What the stage made: a checkpoint, a data file, or the model an `eval` stage scored.
    pub product: String,
    pub scores: Vec<TaskScore>,
}

/// Score `model` on every report task.
pub fn score(model: &Path, spec: &ReportSpec) -> Result<Vec<TaskScore>, TrainError> {
    if spec.tasks.is_empty() {
        return Ok(Vec::new());
    }
    let ck = load_checkpoint(model)?;
    spec.tasks
        .iter()
        .map(|t| {
            let task = task_by_name(&t.task, &t.task_config)?;
            let problems = held_out_problems(task.as_ref(), t.n, spec.seed);
            let opts = EvalOptions::greedy(PromptStyle::Plain, spec.max_new_tokens);
            let (report, preds) =
                evaluate_greedy(&ck.model, &ck.tokenizer, task.as_ref(), &problems, &opts, &mut |_, _| {})?;
            let n = preds.len().max(1) as f64;
            let readable: Vec<f64> = preds.iter().filter_map(|p| readability(&p.completion)).collect();
            Ok(TaskScore {
                task: t.task.clone(),
                n: problems.len(),
                accuracy: report.overall.accuracy,
                thinking_tokens: report.mean_reasoning_tokens,
                readability: if readable.is_empty() {
                    1.0
                } else {
                    readable.iter().sum::<f64>() / readable.len() as f64
                },
                consistency: preds.iter().map(|p| notation_consistency(&p.completion)).sum::<f64>() / n,
                mixing: preds.iter().filter(|p| mixes_notation(&p.completion)).count() as f64 / n,
            })
        })
        .collect()
}

/// The report as Markdown: one row per stage, one column per task (accuracy, thinking tokens).
pub fn markdown(rows: &[Row], spec: &ReportSpec) -> String {
    let mut out =
        String::from("# Pipeline report\n\nEvery model stage, greedy on held-out problems: accuracy (mean thinking tokens) · readability · share of traces mixing notations (docs/imitation.md defines both).\n\n");
    let tasks: Vec<String> = spec.tasks.iter().map(|t| format!("{} (n={})", t.task, t.n)).collect();
    out.push_str(&format!("| stage | kind | minutes | {} |\n", tasks.join(" | ")));
    out.push_str(&format!("|---|---|---|{}\n", "---|".repeat(tasks.len())));
    for r in rows {
        let cells: Vec<String> = if r.scores.is_empty() {
            vec!["".into(); tasks.len()]
        } else {
            r.scores
                .iter()
                .map(|s| {
                    format!(
                        "{:.1}% ({:.0}) · {:.2} · {:.0}% mixed",
                        100.0 * s.accuracy,
                        s.thinking_tokens,
                        s.readability,
                        100.0 * s.mixing
                    )
                })
                .collect()
        };
        out.push_str(&format!("| {} | {} | {:.1} | {} |\n", r.stage, r.kind, r.seconds / 60.0, cells.join(" | ")));
    }
    out
}
