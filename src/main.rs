//! `deepthink`: build and run reasoning models on a CPU. CLI parsing and dispatch only; the
//! work lives in the library crates.

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    if let Err(e) = cli::run(args) {
        // One line: the error and its causes, no backtrace, no panic.
        let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
        eprintln!("error: {}", chain.join(": "));
        std::process::exit(1);
    }
}
