//! What each stage kind runs: the trainers (`pretrain`, `sft`: [`train_sft`]; `rl`:
//! [`train_grpo`]), rejection-sampled data (`generate`: [`distill`]), data mixing (`mix`),
//! rule-based clean-up and filtering (`clean`, `filter`: [`data_stages`]), and `eval`, a report
//! row for a model made elsewhere (a baseline). Each kind's config is a serde
//! type, so a stage's `[stage.config]` takes the same fields as the command's `--print-config`.

use std::path::{Path, PathBuf};

use deepthink_model::load_checkpoint;
use deepthink_search::{Budget, LocalGenerator, StrategyOptions};
use deepthink_tasks::{task_by_name, PromptStyle, TaskConfig, TraceStyle};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::distill::{distill, DistillConfig, SearchTeacher, TraceTeacher};
use crate::error::TrainError;
use crate::grpo::trainer::{train_grpo, GrpoConfig};
use crate::pipeline::data_stages;
use crate::sft::{train_sft, SftConfig, SftData};

/// A `generate` stage: `deepthink distill`'s settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GenerateSpec {
    /// The teacher checkpoint (often `@stage`); or `trace` for the task's own trace.
    pub teacher: Option<PathBuf>,
    pub trace: Option<TraceStyle>,
    pub task: String,
    pub task_config: TaskConfig,
    pub strategy: String,
    pub samples: usize,
    pub keep: usize,
    pub problems: usize,
    pub temperature: f32,
    pub max_new_tokens: usize,
    pub prompt: PromptStyle,
    pub chunk: usize,
    pub seed: u64,
}

impl Default for GenerateSpec {
    fn default() -> Self {
        GenerateSpec {
            teacher: None,
            trace: None,
            task: "mult".into(),
            task_config: TaskConfig::default(),
            strategy: "majority".into(),
            samples: 8,
            keep: 1,
            problems: 1000,
            temperature: 1.0,
            max_new_tokens: 256,
            prompt: PromptStyle::Plain,
            chunk: 16,
            seed: 1,
        }
    }
}

/// A `mix` stage: lines of several data files, `counts[i]` drawn from `inputs[i]` (all of it
/// when `counts` is empty; with replacement past its length), shuffled together.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MixSpec {
    pub inputs: Vec<PathBuf>,
    pub counts: Vec<usize>,
    pub seed: u64,
}

/// An `eval` stage: a model to score beside the pipeline's own.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EvalSpec {
    pub model: PathBuf,
}

/// A stage's config, typed.
pub fn typed<T: DeserializeOwned>(value: toml::Value, stage: &str) -> Result<T, TrainError> {
    value.try_into().map_err(|e: toml::de::Error| {
        TrainError::Config(format!("stage `{stage}`: {}", e.to_string().trim().replace('\n', " ")))
    })
}

/// A stage's config, typed by its kind.
pub enum StageConfig {
    /// `pretrain` and `sft`: `train_sft`, on a corpus or on anything else.
    Sft(SftConfig),
    Rl(GrpoConfig),
    Generate(GenerateSpec),
    Mix(MixSpec),
    Clean(data_stages::CleanSpec),
    Filter(data_stages::FilterSpec),
    Eval(EvalSpec),
}

/// Type stage `name`'s resolved config as its kind's — the check the pipeline runs on every stage
/// before the first one starts.
pub fn typed_stage(name: &str, kind: &str, config: toml::Value) -> Result<StageConfig, TrainError> {
    Ok(match kind {
        "pretrain" | "sft" => {
            let cfg: SftConfig = typed(config, name)?;
            if (kind == "pretrain") != matches!(cfg.data, SftData::Corpus { .. }) {
                return Err(TrainError::Config(format!(
                    "stage `{name}`: a `pretrain` stage trains on a corpus (`data.source = \"corpus\"`), an `sft` stage on anything else"
                )));
            }
            StageConfig::Sft(cfg)
        }
        "rl" => StageConfig::Rl(typed(config, name)?),
        "generate" => StageConfig::Generate(typed(config, name)?),
        "mix" => StageConfig::Mix(typed(config, name)?),
        "clean" => StageConfig::Clean(typed(config, name)?),
        "filter" => StageConfig::Filter(typed(config, name)?),
        "eval" => StageConfig::Eval(typed(config, name)?),
        other => return Err(TrainError::Config(format!("stage `{name}`: unknown kind `{other}`"))),
    })
}

/// Run stage `name` into `dir` (its trainer or `generate` resumes what `dir` holds); returns the
/// model to report on, if any.
pub fn run_stage(name: &str, config: &StageConfig, dir: &Path) -> Result<Option<PathBuf>, TrainError> {
    let data = dir.join("data.jsonl");
    match config {
        StageConfig::Sft(cfg) => Ok(Some(train_sft(cfg, dir, false)?.checkpoint)),
        StageConfig::Rl(cfg) => Ok(Some(train_grpo(cfg, dir, false)?.checkpoint)),
        StageConfig::Generate(g) => generate(g, name, &data).map(|()| None),
        StageConfig::Mix(m) => mix(m, name, &data).map(|()| None),
        StageConfig::Clean(c) => data_stages::clean(c, name, &data).map(|()| None),
        StageConfig::Filter(f) => data_stages::filter(f, name, &data).map(|()| None),
        StageConfig::Eval(e) => Ok(Some(e.model.clone())),
    }
}

fn generate(g: &GenerateSpec, name: &str, out: &Path) -> Result<(), TrainError> {
    let task = task_by_name(&g.task, &g.task_config)?;
    let cfg = DistillConfig { problems: g.problems, keep: g.keep, prompt: g.prompt, chunk: g.chunk, seed: g.seed };
    let report = match (&g.teacher, g.trace) {
        (None, Some(style)) => {
            distill(task.as_ref(), &TraceTeacher { style, samples: g.samples }, None, &cfg, out, false)?
        }
        (Some(path), None) => {
            let ck = load_checkpoint(path)?;
            let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
            let teacher = SearchTeacher {
                strategy: g.strategy.clone(),
                options: StrategyOptions { prompt: g.prompt, temperature: g.temperature, ..StrategyOptions::default() },
                scorer: None,
                gen: &gen,
                budget: Budget { samples: g.samples, max_new_tokens: g.max_new_tokens },
                source: path.display().to_string(),
            };
            distill(task.as_ref(), &teacher, None, &cfg, out, false)?
        }
        _ => return Err(TrainError::Config(format!("stage `{name}`: give exactly one of `teacher` and `trace`"))),
    };
    eprintln!(
        "stage {name}: {} of {} candidates right ({:.1}%), {} lines",
        report.accepted,
        report.candidates,
        100.0 * report.acceptance_rate,
        report.kept
    );
    Ok(())
}

fn mix(m: &MixSpec, name: &str, out: &Path) -> Result<(), TrainError> {
    if m.inputs.is_empty() || (!m.counts.is_empty() && m.counts.len() != m.inputs.len()) {
        return Err(TrainError::Config(format!(
            "stage `{name}`: `inputs` must be non-empty and `counts`, when given, one per input ({} inputs, {} counts)",
            m.inputs.len(),
            m.counts.len()
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(m.seed);
    let mut lines = Vec::new();
    for (i, path) in m.inputs.iter().enumerate() {
        let text = std::fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
        let mut own: Vec<String> = text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect();
        if own.is_empty() {
            return Err(TrainError::Data { path: path.clone(), line: 0, msg: "no lines to mix".into() });
        }
        own.shuffle(&mut rng);
        let want = m.counts.get(i).copied().unwrap_or(own.len());
        lines.extend((0..want).map(|k| own[k % own.len()].clone()));
    }
    lines.shuffle(&mut rng);
    crate::data_file::write_lines_atomic(out, lines.into_iter())
}
