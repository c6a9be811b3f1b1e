//! What a checkpoint was trained on, read back from the provenance its trainer wrote into
//! `deepthink.json` (`config.data.task`, `task_config`, `prompt`), so that `ask`, `eval` and a
//! server can parse questions and check answers for it without knowing which trainer made it.

use deepthink_tasks::{task_by_name, PromptStyle, Task, TaskConfig, TaskError};

/// The task, its config and the prompt style a checkpoint was trained with.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedOn {
    pub task: String,
    pub task_config: TaskConfig,
    pub prompt: PromptStyle,
}

impl TrainedOn {
    /// Reads it from a checkpoint's provenance; `None` if the checkpoint does not say (a
    /// checkpoint made elsewhere, or trained on a file without an evaluation task).
    pub fn from_provenance(provenance: Option<&serde_json::Value>) -> Option<TrainedOn> {
        let data = provenance?.get("config")?.get("data")?;
        Some(TrainedOn {
            task: data.get("task").or_else(|| data.get("eval_task"))?.as_str()?.to_string(),
            task_config: serde_json::from_value(data.get("task_config")?.clone()).ok()?,
            prompt: data
                .get("prompt")
                .and_then(|p| serde_json::from_value(p.clone()).ok())
                .unwrap_or(PromptStyle::Plain),
        })
    }

    /// Builds the task.
    pub fn task(&self) -> Result<Box<dyn Task>, TaskError> {
        task_by_name(&self.task, &self.task_config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sft_provenance_and_builds_the_task() {
        let prov = serde_json::json!({"config": {"data": {"source": "task", "task": "mult", "prompt": "plain",
            "task_config": {"min_digits": 1, "max_digits": 5, "countdown_numbers": 3}, "trace": "compact"}}});
        let t = TrainedOn::from_provenance(Some(&prov)).unwrap();
        assert_eq!(t.task, "mult");
        assert_eq!(t.prompt, PromptStyle::Plain);
        let task = t.task().unwrap();
        let p = task.parse_question("12345*1").unwrap();
        assert!(task.covers(&p).is_ok());
        let wide = task.parse_question("123456*1").unwrap();
        assert!(task.covers(&wide).unwrap_err().contains("1–5-digit"));
    }

    #[test]
    fn a_file_run_uses_its_eval_task_and_a_foreign_checkpoint_says_nothing() {
        let prov =
            serde_json::json!({"config": {"data": {"source": "file", "eval_task": "countdown", "task_config": {}}}});
        assert_eq!(TrainedOn::from_provenance(Some(&prov)).unwrap().task, "countdown");
        assert_eq!(TrainedOn::from_provenance(None), None);
        assert_eq!(TrainedOn::from_provenance(Some(&serde_json::json!({"trainer": "trl"}))), None);
    }
}
