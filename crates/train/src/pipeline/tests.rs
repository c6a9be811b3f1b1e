use super::*;

/// A four-stage recipe on `add` at the smallest size: an SFT base, symbolic traces, a student on
/// them, one RL step from the student.
fn recipe(dir: &Path, trace_problems: usize) -> PathBuf {
    let tiny = r#"
steps = 2
batch_size = 2
warmup_steps = 0
eval_every = 2
eval_problems = 2
save_every = 2
max_len = 128
[stage.config.shape]
d_model = 16
n_layers = 1
n_heads = 2
n_kv_heads = 1
ffn_dim = 16
max_seq_len = 128
"#;
    let text = format!(
        r#"
dir = "{dir}"
[report]
tasks = [{{ task = "add", n = 3, task_config = {{ max_digits = 2, min_digits = 1 }} }}]
max_new_tokens = 24

[[stage]]
name = "base"
kind = "sft"
[stage.config]
{tiny}
[stage.config.data]
source = "task"
task = "add"
trace = "carry"
prompt = "plain"
[stage.config.data.task_config]
max_digits = 2
min_digits = 1

[[stage]]
name = "traces"
kind = "generate"
[stage.config]
trace = "carry"
task = "add"
problems = {trace_problems}
task_config = {{ max_digits = 2, min_digits = 1 }}

[[stage]]
name = "student"
kind = "sft"
[stage.config]
init_from = "@base"
{tiny}
[stage.config.data]
source = "file"
path = "@traces"
eval_task = "add"
[stage.config.data.task_config]
max_digits = 2
min_digits = 1

[[stage]]
name = "rl"
kind = "rl"
[stage.config]
init_from = "@student"
task = "add"
prompts = 1
group = 2
max_new_tokens = 16
micro_batch = 2
steps = 1
eval_every = 1
eval_problems = 2
save_every = 1
task_config = {{ max_digits = 2, min_digits = 1 }}
"#,
        dir = dir.join("out").display()
    );
    let path = dir.join("tiny.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn stages_chain_skip_when_done_and_rerun_from_a_changed_one() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_pipeline(&recipe(dir.path(), 12), None, false).unwrap();
    assert_eq!(first.ran, ["base", "traces", "student", "rl"]);
    let out = dir.path().join("out");
    assert_eq!(std::fs::read_to_string(out.join("traces/data.jsonl")).unwrap().lines().count(), 12);
    assert!(out.join("rl/checkpoint/model.safetensors").exists());
    let report = std::fs::read_to_string(&first.report).unwrap();
    assert!(report.contains("| rl | rl |") && report.contains("add max_digits=2 min_digits=1 (n=3)"), "{report}");
    assert!(!report.contains("| traces | generate | 0.0 | 0.0%"), "a data stage has no scores: {report}");
    let chart: deepthink_eval::line_chart::LineChart =
        serde_json::from_slice(&std::fs::read(out.join("report-chart.json")).unwrap()).unwrap();
    assert_eq!(chart.x_labels, ["base", "student", "rl"], "one point per model stage, none for the data stage");
    assert_eq!(chart.series.len(), 1);
    assert!(std::fs::read_to_string(out.join("report.svg")).unwrap().contains("add max_digits=2 min_digits=1 (n=3)"));

    let again = run_pipeline(&recipe(dir.path(), 12), None, false).unwrap();
    assert!(again.ran.is_empty() && again.skipped.len() == 4, "{again:?}");
    assert_eq!(std::fs::read_to_string(&again.report).unwrap(), report, "the skipped stages keep their rows");

    let changed = run_pipeline(&recipe(dir.path(), 10), None, false).unwrap();
    assert_eq!(changed.skipped, ["base"]);
    assert_eq!(changed.ran, ["traces", "student", "rl"]);
    assert_eq!(std::fs::read_to_string(out.join("traces/data.jsonl")).unwrap().lines().count(), 10);
}

#[test]
fn bad_recipes_name_the_stage_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let write = |text: &str| {
        let p = dir.path().join("bad.toml");
        std::fs::write(&p, text).unwrap();
        p
    };
    let e = run_pipeline(&write("[[stage]]\nname = \"a\"\nkind = \"dance\"\n"), None, false).unwrap_err();
    assert!(e.to_string().contains("kind `dance`") && e.to_string().contains("pretrain"), "{e}");
    let e = run_pipeline(
        &write("[[stage]]\nname = \"a\"\nkind = \"rl\"\n[stage.config]\ninit_from = \"@nothing\"\n"),
        None,
        false,
    )
    .unwrap_err();
    assert!(e.to_string().contains("`@nothing` names no earlier stage"), "{e}");
    let e = run_pipeline(
        &write("[[stage]]\nname = \"a\"\nkind = \"rl\"\n[stage.config]\nsteps = \"many\"\n"),
        Some(&dir.path().join("o")),
        false,
    )
    .unwrap_err();
    assert!(e.to_string().contains("stage `a`") && e.to_string().contains("steps"), "{e}");
    let e = run_pipeline(&write("[[stage]]\nname = \"a\"\nkind = \"mix\"\n"), Some(&dir.path().join("o")), false)
        .unwrap_err();
    assert!(e.to_string().contains("`inputs`"), "{e}");
}
