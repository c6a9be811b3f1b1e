//! The KV-cached ragged decoding path must agree with the training forward pass.

mod common;

use deepthink_model::{KvCache, StepToken};

#[test]
fn incremental_decoding_matches_the_full_forward() {
    for (bias, tie) in [(false, false), (true, true)] {
        let m = common::tiny(bias, tie, 9);
        let t = 7;
        let a = common::tokens(t, 3);
        let bseq = common::tokens(t, 5);
        let (full_a, _) = m.forward_train(&a, 1, t).unwrap();
        let (full_b, _) = m.forward_train(&bseq, 1, t).unwrap();
        let v = m.cfg.vocab_size;
        let mut cache = KvCache::new(&m, 2, 16);
        // Prefill 3 tokens of a and 1 of b in one ragged call, then decode one token at a time.
        let mut steps: Vec<StepToken> = (0..3).map(|i| StepToken { slot: 0, token: a[i], want_logits: true }).collect();
        steps.push(StepToken { slot: 1, token: bseq[0], want_logits: true });
        let out = m.forward_step(&mut cache, &steps).unwrap();
        let close = |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(p, q)| (p - q).abs() < 1e-4);
        for i in 0..3 {
            assert!(close(&out[i * v..(i + 1) * v], &full_a[i * v..(i + 1) * v]), "prefill row {i}");
        }
        assert!(close(&out[3 * v..4 * v], &full_b[..v]));
        let (mut ia, mut ib) = (3, 1);
        while ia < t {
            let mut steps = vec![StepToken { slot: 0, token: a[ia], want_logits: true }];
            if ib < t {
                steps.push(StepToken { slot: 1, token: bseq[ib], want_logits: true });
            }
            let out = m.forward_step(&mut cache, &steps).unwrap();
            assert!(close(&out[..v], &full_a[ia * v..(ia + 1) * v]), "decode a {ia}");
            if ib < t {
                assert!(close(&out[v..2 * v], &full_b[ib * v..(ib + 1) * v]), "decode b {ib}");
            }
            ia += 1;
            ib += 1;
        }
    }
}

#[test]
fn long_sequences_match_across_attention_row_blocks() {
    let m = common::tiny(false, false, 4);
    let t = 150; // three 64-row attention blocks
    let toks = common::tokens(t, 7);
    let (full, _) = m.forward_train(&toks, 1, t).unwrap();
    let v = m.cfg.vocab_size;
    let mut cache = KvCache::new(&m, 1, t);
    for (i, &tok) in toks.iter().enumerate() {
        let out = m.forward_step(&mut cache, &[StepToken { slot: 0, token: tok, want_logits: true }]).unwrap();
        let diff = out.iter().zip(&full[i * v..(i + 1) * v]).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(diff < 1e-4, "position {i}: {diff}");
    }
}

#[test]
fn a_full_slot_is_an_error_not_a_panic() {
    let m = common::tiny(false, false, 1);
    let mut cache = KvCache::new(&m, 1, 2);
    let step = |tok| vec![StepToken { slot: 0, token: tok, want_logits: true }];
    m.forward_step(&mut cache, &step(1)).unwrap();
    m.forward_step(&mut cache, &step(2)).unwrap();
    let e = m.forward_step(&mut cache, &step(3)).unwrap_err();
    assert!(e.to_string().contains("full"), "{e}");
    let e = m.forward_step(&mut KvCache::new(&m, 1, 4), &step(99)).unwrap_err();
    assert!(e.to_string().contains("outside the vocabulary"), "{e}");
}

#[test]
fn a_prompt_that_extends_a_stored_sequence_continues_from_its_cache() {
    use deepthink_model::{generate, generate_with_prefixes, GenRequest, PrefixStore, SamplingParams};
    let model = common::tiny(false, false, 4);
    let greedy = SamplingParams { max_new_tokens: 6, ..SamplingParams::default() };
    let first = GenRequest::new(vec![1, 2, 3, 4], greedy.clone());
    let mut store = PrefixStore::new(0);
    let a =
        generate_with_prefixes(&model, std::slice::from_ref(&first), &[], &mut |_, _| {}, Some(&mut store)).unwrap();
    assert_eq!(a[0].prefilled, 4);
    assert_eq!(store.len(), 1);
    // The next step's prompt is the first prompt plus everything generated.
    let next: Vec<u32> = first.prompt.iter().chain(&a[0].tokens).copied().collect();
    let req = GenRequest::new(next, greedy);
    let cached =
        generate_with_prefixes(&model, &[req.clone(), req.clone()], &[], &mut |_, _| {}, Some(&mut store)).unwrap();
    let fresh = generate(&model, &[req], &[], &mut |_, _| {}).unwrap();
    assert_eq!(cached[0].prefilled, 1, "only the newest token is fed");
    assert_eq!(cached[1].prefilled, 0, "an identical prompt forks it");
    assert_eq!(cached[0].tokens, fresh[0].tokens);
    assert_eq!(cached[1].tokens, fresh[0].tokens);
    for (x, y) in cached[0].logprobs.iter().zip(&fresh[0].logprobs) {
        assert!((x - y).abs() < 1e-4, "{x} vs {y}");
    }
}

/// The same for checkpoints transformers built (Qwen3's q/k norm and head_dim ≠ d/heads, Llama 3's
/// scaled RoPE): the decoder's inference path applies what its training path does.
#[test]
fn transformers_built_checkpoints_decode_as_they_train() {
    for name in ["tiny-qwen3", "tiny-llama3"] {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
        let m = deepthink_model::load_checkpoint(&dir).unwrap().model;
        let t = 9;
        let a: Vec<u32> = (0..t as u32).map(|i| (i * 7 + 3) % 11).collect();
        let (full, _) = m.forward_train(&a, 1, t).unwrap();
        let mut cache = KvCache::new(&m, 1, 16);
        let steps: Vec<StepToken> = (0..4).map(|i| StepToken { slot: 0, token: a[i], want_logits: true }).collect();
        let mut got = m.forward_step(&mut cache, &steps).unwrap().to_vec();
        for &tok in &a[4..] {
            got.extend_from_slice(
                m.forward_step(&mut cache, &[StepToken { slot: 0, token: tok, want_logits: true }]).unwrap(),
            );
        }
        let diff = got.iter().zip(&full).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max);
        assert!(diff < 1e-4, "{name}: decode differs from the training forward by {diff}");
    }
}
