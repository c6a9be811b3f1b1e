//! deepthink's GRPO advantages, loss and gradient against TRL's formula in PyTorch
//! (`tests/golden/make_grpo_golden.py` made `grpo_golden.json`): every loss aggregation, with
//! and without std scaling and the KL term, clip range (0.2, 0.28) so some ratios clip.

use deepthink_train::grpo::advantage::group_advantages;
use deepthink_train::grpo::loss::{grpo_loss, Aggregation, Completion, SurrogateConfig};
use serde_json::Value;

fn floats(v: &Value) -> Vec<f32> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect()
}

fn rows(v: &Value) -> Vec<Vec<f32>> {
    v.as_array().unwrap().iter().map(floats).collect()
}

#[test]
fn loss_gradient_and_advantages_match_trl() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/grpo_golden.json");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let group = g["group"].as_u64().unwrap() as usize;
    let rewards = floats(&g["rewards"]);
    let (logps, old, reference) = (rows(&g["logps"]), rows(&g["old_logps"]), rows(&g["ref_logps"]));
    let mut clipped_somewhere = false;
    for case in g["cases"].as_array().unwrap() {
        let scale = case["scale_rewards"].as_bool().unwrap();
        let adv = group_advantages(&rewards, group, scale);
        for (a, b) in adv.iter().zip(floats(&case["advantages"])) {
            assert!((a - b).abs() < 1e-5, "advantage {a} vs {b}");
        }
        let cfg = SurrogateConfig {
            epsilon_low: case["epsilon_low"].as_f64().unwrap() as f32,
            epsilon_high: case["epsilon_high"].as_f64().unwrap() as f32,
            beta: case["beta"].as_f64().unwrap() as f32,
            aggregation: match case["loss_type"].as_str().unwrap() {
                "grpo" => Aggregation::Grpo,
                "dr_grpo" => Aggregation::DrGrpo,
                _ => Aggregation::Dapo,
            },
            max_completion_len: case["max_completion_len"].as_u64().unwrap() as usize,
        };
        let batch: Vec<Completion> = (0..logps.len())
            .map(|i| Completion {
                logps: &logps[i],
                old_logps: &old[i],
                ref_logps: Some(&reference[i]),
                advantage: adv[i],
                forced: 0,
            })
            .collect();
        let out = grpo_loss(&batch, &cfg);
        let want = case["loss"].as_f64().unwrap();
        assert!((out.loss - want).abs() < 1e-5, "{case}: loss {} vs {want}", out.loss);
        for (ours, theirs) in out.dlogps.iter().zip(rows(&case["grad"])) {
            for (a, b) in ours.iter().zip(&theirs) {
                assert!((a - b).abs() < 1e-6, "{}: grad {a} vs {b}", case["loss_type"]);
            }
        }
        clipped_somewhere |= out.clip_fraction > 0.0;
        if cfg.beta > 0.0 {
            assert!(out.kl > 0.0);
        }
    }
    assert!(clipped_somewhere, "the golden batch must exercise the clip");
}

#[test]
fn a_group_with_equal_rewards_contributes_no_gradient() {
    let adv = group_advantages(&[1.0, 1.0, 1.0, 1.0], 4, true);
    let lp = [-1.0f32, -0.5, -2.0];
    let old = [-1.1f32, -0.4, -2.0];
    let batch: Vec<Completion> = adv
        .iter()
        .map(|&a| Completion { logps: &lp, old_logps: &old, ref_logps: None, advantage: a, forced: 0 })
        .collect();
    let out = grpo_loss(&batch, &SurrogateConfig::default());
    assert!(out.dlogps.iter().flatten().all(|&d| d == 0.0));
    assert_eq!(out.loss, 0.0);
}
