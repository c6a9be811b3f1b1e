//! `deepthink ask`: one question, shown the way chat UIs show a reasoning model (as `chat` shows
//! it: `reply_display`) — a "thinking…" section streamed as it is written, "(thought for N
//! tokens)", then the answer alone on the last line, so `deepthink ask Q | tail -1` is the answer.
//!
//! Questions may be typed as a person would ("what is 12 times 34?"): `tasks::plain` rewrites
//! them into the forms the model was trained on before they are parsed.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use deepthink_model::{generate, Message};
use deepthink_server::detok::{prefill_opens_thinking, reasoning_tokens, Detokenizer};
use deepthink_tasks::reasoning_stream::ReasoningStream;

use super::reply_display::Display;
use deepthink_tasks::{Problem, Task};
use deepthink_train::TrainedOn;

#[derive(Args)]
pub struct AskArgs {
    /// The question, e.g. "123*456".
    pub question: String,
    /// Checkpoint directory (default: $DEEPTHINK_MODEL, else the default model built into the binary).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// How to hold the weights in memory: f32, or bf16 (half the memory, and faster decoding at
    /// real size, where a decode step is bound by memory bandwidth; sums stay f32).
    #[arg(long, default_value = "f32")]
    pub dtype: deepthink_model::WeightDtype,
    /// Print one JSON object {question, reasoning, answer, tokens, model} instead of streaming.
    #[arg(long)]
    pub json: bool,
    /// 0 = greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 512)]
    pub max_new_tokens: usize,
    /// After the reasoning, gloss each line in plain notation and check it (multiplication's
    /// compact trace writes numbers least-significant digit first).
    #[arg(long)]
    pub explain: bool,
    /// Force this line into the reasoning before the model writes any (repeat for several): the
    /// model continues after it. Used to test that a wrong line is noticed, e.g.
    /// --think-line "123*6: 9370 = 739".
    #[arg(long = "think-line", value_name = "LINE")]
    pub think_lines: Vec<String>,
    #[command(flatten)]
    pub thinking: super::thinking_args::ThinkingArgs,
}

/// Print a gloss of the reasoning to stderr (stdout keeps the answer as its last line).
fn explain(problem: &Option<(Box<dyn Task>, Problem)>, completion: &str) {
    match problem.as_ref().and_then(|(task, p)| task.explain(p, completion)) {
        Some(e) => {
            eprintln!("how to read it:");
            for g in e.glosses {
                eprintln!("  {g}");
            }
        }
        None => eprintln!("(this reasoning is already written for a reader)"),
    }
}

fn example_question(task: &dyn Task) -> String {
    use rand::SeedableRng;
    task.generate(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0), deepthink_tasks::Split::Train).question()
}

pub fn run(a: AskArgs) -> anyhow::Result<()> {
    let (dir, ck) = super::load_model_as(&a.model, a.dtype)?;
    let question = a.question.trim();
    if question.is_empty() {
        bail!("the question is empty; try: deepthink ask \"123*456\"");
    }
    let (user_text, problem) = match TrainedOn::from_provenance(ck.provenance.as_ref()) {
        // A model trained on a question file: the question goes in as typed, with no reference
        // answer to check against (and the task is not built: that would read its whole file).
        Some(t) if t.task == deepthink_tasks::qa::NAME => (question.to_string(), None),
        Some(t) => {
            let task = t.task()?;
            let typed = deepthink_tasks::plain::canonical_question(question);
            let p = task.parse_question(&typed).map_err(|e| {
                anyhow::anyhow!(
                    "this model answers `{}` questions such as `{}`; {e}",
                    t.task,
                    example_question(task.as_ref())
                )
            })?;
            task.covers(&p).map_err(anyhow::Error::msg)?;
            (task.prompt(&p, t.prompt), Some((task, p)))
        }
        None => (question.to_string(), None),
    };
    let tok = &ck.tokenizer;
    let forced: String = a.think_lines.iter().map(|l| format!("{}\n", l.trim())).collect();
    let prompt = tok.encode(&format!("{}{forced}", tok.render(&[Message::user(&user_text)], true, true)?))?;
    let request = a.thinking.request(tok, prompt, a.temperature, a.seed, a.max_new_tokens)?;
    let prefill = tok.generation_prefill(true);
    let prefilled = prefill_opens_thinking(prefill);
    let stream = !a.json;
    // Stream the reasoning as `chat` does; what follows `</think>` (the answer) is printed last.
    let (mut text, mut split) = (Detokenizer::new(tok), ReasoningStream::new(prefilled));
    let mut section = Display::new();
    if stream {
        section.reasoning(&forced);
    }
    let outs = generate(&ck.model, &[request], tok.stop_ids(), &mut |_, t| {
        if !stream {
            return;
        }
        let piece = text.push(t);
        if !piece.is_empty() {
            section.reasoning(&split.push(&piece).reasoning);
        }
    })?;
    if stream {
        section.reasoning(&split.finish().reasoning);
    }
    let out = &outs[0];
    let body: Vec<u32> = out.tokens.iter().copied().filter(|&t| t != tok.eos_id()).collect();
    let completion = format!("{prefill}{forced}{}", tok.decode(&body));
    let thought = reasoning_tokens(&out.tokens, tok, prefilled);
    let reasoning = deepthink_tasks::text::think_block(&completion).trim().to_string();
    // The verifier's reading of the answer: exactly one `</think>`, then one line.
    let answer = deepthink_tasks::text::final_answer(&completion).map(|s| s.trim().to_string());
    if a.json {
        let v = serde_json::json!({"question": question, "reasoning": reasoning, "answer": answer,
            "tokens": out.tokens.len(), "model": dir});
        println!("{v}");
        if answer.is_none() {
            bail!("the model stopped without an answer after {} tokens", out.tokens.len());
        }
    } else {
        match &answer {
            Some(ans) => section.content(&format!("{ans}\n"), Some(thought)),
            None => bail!("the model stopped without an answer after {} tokens", out.tokens.len()),
        }
    }
    let _ = std::io::stdout().flush();
    if a.explain && !a.json {
        explain(&problem, &completion);
    } else if let Some(e) = problem.as_ref().and_then(|(task, p)| task.explain(p, &completion)).filter(|_| !a.json) {
        eprintln!("({})", e.hint);
    }
    if let Some((task, p)) = problem {
        let verdict = task.verify(&p, &completion).verdict;
        eprintln!("[{} tokens · checked against the exact answer: {:?}]", out.tokens.len(), verdict);
    }
    Ok(())
}
