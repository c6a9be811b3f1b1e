//! The thinking budget in the decode loop, on a model whose every next token is equally likely
//! (so `</think>` comes up at random, early or late): a maximum forces `</think>` after exactly
//! that many thinking tokens and changes nothing before it; a minimum never lets the block
//! close (or the turn end) earlier, writing the wait word instead; forced tokens carry their
//! log-probability.

use deepthink_model::config::{ModelConfig, ModelShape};
use deepthink_model::{
    generate, ChatTokenizer, GenOutput, GenRequest, Model, SamplingParams, ThinkTags, ThinkingBudget,
};

/// A model whose logits are all zero (final norm gains of 0): a uniform next-token distribution.
fn uniform_model(vocab: usize) -> Model {
    let shape = ModelShape {
        d_model: 16,
        n_layers: 1,
        n_heads: 2,
        n_kv_heads: 1,
        ffn_dim: 16,
        max_seq_len: 128,
        tie_embeddings: false,
        qkv_bias: false,
    };
    let mut m = Model::new_random(ModelConfig::from_shape(&shape, vocab).unwrap(), 1);
    let norm = m.layout.find("model.norm.weight").unwrap().range.clone();
    m.params[norm].fill(0.0);
    m
}

fn run(m: &Model, tok: &ChatTokenizer, budget: ThinkingBudget, seed: u64) -> GenOutput {
    let prompt = tok.prompt_ids("12*34", true).unwrap();
    let params = SamplingParams { temperature: 1.0, max_new_tokens: 60, seed, thinking: budget, ..Default::default() };
    let tags = ThinkTags::new(tok, &params.thinking.wait).unwrap();
    let req = GenRequest::new(prompt, params).with_think_tags(tags);
    generate(m, &[req], &[], &mut |_, _| {}).unwrap().remove(0)
}

fn thinking_len(out: &GenOutput, close: u32) -> Option<usize> {
    out.tokens.iter().position(|&t| t == close)
}

#[test]
fn a_maximum_forces_the_close_at_exactly_the_budget_and_nothing_before_it_changes() {
    let tok = ChatTokenizer::char_level().unwrap();
    let m = uniform_model(tok.vocab_size());
    let close = tok.token_id("</think>").unwrap();
    let max = 12;
    let mut forced = 0;
    for seed in 0..24 {
        let free = run(&m, &tok, ThinkingBudget::default(), seed);
        let capped = run(&m, &tok, ThinkingBudget { max: Some(max), ..Default::default() }, seed);
        match thinking_len(&free, close) {
            Some(n) if n < max => assert_eq!(capped.tokens, free.tokens, "seed {seed}: closed on its own"),
            _ => {
                forced += 1;
                assert_eq!(thinking_len(&capped, close), Some(max), "seed {seed}");
                assert_eq!(capped.tokens[..max], free.tokens[..max], "seed {seed}");
                let lp = capped.logprobs[max];
                assert!((lp - (1.0 / tok.vocab_size() as f32).ln()).abs() < 1e-5, "forced token's logprob {lp}");
            }
        }
    }
    assert!(forced >= 12, "only {forced} of 24 runs thought past {max} tokens");
}

#[test]
fn a_minimum_writes_the_wait_word_instead_of_an_early_close() {
    let tok = ChatTokenizer::char_level().unwrap();
    let m = uniform_model(tok.vocab_size());
    let close = tok.token_id("</think>").unwrap();
    let wait = tok.encode("wait").unwrap(); // "Wait", in a vocabulary without capitals
    let min = 40;
    let mut suppressed = 0;
    for seed in 0..24 {
        let free = run(&m, &tok, ThinkingBudget::default(), seed);
        let out = run(&m, &tok, ThinkingBudget { min, ..Default::default() }, seed);
        // The thinking ends at `</think>` or at an end-of-turn token, whichever comes first.
        let ends = |o: &GenOutput| o.tokens.iter().position(|&t| t == close || tok.stop_ids().contains(&t));
        if let Some(n) = ends(&out) {
            assert!(n >= min, "seed {seed}: thinking ended after {n} tokens");
        }
        if let Some(n) = ends(&free).filter(|&n| n < min) {
            suppressed += 1;
            assert_eq!(out.tokens[..n], free.tokens[..n], "seed {seed}");
            assert_eq!(out.tokens[n..n + wait.len()], wait[..], "seed {seed}: the wait word replaces the early end");
        }
    }
    assert!(suppressed >= 6, "only {suppressed} of 24 runs closed early");
}

#[test]
fn a_budget_without_the_tags_is_refused() {
    let tok = ChatTokenizer::char_level().unwrap();
    let m = uniform_model(tok.vocab_size());
    let params =
        SamplingParams { thinking: ThinkingBudget { max: Some(3), ..Default::default() }, ..Default::default() };
    let err = generate(&m, &[GenRequest::new(vec![1, 2], params)], &[], &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("thinking budget"), "{err}");
}
