//! The pipeline's report: every model stage scored greedily on the recipe's held-out tasks —
//! accuracy, mean thinking tokens, readability and notation mixing (`tasks::readability`) — as one
//! table, `report.md`; and the same accuracies as a chart over the stages, `report.svg` (its
//! numbers beside it in `report-chart.json`, for `deepthink plot --lines`).

use std::path::Path;

use deepthink_eval::line_chart::{LineChart, Series};
use deepthink_eval::{evaluate_greedy, EvalOptions};
use deepthink_model::load_checkpoint;
use deepthink_tasks::readability::{mixes_notation, notation_consistency, readability};
use deepthink_tasks::{held_out_problems, task_by_name, PromptStyle};
use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::pipeline::recipe::{ReportSpec, ReportTask};

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

/// A task column's header: the task, its config when one is set (two columns of one task differ
/// only there; keys in order), and the number of problems: `mult max_digits=4 min_digits=2 (n=200)`.
fn column_header(t: &ReportTask) -> String {
    let config: Vec<String> =
        t.task_config.keys().filter_map(|k| t.task_config.get(k).map(|v| format!(" {k}={v}"))).collect();
    format!("{}{} (n={})", t.task, config.concat(), t.n)
}

/// The report as Markdown: one row per stage, one column per task (accuracy, thinking tokens).
pub fn markdown(rows: &[Row], spec: &ReportSpec) -> String {
    let mut out =
        String::from("# Pipeline report\n\nEvery model stage, greedy on held-out problems: accuracy (mean thinking tokens) · readability · share of traces mixing notations (docs/imitation.md defines both).\n\n");
    let tasks: Vec<String> = spec.tasks.iter().map(column_header).collect();
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

/// The per-stage accuracy chart's data: one x label per model stage (in the recipe's order), one
/// line per report task. None when no stage was scored.
pub fn chart(rows: &[Row], spec: &ReportSpec) -> Option<LineChart> {
    let scored: Vec<&Row> =
        rows.iter().filter(|r| r.scores.len() == spec.tasks.len() && !r.scores.is_empty()).collect();
    if scored.is_empty() {
        return None;
    }
    Some(LineChart {
        title: "Held-out accuracy after each stage (greedy)".into(),
        x_desc: "stage".into(),
        y_desc: "accuracy (%)".into(),
        x_labels: scored.iter().map(|r| r.stage.clone()).collect(),
        series: spec
            .tasks
            .iter()
            .enumerate()
            .map(|(k, t)| Series {
                name: column_header(t),
                values: scored.iter().map(|r| 100.0 * r.scores[k].accuracy).collect(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepthink_tasks::TaskConfig;

    #[test]
    fn two_columns_of_one_task_differ_by_their_config() {
        let plain = ReportTask { task: "mult".into(), task_config: TaskConfig::default(), n: 200 };
        let wide = ReportTask {
            task: "mult".into(),
            task_config: TaskConfig::default().with("min_digits", 2).with("max_digits", 4),
            n: 200,
        };
        assert_eq!(column_header(&plain), "mult (n=200)");
        assert_eq!(column_header(&wide), "mult max_digits=4 min_digits=2 (n=200)");
    }
}
