//! The whole GRPO step's gradient — surrogate and KL through the log-softmax and the model's
//! hand-written backward pass — against finite differences of the same loss.

use deepthink_model::prefix_batch::PrefixBatch;
use deepthink_model::train_pass::Tape;
use deepthink_model::{Model, ModelConfig, ModelShape};
use deepthink_train::grpo::loss::{grpo_loss, Aggregation, Completion, SurrogateConfig};
use deepthink_train::grpo::policy::{backward_logps, completion_logps};

fn tiny() -> Model {
    let shape = ModelShape {
        d_model: 16,
        n_layers: 2,
        n_heads: 4,
        n_kv_heads: 2,
        ffn_dim: 24,
        max_seq_len: 32,
        tie_embeddings: false,
        qkv_bias: false,
    };
    let mut m = Model::new_random(ModelConfig::from_shape(&shape, 20).unwrap(), 3);
    for (i, p) in m.params.iter_mut().enumerate() {
        *p += 0.1 * ((i as f32) * 0.7).sin();
    }
    m
}

/// A prompt of 3 shared by completions of 4 and 2 tokens, and a prompt of 2 with one of 3.
fn batch() -> PrefixBatch {
    PrefixBatch::new([
        (&[1u32, 2, 3][..], vec![&[7u32, 8, 9, 4][..], &[7, 5][..]]),
        (&[4u32, 5][..], vec![&[10u32, 11, 12][..]]),
    ])
}

const ADV: [f32; 3] = [0.8, -1.3, 0.4];

fn loss_at(model: &Model, old: &[Vec<f32>], reference: &[Vec<f32>], cfg: &SurrogateConfig) -> f64 {
    let (logps, _) = completion_logps(model, &batch(), &mut Tape::default()).unwrap();
    let batch: Vec<Completion> = (0..3)
        .map(|i| Completion {
            logps: &logps[i],
            old_logps: &old[i],
            ref_logps: Some(&reference[i]),
            advantage: ADV[i],
            forced: 0,
        })
        .collect();
    grpo_loss(&batch, cfg).loss
}

#[test]
fn grpo_gradient_matches_finite_differences() {
    let model = tiny();
    let b = batch();
    let (now, _) = completion_logps(&model, &b, &mut Tape::default()).unwrap();
    // Old and reference policies slightly off the current one, inside the clip range.
    let old: Vec<Vec<f32>> = now.iter().map(|r| r.iter().map(|x| x - 0.05).collect()).collect();
    let reference: Vec<Vec<f32>> = now.iter().map(|r| r.iter().map(|x| x + 0.1).collect()).collect();
    for aggregation in [Aggregation::Grpo, Aggregation::DrGrpo, Aggregation::Dapo] {
        let cfg = SurrogateConfig { beta: 0.1, aggregation, max_completion_len: 6, ..SurrogateConfig::default() };
        let mut tape = Tape::default();
        let (logps, logits) = completion_logps(&model, &b, &mut tape).unwrap();
        let comps: Vec<Completion> = (0..3)
            .map(|i| Completion {
                logps: &logps[i],
                old_logps: &old[i],
                ref_logps: Some(&reference[i]),
                advantage: ADV[i],
                forced: 0,
            })
            .collect();
        let out = grpo_loss(&comps, &cfg);
        let mut grads = vec![0.0f32; model.n_params()];
        backward_logps(&model, &mut tape, logits, &b, &out.dlogps, &mut grads);
        let mut worst = 0.0f64;
        for k in (0..model.n_params()).step_by(37) {
            let h = 1e-2f32;
            let mut plus = tiny();
            plus.params[k] += h;
            let mut minus = tiny();
            minus.params[k] -= h;
            let numeric = (loss_at(&plus, &old, &reference, &cfg) - loss_at(&minus, &old, &reference, &cfg))
                / (2.0 * f64::from(h));
            let analytic = f64::from(grads[k]);
            let err = (numeric - analytic).abs() / (numeric.abs() + analytic.abs()).max(1e-3);
            worst = worst.max(err);
        }
        assert!(worst < 3e-2, "{aggregation:?}: worst relative error {worst}");
    }
}

#[test]
fn a_descent_step_raises_the_rewarded_completion_and_lowers_the_other() {
    let mut model = tiny();
    // One prompt, two completions that differ from their first token.
    let b = PrefixBatch::new([(&[1u32, 2, 3][..], vec![&[7u32, 8, 9][..], &[10, 11, 12][..]])]);
    let sum = |m: &Model| -> Vec<f32> {
        let (lp, _) = completion_logps(m, &b, &mut Tape::default()).unwrap();
        lp.iter().map(|r| r.iter().sum()).collect()
    };
    let before = sum(&model);
    let mut tape = Tape::default();
    let (lp, logits) = completion_logps(&model, &b, &mut tape).unwrap();
    let adv = [1.0f32, -1.0];
    let comps: Vec<Completion> = (0..2)
        .map(|i| Completion { logps: &lp[i], old_logps: &lp[i], ref_logps: None, advantage: adv[i], forced: 0 })
        .collect();
    let out = grpo_loss(&comps, &SurrogateConfig::default());
    let mut grads = vec![0.0f32; model.n_params()];
    backward_logps(&model, &mut tape, logits, &b, &out.dlogps, &mut grads);
    for (p, g) in model.params.iter_mut().zip(&grads) {
        *p -= 0.05 * g;
    }
    let after = sum(&model);
    assert!(after[0] > before[0] && after[1] < before[1], "{before:?} -> {after:?}");
}
