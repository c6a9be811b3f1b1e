//! The step-wise decode engine: a sequence that joins a running batch between steps decodes
//! exactly (same tokens, bit-identical log-probabilities) as it does alone; slots are reused;
//! cancelling a prefill leader hands the prefill to a follower; and batched `generate` is the
//! engine's thin use, so it gives the same outputs.

mod common;

use std::sync::Arc;

use deepthink_model::{generate, DecodeEngine, FinishReason, GenOutput, GenRequest, SamplingParams};

fn request(prompt_seed: u32, len: usize, temperature: f32, seed: u64, max_new: usize) -> GenRequest {
    let params = SamplingParams { temperature, seed, max_new_tokens: max_new, ..SamplingParams::default() };
    GenRequest::new(common::tokens(len, prompt_seed), params)
}

fn alone(model: &deepthink_model::Model, r: &GenRequest) -> GenOutput {
    generate(model, std::slice::from_ref(r), &[], &mut |_, _| {}).unwrap().remove(0)
}

fn run_to_end(engine: &mut DecodeEngine<Arc<deepthink_model::Model>>) {
    while engine.running() > 0 {
        engine.step().unwrap();
    }
}

#[test]
fn a_sequence_joining_mid_batch_decodes_as_it_does_alone() {
    let model = Arc::new(common::tiny(true, false, 3));
    let early = [request(1, 9, 0.8, 11, 40), request(2, 5, 0.0, 0, 40), request(3, 12, 1.0, 7, 25)];
    let late = [request(4, 7, 0.9, 5, 30), request(2, 5, 0.0, 0, 40)];
    let mut engine = DecodeEngine::new(Arc::clone(&model), 4, 80, &[]);
    let mut ids: Vec<_> = early.iter().map(|r| engine.add(r.clone()).unwrap()).collect();
    for _ in 0..6 {
        engine.step().unwrap();
    }
    // Joins at step 7, while the first three are mid-decode; the fourth slot is then full.
    ids.push(engine.add(late[0].clone()).unwrap());
    assert!(engine.add(late[1].clone()).is_err(), "every slot is taken");
    for _ in 0..20 {
        engine.step().unwrap();
    }
    // The third finished (25 tokens): its slot is reused by a sequence joining at step 27.
    let third = engine.take(ids[2]).expect("finished after 25 tokens");
    assert_eq!(third.tokens.len(), 25);
    assert_eq!(third.finish, FinishReason::Length);
    let reused = engine.add(late[1].clone()).unwrap();
    run_to_end(&mut engine);
    let outs: Vec<GenOutput> =
        [ids[0], ids[1], ids[3], reused].iter().map(|&id| engine.take(id).expect("finished")).collect();
    let wanted = [&early[0], &early[1], &late[0], &late[1]];
    for (out, r) in outs.iter().zip(wanted) {
        let solo = alone(&model, r);
        assert_eq!(out.tokens, solo.tokens);
        assert_eq!(out.logprobs, solo.logprobs, "bit-identical log-probabilities");
        assert_eq!(out.finish, solo.finish);
    }
    assert_eq!(third.tokens, alone(&model, &early[2]).tokens);
    assert_eq!(engine.free_slots(), 4);
}

#[test]
fn identical_prompts_share_a_prefill_and_a_cancelled_leader_hands_it_on() {
    let model = Arc::new(common::tiny(false, true, 5));
    let a = request(6, 10, 0.7, 1, 12);
    let b = GenRequest { params: SamplingParams { seed: 2, ..a.params.clone() }, ..a.clone() };
    let c = GenRequest { params: SamplingParams { seed: 3, ..a.params.clone() }, ..a.clone() };
    let mut engine = DecodeEngine::new(Arc::clone(&model), 3, 40, &[]);
    let (ia, ib, ic) = (engine.add(a.clone()).unwrap(), engine.add(b.clone()).unwrap(), engine.add(c.clone()).unwrap());
    assert_eq!(engine.output(ia).unwrap().prefilled, 10);
    assert_eq!(engine.output(ib).unwrap().prefilled, 0, "follows a's prefill");
    engine.cancel(ia).unwrap();
    assert_eq!(engine.output(ib).unwrap().prefilled, 10, "b inherits the prefill");
    assert_eq!(engine.output(ic).unwrap().prefilled, 0, "c now follows b");
    run_to_end(&mut engine);
    for (id, r) in [(ib, &b), (ic, &c)] {
        let out = engine.take(id).unwrap();
        assert_eq!(out.tokens, alone(&model, r).tokens);
    }
}

#[test]
fn bad_requests_are_errors_and_an_idle_step_does_nothing() {
    let model = Arc::new(common::tiny(false, false, 1));
    let mut engine = DecodeEngine::new(Arc::clone(&model), 2, 16, &[]);
    assert!(engine.step().unwrap().is_empty());
    let empty = GenRequest::new(Vec::new(), SamplingParams::default());
    assert!(engine.add(empty).unwrap_err().to_string().contains("empty"));
    let long = request(1, 16, 0.0, 0, 4);
    assert!(engine.add(long).unwrap_err().to_string().contains("16 tokens"));
    let short = request(1, 3, 0.0, 0, 100);
    let id = engine.add(short).unwrap();
    run_to_end(&mut engine);
    let out = engine.take(id).unwrap();
    assert_eq!(out.tokens.len(), 16 - 3 + 1, "stops when the slot is full");
    assert_eq!(out.finish, FinishReason::Length);
    assert!(engine.take(id).is_none());
}
