//! `deepthink chat`: a conversation in the terminal, with the thinking shown as the chat page
//! shows it — a dimmed block while it streams, then "thought for N tokens", then the answer.
//! Local (`--model`, default the built-in model) or against a server (`--backend URL`, streamed
//! over SSE, where `/effort LEVEL` sets `reasoning_effort`). Reads one question per line until
//! end of input or `/quit`; with `--history` each question carries the conversation so far
//! (`/clear` forgets it).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use super::reply_display::Display;
use deepthink_model::{generate, Message};
use deepthink_search::StreamDelta;
use deepthink_server::detok::{prefill_opens_thinking, reasoning_tokens, Detokenizer};
use deepthink_tasks::reasoning_stream::{Delta, ReasoningStream};

#[derive(Args)]
pub struct ChatArgs {
    /// Checkpoint directory (default: $DEEPTHINK_MODEL, else the built-in model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// 0 = greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 512)]
    pub max_new_tokens: usize,
    /// Send the whole conversation with each question. Off by default: deepthink's task
    /// models were trained on single questions, and earlier turns only confuse them.
    #[arg(long)]
    pub history: bool,
    #[command(flatten)]
    pub thinking: super::thinking_args::ThinkingArgs,
    #[command(flatten)]
    pub remote: super::backend_args::BackendArgs,
}

pub fn run(a: ChatArgs) -> anyhow::Result<()> {
    let remote = a.remote.generator(None, None)?;
    let local = match &remote {
        Some(_) => None,
        None => Some(super::load_model(&a.model)?),
    };
    let task = local
        .as_ref()
        .and_then(|(_, ck)| deepthink_train::TrainedOn::from_provenance(ck.provenance.as_ref()))
        .and_then(|t| t.task().ok().map(|task| (task, t.prompt)));
    let mut history: Vec<Message> = Vec::new();
    let mut effort: Option<String> = None;
    let tty = std::io::stdin().is_terminal();
    let name = local.as_ref().map_or_else(|| a.remote.backend.clone().unwrap_or_default(), |(n, _)| n.clone());
    if tty {
        eprintln!("deepthink chat with {name}: one question per line; /clear, /effort LEVEL (server), /quit");
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        if tty {
            print!("you> ");
            let _ = std::io::stdout().flush();
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        let q = line.trim();
        match q {
            "" => continue,
            "/quit" | "/exit" => break,
            "/clear" => {
                history.clear();
                continue;
            }
            _ if q.starts_with("/effort") => {
                effort = q.split_whitespace().nth(1).map(str::to_string);
                eprintln!("(reasoning_effort: {})", effort.as_deref().unwrap_or("default"));
                continue;
            }
            _ => {}
        }
        // A question the model's task reads goes in as it was trained (as `ask` does).
        let user = match &task {
            Some((t, style)) => t.parse_question(q).map_or_else(|_| q.to_string(), |p| t.prompt(&p, *style)),
            None => q.to_string(),
        };
        if !a.history {
            history.clear();
        }
        history.push(Message::user(user));
        let mut d = Display::new();
        let answer = match (&remote, &local) {
            (Some(r), _) => {
                let mut extra = serde_json::Map::new();
                extra.insert("temperature".into(), a.temperature.into());
                extra.insert("seed".into(), a.seed.into());
                if let Some(e) = &effort {
                    extra.insert("reasoning_effort".into(), e.as_str().into());
                }
                if let Some(m) = a.thinking.max_thinking_tokens {
                    extra.insert("thinking_token_budget".into(), m.into());
                }
                let mut answer = String::new();
                let mut thought = None;
                r.stream_chat(&history, &extra, &mut |delta| match delta {
                    StreamDelta::Reasoning(t) => d.reasoning(&t),
                    StreamDelta::Content(t) => {
                        d.content(&t, thought);
                        answer.push_str(&t);
                    }
                    StreamDelta::Done { reasoning_tokens } => {
                        thought = reasoning_tokens;
                        d.end_thinking(reasoning_tokens);
                    }
                })?;
                answer
            }
            (None, Some((_, ck))) => local_reply(&a, ck, &history, &mut d)?,
            (None, None) => unreachable_model()?,
        };
        println!();
        history.push(Message::assistant(answer));
    }
    Ok(())
}

fn unreachable_model() -> anyhow::Result<String> {
    anyhow::bail!("no model: pass --model DIR or --backend URL")
}

/// One reply from the local model, streamed through `d`; returns the answer.
fn local_reply(
    a: &ChatArgs,
    ck: &deepthink_model::Checkpoint,
    history: &[Message],
    d: &mut Display,
) -> anyhow::Result<String> {
    let tok = &ck.tokenizer;
    let prompt = tok.encode(&tok.render(history, true, true)?)?;
    let req = a.thinking.request(tok, prompt, a.temperature, a.seed, a.max_new_tokens)?;
    let prefilled = prefill_opens_thinking(tok.generation_prefill(true));
    let mut split = ReasoningStream::new(prefilled);
    let mut text = Detokenizer::new(tok);
    let mut answer = String::new();
    let mut show = |delta: Delta, text: &Detokenizer, d: &mut Display| {
        if !delta.reasoning.is_empty() {
            d.reasoning(&delta.reasoning);
        }
        if !delta.content.is_empty() {
            d.content(&delta.content, Some(reasoning_tokens(text.ids(), tok, prefilled)));
            answer.push_str(&delta.content);
        }
    };
    generate(&ck.model, &[req], tok.stop_ids(), &mut |_, t| {
        let piece = text.push(t);
        if !piece.is_empty() {
            show(split.push(&piece), &text, d);
        }
    })?;
    let rest = split.finish();
    let ended_thinking = rest.content.is_empty();
    show(rest, &text, d);
    if ended_thinking {
        d.end_thinking(Some(reasoning_tokens(text.ids(), tok, prefilled)));
    }
    Ok(answer)
}
