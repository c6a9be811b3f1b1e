//! `deepthink`: build and run reasoning models on a CPU. CLI parsing and dispatch only; the
//! work lives in the library crates.

mod cli;

use clap::{CommandFactory, FromArgMatches};

fn main() {
    let matches = cli::Cli::command().get_matches();
    let args = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Err(e) = cli::run(args, &matches) {
        // One line: the error and its causes, no backtrace, no panic.
        let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
        eprintln!("error: {}", chain.join(": "));
        std::process::exit(1);
    }
}
