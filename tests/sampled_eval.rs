//! `eval` with more than one sample a problem, on the compact multiplication model
//! (`models/mult-compact`): majority voting charges every sample, and sampled runs report
//! pass@k beside maj@k.

mod common;

fn eval_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["eval", "--json"];
    all.extend_from_slice(args);
    let out = common::succeeds(&all);
    serde_json::from_slice(&out.stdout).expect("eval --json prints one JSON object")
}

#[test]
fn eval_runs_majority_voting_and_charges_every_sample() {
    let greedy = eval_json(&["-n", "16", "--seed", "3"]);
    let voted =
        eval_json(&["-n", "16", "--seed", "3", "--strategy", "majority", "--samples", "4", "--temperature", "1.0"]);
    assert_eq!(voted["n"], 16);
    assert!(voted["accuracy"].as_f64().unwrap() >= 0.9, "{voted}");
    let (g, v) = (greedy["generated_tokens"].as_f64().unwrap(), voted["generated_tokens"].as_f64().unwrap());
    assert!(v > 3.5 * g && v < 4.5 * g, "4 samples should cost ~4x greedy: {v} vs {g}");
}

#[test]
fn sampled_evaluation_reports_pass_at_k_and_maj_at_k() {
    let v = eval_json(&[
        "-n",
        "40",
        "--seed",
        "5",
        "--strategy",
        "majority",
        "--samples",
        "6",
        "--temperature",
        "2.5",
        "--min-digits",
        "4",
        "--max-digits",
        "5",
    ]);
    let s = &v["samples"];
    assert_eq!(s["k"], 6);
    let (pass_k, pass_1, maj_k) =
        (s["pass_at_k"].as_f64().unwrap(), s["pass_at_1"].as_f64().unwrap(), s["maj_at_k"].as_f64().unwrap());
    assert_eq!(maj_k, v["accuracy"].as_f64().unwrap(), "maj@k is what majority voting scored");
    assert!(pass_1 <= pass_k && maj_k <= pass_k && pass_1 < 1.0, "{s}");
    let greedy = eval_json(&["-n", "10"]);
    assert!(greedy.get("samples").is_none(), "one sample: no pass@k");
}

#[test]
fn calibrated_allocation_learns_a_table_and_spends_less_than_the_fixed_rule() {
    let hot =
        ["-n", "40", "--seed", "5", "--samples", "8", "--temperature", "2.5", "--min-digits", "4", "--max-digits", "5"];
    let voted = eval_json(&[&hot[..], &["--strategy", "majority"]].concat());
    let fixed = eval_json(&[&hot[..], &["--strategy", "allocate", "--window", "2"]].concat());
    let args =
        [&["eval", "--json"], &hot[..], &["--strategy", "allocate", "--window", "2", "--calibrate", "40"]].concat();
    let out = common::succeeds(&args);
    let allocated: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("calibrated on 40 problems the evaluation does not score: 2/2 agree → 2,"), "{stderr}");
    let tokens = |v: &serde_json::Value| v["generated_tokens"].as_f64().unwrap();
    // The fixed rule gives a split probe all 8 samples; the learnt table gives it what paid off.
    assert!(
        tokens(&allocated) < tokens(&fixed) && tokens(&fixed) < tokens(&voted),
        "{allocated} vs {fixed} vs {voted}"
    );
    assert!(allocated["accuracy"].as_f64().unwrap() >= voted["accuracy"].as_f64().unwrap() - 0.05);
    let refused = |extra: &[&str], message: &str| {
        let bad = common::deepthink(&[&["eval"], &hot[..], extra].concat());
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains(message), "{}", String::from_utf8_lossy(&bad.stderr));
    };
    refused(
        &["--strategy", "allocate", "--window", "1", "--calibrate", "4"],
        "--window 1: allocate's probe needs at least 2",
    );
    refused(
        &["--strategy", "allocate", "--window", "2", "--calibrate", "4", "--calibration-tolerance=-1"],
        "--calibration-tolerance -1",
    );
    refused(
        &["--strategy", "allocate", "--calibrate", "4", "--budgets", "2,4", "--out", "/nonexistent"],
        "is not used by a --budgets grid",
    );
    refused(
        &["--strategy", "allocate", "--window", "2", "--calibrate", "4", "--calibration-folds", "3"],
        "--calibration-folds 3",
    );
    refused(
        &["--strategy", "allocate", "--window", "1", "--confidence-cuts", "0.5"],
        "--confidence-cuts 0.5 needs --calibrate K",
    );
    refused(
        &["--strategy", "allocate", "--window", "1", "--calibrate", "4", "--confidence-cuts", "0.9,0.5"],
        "must rise strictly within (0, 1)",
    );
    let two_fold = [&args[..], &["--calibration-folds", "2"]].concat();
    let stderr = String::from_utf8_lossy(&common::succeeds(&two_fold).stderr).into_owned();
    assert!(stderr.contains("does not score, two-fold: 2/2 agree → "), "{stderr}");
    // With the policy's confidence, one sample is a probe, and a sure one settles its problem: a
    // slip in a product is a digit drawn from the tail.
    let confident = [
        &["eval", "--json"],
        &hot[..],
        &["--strategy", "allocate", "--window", "1", "--calibrate", "40", "--confidence-cuts", "0.5"],
    ]
    .concat();
    let out = common::succeeds(&confident);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let table = stderr.lines().find(|l| l.contains("calibrated on 40")).unwrap_or_default();
    assert!(table.contains("1/1 agree, confidence ≥ 0.5 → 1,"), "{stderr}");
    let by_confidence: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(tokens(&by_confidence) < tokens(&allocated), "{by_confidence} vs {allocated}");
    assert!(by_confidence["accuracy"].as_f64().unwrap() >= voted["accuracy"].as_f64().unwrap() - 0.05);
}
