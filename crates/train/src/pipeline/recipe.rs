//! A recipe file: the pipeline's directory, what its report measures, and its stages in order.
//!
//! ```toml
//! dir = "runs/r1-zero"              # default: runs/<the file's stem>
//! [report]                          # every model stage is scored greedily on these
//! tasks = [{ task = "mult", n = 200 }]
//! [[stage]]
//! name = "base"
//! kind = "pretrain"                 # pretrain, sft, rl, generate, filter, clean, mix, eval
//! [stage.config]                    # the kind's config; missing fields take defaults
//! steps = 3000
//! [[stage]]
//! name = "r1-zero"
//! kind = "rl"
//! [stage.config]
//! init_from = "@base"               # `@name`: an earlier stage's checkpoint or data file
//! ```

use std::path::{Path, PathBuf};

use deepthink_tasks::TaskConfig;
use serde::Deserialize;

use crate::error::TrainError;

/// The stage kinds, in the order the docs list them.
pub const STAGE_KINDS: &[&str] = &["pretrain", "sft", "rl", "generate", "filter", "clean", "mix", "eval"];

/// A whole recipe.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    pub dir: Option<PathBuf>,
    #[serde(default)]
    pub report: ReportSpec,
    #[serde(default)]
    pub stage: Vec<StageSpec>,
}

/// One stage as written: its config is resolved (`@name` references) before it is typed.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSpec {
    pub name: String,
    pub kind: String,
    #[serde(default = "empty_table")]
    pub config: toml::Value,
}

fn empty_table() -> toml::Value {
    toml::Value::Table(toml::map::Map::new())
}

/// What the report scores every model stage on.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportSpec {
    pub tasks: Vec<ReportTask>,
    pub max_new_tokens: usize,
    pub seed: u64,
}

impl Default for ReportSpec {
    fn default() -> Self {
        ReportSpec { tasks: Vec::new(), max_new_tokens: 256, seed: 1 }
    }
}

/// One task of the report: `n` held-out problems.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportTask {
    pub task: String,
    #[serde(default)]
    pub task_config: TaskConfig,
    #[serde(default = "two_hundred")]
    pub n: usize,
}

fn two_hundred() -> usize {
    200
}

impl Recipe {
    /// Read and check a recipe file: known kinds, unique names.
    pub fn load(path: &Path) -> Result<(Recipe, PathBuf), TrainError> {
        let text = std::fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
        let recipe: Recipe = toml::from_str(&text).map_err(|e| {
            TrainError::Config(format!("{}: {}", path.display(), e.to_string().trim().replace('\n', " ")))
        })?;
        let mut seen = std::collections::HashSet::new();
        for s in &recipe.stage {
            if !STAGE_KINDS.contains(&s.kind.as_str()) {
                return Err(TrainError::Config(format!(
                    "{}: stage `{}` has kind `{}`; known: {}",
                    path.display(),
                    s.name,
                    s.kind,
                    STAGE_KINDS.join(", ")
                )));
            }
            if s.name.is_empty() || s.name.contains(['/', '\\', '@']) || !seen.insert(s.name.clone()) {
                return Err(TrainError::Config(format!(
                    "{}: stage name `{}` must be non-empty, without / \\ @, and unique",
                    path.display(),
                    s.name
                )));
            }
        }
        if recipe.stage.is_empty() {
            return Err(TrainError::Config(format!("{}: no [[stage]]", path.display())));
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("pipeline");
        let dir = recipe.dir.clone().unwrap_or_else(|| PathBuf::from("runs").join(stem));
        Ok((recipe, dir))
    }
}

/// Whether a stage of `kind` makes a checkpoint (else a data file, or only a report row).
pub fn makes_model(kind: &str) -> bool {
    matches!(kind, "pretrain" | "sft" | "rl")
}

/// Where a finished stage's product lies: `DIR/NAME/checkpoint` or `DIR/NAME/data.jsonl`.
pub fn product(dir: &Path, stage: &StageSpec) -> Option<PathBuf> {
    let own = dir.join(&stage.name);
    match stage.kind.as_str() {
        k if makes_model(k) => Some(own.join("checkpoint")),
        "generate" | "filter" | "clean" | "mix" => Some(own.join("data.jsonl")),
        _ => None,
    }
}

/// `value` with every string `@name` replaced by earlier stage `name`'s product.
pub fn resolve(value: &toml::Value, dir: &Path, earlier: &[StageSpec], stage: &str) -> Result<toml::Value, TrainError> {
    Ok(match value {
        toml::Value::String(s) if s.starts_with('@') => {
            let name = &s[1..];
            let found = earlier.iter().find(|e| e.name == name).and_then(|e| product(dir, e));
            let path = found.ok_or_else(|| {
                TrainError::Config(format!(
                    "stage `{stage}`: `{s}` names no earlier stage with a checkpoint or data file"
                ))
            })?;
            toml::Value::String(path.display().to_string())
        }
        toml::Value::Array(items) => {
            toml::Value::Array(items.iter().map(|v| resolve(v, dir, earlier, stage)).collect::<Result<_, _>>()?)
        }
        toml::Value::Table(t) => {
            let mut out = toml::map::Map::new();
            for (k, v) in t {
                out.insert(k.clone(), resolve(v, dir, earlier, stage)?);
            }
            toml::Value::Table(out)
        }
        other => other.clone(),
    })
}
