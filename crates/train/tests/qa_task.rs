//! An open question/answer file trains and evaluates through the same seam as the built-in
//! tasks: SFT on `{"question", "answer"}` and GSM8K lines (`--data FILE`, the held-out 5% left
//! out), evaluated greedily on the file's own held-out lines by the `qa` task's verifier.

mod common;

use common::losses;

use deepthink_model::ModelShape;
use deepthink_tasks::{held_out_problems, task_by_name, PromptStyle, TaskConfig};
use deepthink_train::data_file::{question_of, read_records};
use deepthink_train::{train_sft, SftConfig, SftData};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tasks/tests/data/qa-sample.jsonl");


#[test]
fn sft_on_a_question_answer_file_learns_and_evaluates_on_its_held_out_lines() {
    let dir = tempfile::tempdir().unwrap();
    let task_config = TaskConfig::default().with("qa_file", SAMPLE);
    let cfg = SftConfig {
        data: SftData::File { path: SAMPLE.into(), eval_task: Some("qa".into()), task_config: task_config.clone(), split: true },
        shape: ModelShape { d_model: 32, n_layers: 2, n_heads: 4, n_kv_heads: 2, ffn_dim: 64, max_seq_len: 128, ..ModelShape::default() },
        steps: 60,
        batch_size: 16,
        lr: 3e-3,
        min_lr: 3e-4,
        warmup_steps: 5,
        max_len: 128,
        eval_every: 1000,
        eval_problems: 8,
        save_every: 1000,
        ..SftConfig::default()
    };
    let out = train_sft(&cfg, dir.path(), false).unwrap();
    let l = losses(dir.path());
    let (first, last) = (l[..5].iter().sum::<f64>() / 5.0, l[55..].iter().sum::<f64>() / 5.0);
    assert!(last < 0.6 * first, "loss did not fall: {first:.3} -> {last:.3}");
    let eval = out.final_eval.expect("evaluated on the file's held-out lines");
    assert_eq!(eval.overall.n, 8);
    // Every evaluated question is one of the file's held-out lines, which training never saw.
    let task = task_by_name("qa", &task_config).unwrap();
    let trained: Vec<String> = read_records(std::path::Path::new(SAMPLE)).unwrap().iter().map(|r| question_of(r).to_string()).collect();
    for p in held_out_problems(task.as_ref(), 8, cfg.seed) {
        assert!(p.is_held_out() && trained.contains(&p.question()));
        assert_eq!(task.prompt(&p, PromptStyle::Plain), p.question());
    }
}
