//! The GRPO loop end to end on the shipped default model, which answers 3×3 products right every
//! time: every group's rewards are equal, so every advantage is zero and the policy must not
//! move; the metrics line carries the issue's fields; a rerun resumes, a changed config is refused.

use std::path::PathBuf;

use deepthink_model::load_checkpoint;
use deepthink_tasks::{PromptStyle, TaskConfig};
use deepthink_train::grpo::loss::SurrogateConfig;
use deepthink_train::grpo::trainer::{train_grpo, GrpoConfig, RewardSpec};
use deepthink_train::optim::AdamWConfig;

fn config(skip: bool) -> GrpoConfig {
    GrpoConfig {
        init_from: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/mult-compact"),
        task: "mult".into(),
        task_config: TaskConfig::default(),
        prompt: PromptStyle::Plain,
        prompts: 3,
        group: 4,
        max_new_tokens: 64,
        temperature: 0.3,
        thinking: Default::default(),
        inner_steps: 2,
        surrogate: SurrogateConfig { beta: 0.04, ..SurrogateConfig::default() },
        scale_rewards: true,
        rewards: vec![
            RewardSpec { name: "accuracy".into(), weight: 1.0 },
            RewardSpec { name: "format".into(), weight: 0.5 },
        ],
        length_warmup: 0,
        length_targets: None,
        no_think_share: 0.0,
        verifier_cmd: None,
        skip_zero_advantage: skip,
        mask_truncated: false,
        micro_batch: 5,
        steps: 2,
        lr: 1e-3,
        warmup_steps: 0,
        adamw: AdamWConfig { weight_decay: 0.0, ..AdamWConfig::default() },
        clip: 1.0,
        eval_every: 2,
        eval_problems: 4,
        save_every: 1,
        seed: 3,
    }
}

#[test]
fn equal_rewards_leave_the_policy_unchanged_and_runs_resume() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let cfg = config(false);
    let out = train_grpo(&cfg, &run, false).unwrap();
    assert_eq!(out.checkpoint, run.join("checkpoint"), "the trainer hands on its checkpoint");
    assert_eq!(out.final_eval_accuracy, Some(1.0));
    let m = out.last;
    assert_eq!(m.accuracy, 1.0, "the default model solves 3×3 products");
    assert_eq!(m.reward_std, 0.0);
    // The compute the step records: no group skipped, so every sampled sequence goes through the
    // μ = 2 inner updates and two forward-only passes (the frozen sampling policy, as μ > 1, and the
    // reference, as β > 0). A pass runs every completion the rollout sampled, but each prompt only
    // once per micro-batch it appears in: micro-batches of 5 split the 3 groups of 4 as 4 + 1,
    // 3 + 2 and 2, so 5 copies of the (equally long) 3×3 prompts instead of 12.
    assert!(m.rollout_tokens > 0, "{m:?}");
    assert_eq!(m.update_tokens % 2, 0, "μ = 2 passes over the same positions: {m:?}");
    assert_eq!(m.frozen_tokens, m.update_tokens, "two frozen passes, two updates: {m:?}");
    let per_pass = (m.update_tokens / 2) as f64;
    let completions = 12.0 * m.completion_len_mean;
    let prompt = (m.rollout_tokens as f64 - completions) / 12.0;
    let want = completions + 5.0 * prompt;
    assert!(
        (want - 0.5..=want + 12.5).contains(&per_pass),
        "a pass covers 12 completions (each perhaps with its end token) and 5 prompts of {prompt}: {m:?}"
    );
    let before = load_checkpoint(&cfg.init_from).unwrap().model.params;
    let after = load_checkpoint(&run.join("checkpoint")).unwrap().model.params;
    assert_eq!(before, after, "zero advantages (and a zero KL at the start) must not move the policy");
    let lines = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    // step 0 (the starting policy on the held-out set), then one line per step
    assert_eq!(lines.lines().count(), 3);
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["step"], 0);
    assert_eq!(first["eval_accuracy"], 1.0, "{first}");
    assert_eq!(first["eval_format"], 1.0, "{first}");
    let logged = std::fs::read_to_string(run.join("completions.jsonl")).unwrap();
    assert!(logged.lines().count() >= 2 && logged.contains("<think>"), "{logged}");
    let last: serde_json::Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    for key in [
        "reward_mean",
        "reward_std",
        "accuracy",
        "completion_len_mean",
        "completion_len_max",
        "kl",
        "clip_fraction",
        "entropy",
        "tokens_per_s",
        "seconds_per_step",
        "generate_s",
        "forward_s",
        "backward_s",
        "eval_accuracy",
        "eval_format",
    ] {
        assert!(last.get(key).is_some(), "{key} missing from {last}");
    }
    // Finished: a rerun resumes at step 2 and does nothing; another config is refused.
    assert_eq!((out.steps, out.steps_run), (2, 2));
    let rerun = train_grpo(&cfg, &run, false).unwrap();
    assert_eq!((rerun.steps, rerun.steps_run), (2, 0), "a finished run says it ran nothing now");
    assert_eq!(std::fs::read_to_string(run.join("metrics.jsonl")).unwrap().lines().count(), 3);
    // --restart starts both logs afresh: one step-0 line, not two; no completions of the old run.
    train_grpo(&cfg, &run, true).unwrap();
    let again = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    assert_eq!(again.lines().count(), 3, "{again}");
    assert_eq!(std::fs::read_to_string(run.join("completions.jsonl")).unwrap(), logged);
    let e = train_grpo(&GrpoConfig { lr: 5e-4, ..cfg }, &run, false).unwrap_err().to_string();
    assert!(e.contains("different configuration"), "{e}");
}

#[test]
fn a_no_think_share_samples_both_modes_and_the_bonus_sees_them() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let mut cfg = config(false);
    cfg.no_think_share = 0.5;
    cfg.lr = 1e-5; // the R1-Zero recipe's scale (this file's 1e-3 only ever meets zero gradients)
    cfg.rewards =
        vec![RewardSpec { name: "accuracy".into(), weight: 1.0 }, RewardSpec { name: "no-think".into(), weight: 0.05 }];
    let m = train_grpo(&cfg, &run, false).unwrap().last;
    // Two of each group's four start with the empty block; the other two think, as the model does.
    assert_eq!(m.no_think, 0.5, "{m:?}");
    // The compact model cannot multiply three digits in its head: the forced half is mostly wrong.
    assert!(m.accuracy < 1.0 && m.accuracy >= 0.5, "{m:?}");
    assert!(m.kl < 0.1, "a small step keeps the policy near its start: {m:?}");
    let logged = std::fs::read_to_string(run.join("completions.jsonl")).unwrap();
    assert!(logged.contains(r"<think>\n\n</think>\n\n"), "{logged}");
    let before = load_checkpoint(&cfg.init_from).unwrap().model.params;
    let after = load_checkpoint(&run.join("checkpoint")).unwrap().model.params;
    assert_ne!(before, after, "unequal rewards move the policy");
    let bad = train_grpo(&GrpoConfig { no_think_share: 1.0, ..cfg }, &dir.path().join("bad"), false);
    assert!(bad.unwrap_err().to_string().contains("no_think_share"));
}

#[test]
fn groups_with_zero_advantage_can_skip_the_update() {
    let dir = tempfile::tempdir().unwrap();
    let m = train_grpo(&config(true), &dir.path().join("run"), false).unwrap().last;
    assert_eq!(m.skipped_groups, 3);
    assert!(m.rollout_tokens > 0, "the rollouts still ran: {m:?}");
    assert_eq!((m.update_tokens, m.frozen_tokens), (0, 0), "and no update pass did: {m:?}");
}

#[test]
fn a_verifier_process_scores_the_accuracy_reward_and_a_broken_one_does_not_stop_the_run() {
    let script =
        |name: &str| format!("python3 -u {}/../tasks/tests/data/verifiers/{name}.py", env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let good = GrpoConfig { verifier_cmd: Some(script("exact")), ..config(false) };
    let out = train_grpo(&good, &dir.path().join("good"), false).unwrap();
    assert_eq!(out.last.accuracy, 1.0, "the process agrees with the task's checker on the default model");
    // Dies after its first line: the batch fails, and each completion asked again on its own
    // (a fresh process each time) is scored, so no completion loses its reward.
    let crashing = GrpoConfig { verifier_cmd: Some(script("crash")), ..config(false) };
    let out = train_grpo(&crashing, &dir.path().join("crashing"), false).unwrap();
    assert_eq!(out.steps, 2, "the run goes on");
    assert_eq!(out.last.accuracy, 1.0, "every completion rescored alone");
    let garbage = GrpoConfig { verifier_cmd: Some(script("garbage")), ..config(false) };
    let out = train_grpo(&garbage, &dir.path().join("garbage"), false).unwrap();
    assert_eq!(out.steps, 2, "the run goes on");
    assert_eq!(out.last.accuracy, 0.0, "a completion the verifier cannot score gets 0");
}

#[test]
fn rollouts_obey_the_thinking_budget() {
    use deepthink_train::grpo::rollout::sample_groups;
    let cfg = GrpoConfig {
        thinking: deepthink_model::ThinkingBudget { max: Some(6), ..Default::default() },
        ..config(false)
    };
    let ck = load_checkpoint(&cfg.init_from).unwrap();
    let task = deepthink_tasks::task_by_name(&cfg.task, &cfg.task_config).unwrap();
    let r = sample_groups(&ck.model, &ck.tokenizer, task.as_ref(), &cfg, 0).unwrap();
    let close = ck.tokenizer.token_id("</think>").unwrap();
    for o in &r.outputs {
        // The default model thinks 28 tokens on a 3×3 product: every rollout is cut at 6.
        assert_eq!(o.tokens.iter().position(|&t| t == close), Some(6), "{:?}", ck.tokenizer.decode(&o.tokens));
    }
    for text in &r.texts {
        // The pre-filled `<think>\n` is the prompt's; the 6 generated characters follow it.
        assert_eq!(deepthink_tasks::text::think_block(text).chars().count(), 1 + 6, "{text:?}");
    }
}

#[test]
fn rollouts_stop_where_the_update_can_still_take_them() {
    use deepthink_train::grpo::rollout::sample_groups;
    let cfg = config(false);
    let mut ck = load_checkpoint(&cfg.init_from).unwrap();
    // A context shorter than prompt + thinking: every rollout runs into it. The decoder could
    // sample one token past a full context, but the update feeds prompt and completion in together.
    ck.model.cfg.max_seq_len = 24;
    let task = deepthink_tasks::task_by_name(&cfg.task, &cfg.task_config).unwrap();
    let r = sample_groups(&ck.model, &ck.tokenizer, task.as_ref(), &cfg, 0).unwrap();
    let lens: Vec<usize> = r.prompts.iter().zip(&r.outputs).map(|(p, o)| p.len() + o.tokens.len()).collect();
    assert!(lens.iter().all(|&n| n == 24), "each rollout fills the context exactly: {lens:?}");
}
