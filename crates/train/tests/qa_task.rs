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
        data: SftData::File {
            path: SAMPLE.into(),
            eval_task: Some("qa".into()),
            task_config: task_config.clone(),
            split: true,
        },
        shape: ModelShape {
            d_model: 32,
            n_layers: 2,
            n_heads: 4,
            n_kv_heads: 2,
            ffn_dim: 64,
            max_seq_len: 128,
            ..ModelShape::default()
        },
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
    let trained: Vec<String> =
        read_records(std::path::Path::new(SAMPLE)).unwrap().iter().map(|r| question_of(r).to_string()).collect();
    for p in held_out_problems(task.as_ref(), 8, cfg.seed) {
        assert!(p.is_held_out() && trained.contains(&p.question()));
        assert_eq!(task.prompt(&p, PromptStyle::Plain), p.question());
    }
}

#[test]
fn open_text_trains_with_a_learnt_bpe_tokenizer() {
    let dir = tempfile::tempdir().unwrap();
    // Questions with capitals and punctuation the character-level tokenizer cannot read.
    let lines: String = ["Cat", "Dog", "Tree", "Stone", "River", "Cloud", "Apple", "Bread"]
        .iter()
        .cycle()
        .take(64)
        .enumerate()
        .map(|(i, w)| {
            format!(
                "{{\"question\": \"Spell \\\"{w}\\\" backward (#{i})!\", \"answer\": \"{}\"}}\n",
                w.chars().rev().collect::<String>()
            )
        })
        .collect();
    let data = dir.path().join("words.jsonl");
    std::fs::write(&data, lines).unwrap();
    let records = read_records(&data).unwrap();
    let texts: Vec<String> = records.iter().flat_map(|r| [question_of(r).to_string(), r.reply.clone()]).collect();
    let tok = deepthink_model::bpe::train_bpe(texts.iter().map(String::as_str), 320).unwrap();
    let tok_dir = dir.path().join("tok");
    std::fs::create_dir_all(&tok_dir).unwrap();
    tok.save(&tok_dir).unwrap();
    let cfg = SftConfig {
        data: SftData::File {
            path: data.clone(),
            eval_task: Some("qa".into()),
            task_config: TaskConfig::default().with("qa_file", data.display().to_string()),
            split: true,
        },
        tokenizer: Some(tok_dir),
        shape: ModelShape {
            d_model: 32,
            n_layers: 1,
            n_heads: 2,
            n_kv_heads: 1,
            ffn_dim: 32,
            max_seq_len: 64,
            ..ModelShape::default()
        },
        steps: 30,
        batch_size: 8,
        lr: 3e-3,
        warmup_steps: 3,
        max_len: 64,
        eval_every: 1000,
        eval_problems: 4,
        save_every: 1000,
        ..SftConfig::default()
    };
    let out = train_sft(&cfg, &dir.path().join("run"), false).unwrap();
    let l = losses(&dir.path().join("run"));
    assert!(l[25..].iter().sum::<f64>() < 0.8 * l[..5].iter().sum::<f64>(), "loss did not fall: {l:?}");
    let ck = deepthink_model::load_checkpoint(&out.checkpoint).unwrap();
    assert_eq!(ck.tokenizer.vocab_size(), tok.vocab_size(), "the checkpoint carries the learnt tokenizer");
    assert!(ck.tokenizer.encode("Spell \"Ünseen\" backward!").is_ok());
}
