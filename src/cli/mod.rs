//! Command-line interface: one module per subcommand.

mod ask;
mod backend_args;
mod bench;
mod bench_grpo;
mod bench_hf;
mod bench_reference;
mod bench_search;
mod calibration;
mod chat;
mod config_args;
mod data;
mod distill;
mod embedded;
mod eval;
mod export;
mod grid;
mod pipeline;
mod plot;
mod reply_display;
mod serve;
mod suite;
mod task_args;
mod tasks;
mod thinking_args;
mod thinking_sweep;
mod train;
mod train_grpo;
mod train_verifier;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use deepthink_model::WeightDtype;

/// deepthink — build and run reasoning ("<think> … </think>") language models on a CPU.
///
/// Models here are trained from scratch on generated problems with exact verifiers
/// (multiplication, Countdown, addition, subtraction: `deepthink tasks`) and saved as Hugging Face checkpoints.
#[derive(Parser)]
#[command(name = "deepthink", version, about, long_about)]
pub struct Cli {
    /// Worker threads for tensor work (0 = one per core; `ask` defaults to 1, which is fastest
    /// for a single sequence).
    #[arg(long, global = true, default_value_t = 0)]
    pub threads: usize,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Ask a model a question: streams its reasoning, then prints the answer alone on the last line.
    Ask(ask::AskArgs),
    /// List the tasks: their trace styles, settings and an example question.
    Tasks(tasks::TasksArgs),
    /// Write training data (JSONL, TRL prompt–completion format) from a task generator.
    Data(data::DataArgs),
    /// Distil SFT data from a teacher (a model, a strategy over one, a server, or the task's own
    /// trace) by rejection sampling: K candidates a problem, only verified ones kept; resumable.
    Distill(Box<distill::DistillArgs>),
    /// Run a recipe of chained stages (pretrain, sft, rl, generate, filter, clean, mix, eval), as DeepSeek-R1
    /// was made; resumable per stage, with a report of every model stage.
    Pipeline(pipeline::PipelineArgs),
    /// Train a model.
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// Evaluate a model on held-out or external problems: correct / wrong / no-answer rates.
    Eval(Box<eval::EvalArgs>),
    /// Measure training and decoding throughput (and, with --torch, PyTorch's on the same model).
    Bench(bench::BenchArgs),
    /// Draw a run's training curves (RUN/metrics.jsonl) as SVG: reward, accuracy, completion
    /// length and KL for GRPO runs; loss and held-out accuracy for SFT runs. With --lines, a
    /// figure's committed numbers as a line chart.
    Plot(plot::PlotArgs),
    /// Export a checkpoint as a GGUF file for llama.cpp and Ollama (byte-level BPE tokenizers).
    Export(export::ExportArgs),
    /// Talk to a model in the terminal, its thinking shown above each answer (local, or a
    /// server with --backend).
    #[command(
        after_help = "Examples:\n  deepthink chat                                   # the built-in model\n  deepthink chat --backend http://127.0.0.1:8000/v1  # a server; type /effort medium to vote"
    )]
    Chat(chat::ChatArgs),
    /// Serve a model over the OpenAI API (chat completions with reasoning fields, thinking
    /// budgets, reasoning_effort → search strategies, continuous batching).
    #[command(
        after_help = "Examples (docs/server.md has the fields, the effort table and the backends):\n  deepthink serve --port 8000                 # the built-in model; the chat page is http://127.0.0.1:8000/\n  curl -s 127.0.0.1:8000/v1/chat/completions -d '{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"123*456\"}],\"thinking_token_budget\":20}'\n  deepthink serve --backend http://gpu-box:8000/v1 --model ~/models/Qwen3-8B   # strategies over another server"
    )]
    Serve(serve::ServeArgs),
}

/// Load `--model`, else `$DEEPTHINK_MODEL`, else the default model compiled into the binary.
/// Returns the name to report and the checkpoint.
pub fn load_model(arg: &Option<PathBuf>) -> anyhow::Result<(String, deepthink_model::Checkpoint)> {
    load_model_as(arg, WeightDtype::F32)
}

/// [`load_model`], holding the weights as `dtype` (`--dtype`).
pub fn load_model_as(
    arg: &Option<PathBuf>,
    dtype: WeightDtype,
) -> anyhow::Result<(String, deepthink_model::Checkpoint)> {
    use anyhow::Context;
    let dir = match (arg, std::env::var_os("DEEPTHINK_MODEL")) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => PathBuf::from(p),
        (None, None) => {
            let mut ck = embedded::load()?;
            ck.model = ck.model.into_dtype(dtype);
            return Ok((embedded::NAME.to_string(), ck));
        }
    };
    let ck =
        deepthink_model::load_checkpoint_as(&dir, dtype).with_context(|| format!("loading model {}", dir.display()))?;
    Ok((dir.display().to_string(), ck))
}

fn set_threads(requested: usize, fallback: usize) -> anyhow::Result<()> {
    let n = if requested > 0 { requested } else { fallback };
    rayon::ThreadPoolBuilder::new().num_threads(n).build_global()?;
    Ok(())
}

pub fn run(cli: Cli, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    match cli.command {
        Command::Ask(a) => {
            set_threads(cli.threads, 1)?;
            ask::run(a)
        }
        Command::Tasks(a) => tasks::run(a),
        Command::Pipeline(a) => {
            set_threads(cli.threads, cores)?;
            pipeline::run(a)
        }
        Command::Data(a) => data::run(a),
        Command::Distill(a) => {
            set_threads(cli.threads, cores)?;
            distill::run(*a)
        }
        Command::Train(t) => {
            set_threads(cli.threads, cores)?;
            train::run(t, matches.subcommand_matches("train"))
        }
        Command::Eval(a) => {
            set_threads(cli.threads, cores)?;
            eval::run(*a)
        }
        Command::Bench(a) => bench::run(a, cli.threads),
        Command::Plot(a) => plot::run(a),
        Command::Export(a) => export::run(a),
        Command::Chat(a) => {
            set_threads(cli.threads, 1)?;
            chat::run(a)
        }
        Command::Serve(a) => {
            set_threads(cli.threads, cores)?;
            serve::run(a)
        }
    }
}
