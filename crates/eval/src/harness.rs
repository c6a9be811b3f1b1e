//! Greedy (or sampled) batched solving of a problem list, one attempt per problem.

use std::time::Instant;

use deepthink_model::{generate, ChatTokenizer, FinishReason, GenRequest, Message, Model, ModelError, SamplingParams};
use deepthink_tasks::{Problem, PromptStyle, Task, Verdict};
use serde::Serialize;

use crate::report::{group_of, EvalReport};

/// How to ask.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    pub prompt_style: PromptStyle,
    /// Pre-fill `<think>\n` (true) or an empty think block (false) in the generation prompt.
    pub thinking: bool,
    pub sampling: SamplingParams,
    /// Problems decoded together.
    pub batch_size: usize,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            prompt_style: PromptStyle::Plain,
            thinking: true,
            sampling: SamplingParams { max_new_tokens: 200, ..SamplingParams::default() },
            batch_size: 64,
        }
    }
}

/// One problem's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct Prediction {
    pub problem: Problem,
    pub question: String,
    pub reference: String,
    /// The assistant turn as the verifier saw it (pre-filled `<think>\n` included).
    pub completion: String,
    pub answer: Option<String>,
    pub verdict: Verdict,
    pub tokens: usize,
    pub reasoning_tokens: usize,
    pub truncated: bool,
    pub group: String,
}

/// Solve every problem once and check it. `progress(done, total)` is called after each batch.
pub fn evaluate(
    model: &Model,
    tok: &ChatTokenizer,
    task: &dyn Task,
    problems: &[Problem],
    opts: &EvalOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(EvalReport, Vec<Prediction>), ModelError> {
    let start = Instant::now();
    let end_think = tok.token_id("</think>");
    let mut preds = Vec::with_capacity(problems.len());
    for chunk in problems.chunks(opts.batch_size.max(1)) {
        let mut requests = Vec::with_capacity(chunk.len());
        for (i, p) in chunk.iter().enumerate() {
            let text = tok.render(&[Message::user(task.prompt(p, opts.prompt_style))], true, opts.thinking)?;
            let mut params = opts.sampling.clone();
            params.seed = params.seed.wrapping_add((preds.len() + i) as u64);
            requests.push(GenRequest::new(tok.encode(&text)?, params));
        }
        let outs = generate(model, &requests, &[tok.eos_id()], &mut |_, _| {})?;
        for (p, out) in chunk.iter().zip(outs) {
            let body: Vec<u32> = out.tokens.iter().copied().filter(|&t| t != tok.eos_id()).collect();
            let completion = format!("{}{}", tok.generation_prefill(opts.thinking), tok.decode(&body));
            let checked = task.verify(p, &completion);
            let reasoning_tokens = match end_think {
                Some(e) => body.iter().position(|&t| t == e).unwrap_or(body.len()),
                None => body.len(),
            };
            preds.push(Prediction {
                problem: p.clone(),
                question: p.question(),
                reference: p.answer(),
                completion,
                answer: checked.answer,
                verdict: checked.verdict,
                tokens: out.tokens.len(),
                reasoning_tokens,
                truncated: out.finish == FinishReason::Length,
                group: group_of(p),
            });
        }
        progress(preds.len(), problems.len());
    }
    let report = EvalReport::from_predictions(&preds, start.elapsed().as_secs_f64());
    Ok((report, preds))
}
