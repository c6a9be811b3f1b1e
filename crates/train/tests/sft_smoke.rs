//! SFT on a tiny model: the loss falls, parameters change, and a run interrupted and resumed
//! ends bit-for-bit where an uninterrupted run does.

mod common;

use common::losses;

use deepthink_model::{load_checkpoint, ModelShape};
use deepthink_tasks::mult::COMPACT;
use deepthink_tasks::{MultConfig, PromptStyle, TaskConfig};
use deepthink_train::{train_sft, SftConfig, SftData};

fn tiny_config(steps: u64) -> SftConfig {
    SftConfig {
        data: SftData::Task {
            task: "mult".into(),
            task_config: TaskConfig::from(MultConfig { min_digits: 1, max_digits: 2, ..MultConfig::default() }),
            trace: COMPACT,
            prompt: PromptStyle::Plain,
        },
        shape: ModelShape {
            d_model: 32,
            n_layers: 2,
            n_heads: 4,
            n_kv_heads: 2,
            ffn_dim: 64,
            max_seq_len: 64,
            ..ModelShape::default()
        },
        steps,
        batch_size: 16,
        lr: 3e-3,
        min_lr: 3e-4,
        warmup_steps: 5,
        eval_every: 1000,
        eval_problems: 4,
        save_every: 5,
        max_len: 64,
        ..SftConfig::default()
    }
}

#[test]
fn loss_falls_and_parameters_move() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny_config(60);
    let out = train_sft(&cfg, dir.path(), false).unwrap();
    assert_eq!(out.steps, 60);
    let l = losses(dir.path());
    assert_eq!(l.len(), 60);
    let first: f64 = l[..5].iter().sum::<f64>() / 5.0;
    let last: f64 = l[55..].iter().sum::<f64>() / 5.0;
    assert!(last < 0.6 * first, "loss did not fall: {first:.3} -> {last:.3}");
    let trained = load_checkpoint(&out.checkpoint).unwrap().model;
    let init = deepthink_model::Model::new_random(trained.cfg.clone(), cfg.seed);
    let moved = trained.params.iter().zip(&init.params).filter(|(a, b)| a != b).count();
    assert!(moved > trained.params.len() * 9 / 10, "only {moved} parameters changed");
}

#[test]
fn an_interrupted_run_resumes_exactly() {
    let full = tiny_config(12);
    let a_dir = tempfile::tempdir().unwrap();
    let a = train_sft(&full, a_dir.path(), false).unwrap();
    let again_dir = tempfile::tempdir().unwrap();
    let again = train_sft(&full, again_dir.path(), false).unwrap();
    // The "interrupted" run: the same config stopped after 5 steps (within warm-up, where the
    // learning rate does not depend on the total), its saved state then pointed at the full config.
    let part = tempfile::tempdir().unwrap();
    let mut short = tiny_config(12);
    short.steps = 5;
    train_sft(&short, part.path(), false).unwrap();
    let state_path = part.path().join("checkpoint/trainer_state.json");
    let mut state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    state["config"] = serde_json::to_value(&full).unwrap();
    std::fs::write(&state_path, state.to_string()).unwrap();
    let b = train_sft(&full, part.path(), false).unwrap();
    assert_eq!(b.steps, 12);
    let weights = |p: &std::path::Path| load_checkpoint(p).unwrap().model.params;
    assert_eq!(
        weights(&a.checkpoint),
        weights(&again.checkpoint),
        "the same config and seed must give the same weights"
    );
    assert_eq!(
        weights(&a.checkpoint),
        weights(&b.checkpoint),
        "a resumed run must end where an uninterrupted one does"
    );
    assert_eq!(losses(part.path()).len(), 12);
}

#[test]
fn a_changed_configuration_is_not_silently_resumed() {
    let dir = tempfile::tempdir().unwrap();
    train_sft(&tiny_config(5), dir.path(), false).unwrap();
    let mut other = tiny_config(5);
    other.lr = 1e-2;
    let e = train_sft(&other, dir.path(), false).unwrap_err().to_string();
    assert!(e.contains("--restart"), "{e}");
}

#[test]
fn pretraining_on_the_base_corpus_lowers_the_loss() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = SftConfig {
        data: SftData::Corpus {
            task: "mult".into(),
            task_config: TaskConfig::from(MultConfig { min_digits: 1, max_digits: 2, ..MultConfig::default() }),
            mix: deepthink_train::pretrain::CorpusMix::Full,
            think_rate: 0.05,
            notation_switch: 0.0,
            instruction_rate: 0.0,
        },
        max_len: 128,
        shape: ModelShape { max_seq_len: 128, ..tiny_config(60).shape },
        ..tiny_config(60)
    };
    train_sft(&cfg, dir.path(), false).unwrap();
    let l = losses(dir.path());
    let first: f64 = l[..5].iter().sum::<f64>() / 5.0;
    let last: f64 = l[55..].iter().sum::<f64>() / 5.0;
    assert!(last < 0.7 * first, "loss did not fall: {first:.3} -> {last:.3}");
}
