//! `deepthink distill` end to end: a model teacher's verified samples become a file that
//! `train sft --data` trains on; bad input gets a one-line error.

mod common;

use common::{deepthink, succeeds, tiny_run};

#[test]
fn a_model_teachers_verified_samples_train_a_student() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("distilled.jsonl");
    let out_s = out.to_str().unwrap();
    let done =
        succeeds(&["distill", "--task", "mult", "-n", "6", "--samples", "3", "--temperature", "1.5", "-o", out_s]);
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(stdout.contains("candidates right") && stdout.contains("train sft --data"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("distilled.jsonl.report.json")).unwrap()).unwrap();
    assert_eq!(report["candidates"], 18);
    assert_eq!(report["kept"], report["solved"], "keep 1: one line a solved problem");
    assert!(report["teacher"].as_str().unwrap().contains("majority×3"), "{report}");
    let run = dir.path().join("student");
    let mut args = vec!["train", "sft", "--data", out_s, "--task", "mult", "--run", run.to_str().unwrap()];
    args.extend(tiny_run());
    succeeds(&args);
    assert!(run.join("checkpoint/model.safetensors").exists());
}

#[test]
fn bad_distill_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    let out_s = out.to_str().unwrap();
    let e = deepthink(&["distill", "--task", "mult", "--strategy", "vibes", "-o", out_s]);
    assert!(!e.status.success());
    assert!(String::from_utf8_lossy(&e.stderr).contains("unknown strategy `vibes`"));
    let e = deepthink(&["distill", "--task", "mult", "--strategy", "beam", "-o", out_s]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("needs a verifier"));
    let e = deepthink(&["distill", "--task", "mult", "--keep", "0", "-n", "2", "-o", out_s]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("`keep`"), "{}", String::from_utf8_lossy(&e.stderr));
    assert!(!out.exists(), "nothing is written for a refused run");
}

#[test]
fn the_shipped_recipes_parse_and_a_recipe_runs_from_the_command_line() {
    // The R1-Zero recipe is docs/r1-zero.md's two commands; its stages type-check without running.
    let (recipe, dir) = deepthink_train::pipeline::recipe::Recipe::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/recipes/r1-zero.toml"
    )))
    .unwrap();
    assert_eq!(dir, std::path::PathBuf::from("runs/r1-zero"));
    let kinds: Vec<&str> = recipe.stage.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, ["pretrain", "rl"]);
    let rl: deepthink_train::grpo::trainer::GrpoConfig = recipe.stage[1].config.clone().try_into().unwrap();
    assert_eq!((rl.steps, rl.lr, rl.max_new_tokens), (150, 5e-5, 192));
    let base: deepthink_train::SftConfig = recipe.stage[0].config.clone().try_into().unwrap();
    assert_eq!(base.steps, 3000);

    // The R1 recipe: every stage types as its kind's config, and every `@name` names an earlier stage.
    let r1 = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/recipes/r1.toml"));
    let (recipe, dir) = deepthink_train::pipeline::recipe::Recipe::load(r1).unwrap();
    let kinds: Vec<&str> = recipe.stage.iter().map(|s| s.kind.as_str()).collect();
    for kind in ["pretrain", "rl", "generate", "clean", "filter", "mix", "sft"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    for (i, s) in recipe.stage.iter().enumerate() {
        let resolved =
            deepthink_train::pipeline::recipe::resolve(&s.config, &dir, &recipe.stage[..i], &s.name).unwrap();
        deepthink_train::pipeline::stages::typed_stage(&s.name, &s.kind, resolved).map(drop).unwrap();
    }

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("r.toml");
    std::fs::write(
        &path,
        "[[stage]]\nname = \"traces\"\nkind = \"generate\"\n[stage.config]\ntrace = \"optimal\"\ntask = \"countdown\"\nproblems = 5\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = |extra: &str| {
        let mut args = vec!["pipeline", path.to_str().unwrap(), "--dir", out.to_str().unwrap()];
        if !extra.is_empty() {
            args.push(extra);
        }
        String::from_utf8_lossy(&succeeds(&args).stdout).to_string()
    };
    assert!(run("").contains("ran 1 stage(s), skipped 0"));
    assert!(run("").contains("ran 0 stage(s), skipped 1"));
    assert!(run("--restart").contains("ran 1 stage(s)"));
    assert_eq!(std::fs::read_to_string(out.join("traces/data.jsonl")).unwrap().lines().count(), 5);
}
