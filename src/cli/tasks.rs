//! `deepthink tasks`: every registered task with its trace styles, config keys and an example
//! question, read from the task registry (so a newly added task shows up by itself).

use clap::Args;
use deepthink_tasks::registry::entries;
use deepthink_tasks::{task_by_name, Split, TaskConfig};
use rand::SeedableRng;

#[derive(Args)]
pub struct TasksArgs {
    /// Print one JSON object per task instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: TasksArgs) -> anyhow::Result<()> {
    for e in entries() {
        // A task over the user's file (`qa`) has no example of its own.
        let example = match task_by_name(e.name, &TaskConfig::default()) {
            Ok(task) => task.generate(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0), Split::Train).question(),
            Err(_) => format!("(from your file: --{} FILE)", e.config_keys.first().unwrap_or(&"").replace('_', "-")),
        };
        let styles: Vec<&str> = e.trace_styles.iter().map(|s| s.name()).collect();
        if a.json {
            let v = serde_json::json!({"task": e.name, "summary": e.summary, "trace_styles": styles,
                "config_keys": e.config_keys, "example": example,
                "reasoning_gym_dataset": e.gym.as_ref().map(|g| g.dataset)});
            println!("{v}");
        } else {
            println!("{:<10} {}", e.name, e.summary);
            println!("{:<10} trace styles: {}", "", styles.join(", "));
            println!("{:<10} settings: {}", "", e.config_keys.join(", "));
            println!("{:<10} example: {example}", "");
            if let Some(g) = &e.gym {
                println!("{:<10} reads reasoning-gym `{}` lines", "", g.dataset);
            }
        }
    }
    Ok(())
}
