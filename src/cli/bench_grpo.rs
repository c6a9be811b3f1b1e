//! `deepthink bench --grpo`: seconds per GRPO step against TRL's `GRPOTrainer` (issue 4).
//!
//! Same model (any deepthink checkpoint — TRL loads the same files as a `LlamaForCausalLM`), same
//! work: 16 prompts × G = 8 completions of at most 64 tokens on mult products, temperature high
//! enough that groups get mixed rewards, β = 0, μ = 1, DAPO loss, lr 1e-4, rewards accuracy +
//! format, and every group through the backward pass (`skip_zero_advantage` off). Rounds alternate
//! deepthink and TRL (`bench/trl_grpo.py`) so host noise hits both; each side's first steps are
//! warm-up and left out; medians are reported, with our step split into generation, forward and
//! backward.

use std::path::{Path, PathBuf};

use anyhow::bail;
use deepthink_tasks::MultConfig;
use deepthink_train::grpo::loss::{Aggregation, SurrogateConfig};
use deepthink_train::grpo::trainer::{train_grpo, GrpoConfig};
use serde_json::{json, Value};

use deepthink_model::bench::median;

pub struct GrpoBench {
    pub model: PathBuf,
    pub python: PathBuf,
    pub rounds: usize,
    pub steps: usize,
    pub digits: u32,
    pub temperature: f32,
    pub threads: usize,
}

const PROMPTS: usize = 16;
const GROUP: usize = 8;
const MAX_NEW: usize = 64;

fn config(b: &GrpoBench, round: usize) -> GrpoConfig {
    // `train grpo`'s defaults (accuracy and format rewards, β = 0, μ = 1, micro-batch 32, …)
    // but for the bench's fixed shape, DAPO's token mean, and no evaluation or checkpoints.
    GrpoConfig {
        init_from: b.model.clone(),
        task_config: MultConfig { min_digits: b.digits, max_digits: b.digits, ..MultConfig::default() }.into(),
        prompts: PROMPTS,
        group: GROUP,
        max_new_tokens: MAX_NEW,
        temperature: b.temperature,
        surrogate: SurrogateConfig {
            aggregation: Aggregation::Dapo,
            max_completion_len: MAX_NEW,
            ..SurrogateConfig::default()
        },
        steps: b.steps as u64,
        warmup_steps: 0,
        eval_every: u64::MAX,
        eval_problems: 0,
        save_every: u64::MAX,
        seed: 1 + round as u64,
        ..GrpoConfig::default()
    }
}

/// Our side of one round: per-step metrics lines, warm-up steps dropped.
fn ours(b: &GrpoBench, round: usize, dir: &Path) -> anyhow::Result<Vec<Value>> {
    let run = dir.join(format!("round-{round}"));
    train_grpo(&config(b, round), &run, true)?;
    let text = std::fs::read_to_string(run.join("metrics.jsonl"))?;
    let lines: Vec<Value> = text.lines().map(serde_json::from_str).collect::<Result<_, _>>()?;
    Ok(lines.into_iter().skip(2).collect())
}

fn trl(b: &GrpoBench, round: usize) -> anyhow::Result<Value> {
    let digits = b.digits.to_string();
    let args: Vec<String> = [
        ("--model", b.model.display().to_string()),
        ("--steps", b.steps.to_string()),
        ("--min-digits", digits.clone()),
        ("--max-digits", digits),
        ("--temperature", b.temperature.to_string()),
        ("--threads", b.threads.to_string()),
        ("--prompts", PROMPTS.to_string()),
        ("--group", GROUP.to_string()),
        ("--max-completion", MAX_NEW.to_string()),
        ("--seed", (1 + round).to_string()),
    ]
    .into_iter()
    .flat_map(|(flag, v)| [flag.to_string(), v])
    .collect();
    super::bench_reference::run_reference(&b.python, "trl_grpo.py", &args, "TRL reference")
}

pub fn run(b: &GrpoBench) -> anyhow::Result<()> {
    if b.steps < 4 {
        bail!("--steps {}: need at least 4 (two warm-up steps are left out on each side)", b.steps);
    }
    let dir = tempfile::tempdir()?;
    eprintln!(
        "GRPO step on {}: {PROMPTS} prompts × G={GROUP}, ≤{MAX_NEW} new tokens, {}×{}-digit products, temperature {}, μ=1, β=0, dapo; {} steps per side per round",
        b.model.display(), b.digits, b.digits, b.temperature, b.steps
    );
    let key = |v: &[Value], k: &str| median(v.iter().filter_map(|l| l[k].as_f64()).collect());
    let mut rounds = Vec::new();
    for round in 0..b.rounds.max(1) {
        let us = ours(b, round, dir.path())?;
        let them = trl(b, round)?;
        let row = json!({
            "ours_step_s": key(&us, "seconds_per_step"),
            "ours_generate_s": key(&us, "generate_s"),
            "ours_forward_s": key(&us, "forward_s"),
            "ours_backward_s": key(&us, "backward_s"),
            "ours_accuracy": key(&us, "accuracy"),
            "ours_length": key(&us, "completion_len_mean"),
            "trl_step_s": them["median_step_s"],
            "trl_accuracy": them["accuracy_mean"],
            "trl_zero_std_groups": them["frac_reward_zero_std"],
            "trl_length": them["mean_length"],
        });
        let ratio = row["trl_step_s"].as_f64().unwrap_or(f64::NAN) / row["ours_step_s"].as_f64().unwrap_or(f64::NAN);
        eprintln!(
            "round {}: deepthink {:.3} s/step (gen {:.3}, fwd {:.3}, bwd {:.3}) · TRL {:.3} s/step · {:.2}×",
            round + 1,
            row["ours_step_s"].as_f64().unwrap_or(f64::NAN),
            row["ours_generate_s"].as_f64().unwrap_or(f64::NAN),
            row["ours_forward_s"].as_f64().unwrap_or(f64::NAN),
            row["ours_backward_s"].as_f64().unwrap_or(f64::NAN),
            row["trl_step_s"].as_f64().unwrap_or(f64::NAN),
            ratio
        );
        rounds.push(row);
    }
    let col = |k: &str| median(rounds.iter().filter_map(|r| r[k].as_f64()).collect());
    let ratios: Vec<f64> =
        rounds.iter().filter_map(|r| Some(r["trl_step_s"].as_f64()? / r["ours_step_s"].as_f64()?)).collect();
    println!("{:<34} {:>10} {:>10}", "median over rounds", "deepthink", "TRL");
    println!("{:<34} {:>10.3} {:>10.3}", "seconds per step", col("ours_step_s"), col("trl_step_s"));
    println!("{:<34} {:>10.3} {:>10}", "  generation", col("ours_generate_s"), "-");
    println!("{:<34} {:>10.3} {:>10}", "  forward + loss", col("ours_forward_s"), "-");
    println!("{:<34} {:>10.3} {:>10}", "  backward", col("ours_backward_s"), "-");
    println!("{:<34} {:>10.3} {:>10.3}", "sampled accuracy", col("ours_accuracy"), col("trl_accuracy"));
    println!("{:<34} {:>10.1} {:>10.1}", "mean completion length", col("ours_length"), col("trl_length"));
    println!("speed-up (TRL s / ours s): {:.2}× (per round: {:?})", median(ratios.clone()), ratios);
    println!("{}", json!({"rounds": rounds, "ratios": ratios}));
    Ok(())
}
