//! Verifier training data labelled by any [`Verifier`]: the task's checker, an external verifier
//! process (`--verifier-cmd`, the labeller for open tasks), or a verifier that disagrees with both —
//! the labels follow the verifier, not the task.

use std::path::PathBuf;
use std::time::Duration;

use deepthink_model::load_checkpoint;
use deepthink_tasks::verifier_process::ProcessVerifier;
use deepthink_tasks::{
    task_by_name, Attempt, Checked, PromptStyle, Split, TaskChecker, TaskConfig, TaskError, Verdict, Verifier,
};
use deepthink_train::verifier::data::VerifierKind;
use deepthink_train::verifier::label::{label_solutions, LabelConfig, LabelMethod};
use deepthink_train::{train_verifier, SftConfig, VerifierConfig};

fn default_model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/mult-compact")
}

fn script(name: &str) -> String {
    format!("python3 -u {}/../tasks/tests/data/verifiers/{name}.py", env!("CARGO_MANIFEST_DIR"))
}

fn labels(method: LabelMethod) -> LabelConfig {
    LabelConfig {
        problems: 6,
        samples: 2,
        temperature: 1.0,
        max_new_tokens: 64,
        prompt: PromptStyle::Plain,
        method,
        seed: 5,
    }
}

/// Calls every attempt wrong.
struct NothingIsRight;

impl Verifier for NothingIsRight {
    fn name(&self) -> String {
        "nothing-is-right".into()
    }
    fn check(&self, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError> {
        Ok(attempts.iter().map(|_| Checked::new(Verdict::Wrong, None)).collect())
    }
}

#[test]
fn outcomes_and_outcome_labels_come_from_the_verifier_given() {
    let ck = load_checkpoint(&default_model()).unwrap();
    let task = task_by_name("mult", &TaskConfig::default()).unwrap();
    let cfg = labels(LabelMethod::Outcome);
    let label = |v: &dyn Verifier| label_solutions(&ck.model, &ck.tokenizer, task.as_ref(), v, Split::Train, &cfg);
    let (own, _) = label(&TaskChecker(task.as_ref())).unwrap();
    let process = ProcessVerifier::new(&script("exact"), Duration::from_secs(60));
    let (external, _) = label(&process).unwrap();
    assert_eq!(own.len(), 12);
    assert!(own.iter().any(|r| r.outcome), "the default model gets some right");
    let outcomes =
        |rs: &[deepthink_train::verifier::data::StepRecord]| rs.iter().map(|r| r.outcome).collect::<Vec<_>>();
    assert_eq!(outcomes(&own), outcomes(&external), "the process agrees with the task's checker");
    for r in &own {
        assert!(r.labels.iter().all(|&l| l == r.outcome), "outcome labels: every step carries the outcome");
    }
    let (contrary, _) = label(&NothingIsRight).unwrap();
    assert!(contrary.iter().all(|r| !r.outcome && r.labels.iter().all(|&l| !l)));
}

#[test]
fn train_verifier_labels_with_a_verifier_process_and_names_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = |cmd: &str| VerifierConfig {
        policy: default_model(),
        task: "mult".into(),
        task_config: TaskConfig::default(),
        kind: VerifierKind::Orm,
        labels: labels(LabelMethod::Outcome),
        heldout_problems: 4,
        verifier_cmd: Some(script(cmd)),
        verifier_timeout_s: 60,
        train: SftConfig {
            steps: 3,
            batch_size: 4,
            warmup_steps: 1,
            eval_every: 3,
            save_every: 3,
            ..SftConfig::default()
        },
    };
    let out = train_verifier(&cfg("exact"), &dir.path().join("orm"), false).unwrap();
    assert_eq!(out.labelled_solutions, 12);
    assert!(out.labelled_correct > 0);
    assert_eq!(out.quality.solutions, 8, "held-out solutions, outcome-labelled by the same process");
    let err = train_verifier(&cfg("garbage"), &dir.path().join("broken"), false).unwrap_err().to_string();
    assert!(err.contains("garbage.py") && err.contains("not a JSON score"), "{err}");
}
