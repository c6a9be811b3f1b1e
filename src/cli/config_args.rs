//! `--config FILE` and `--print-config`, shared by every `train` subcommand: a trainer's whole
//! config comes from its flags or from a TOML file (`deepthink_train::config_file`), never a mix —
//! a config flag given beside `--config` is refused, so what ran is what the file says.

use std::path::PathBuf;

use anyhow::bail;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Args, Clone, Debug)]
pub struct ConfigArgs {
    /// Read the whole training config from this TOML file (the fields --print-config writes);
    /// other config flags are then refused (--run, --restart and --export still apply).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the config these flags make, as TOML, and exit: a starting point for --config.
    #[arg(long)]
    pub print_config: bool,
}

/// Flags that say where and how to run, not what: allowed beside `--config`.
const RUN_FLAGS: &[&str] = &["config", "print_config", "run", "restart", "export", "threads"];

/// The config to train with: from `--config`, or from the flags (`from_flags`). `None` when
/// `--print-config` printed it instead.
pub fn resolve<T: Serialize + DeserializeOwned>(
    c: &ConfigArgs,
    matches: Option<&ArgMatches>,
    from_flags: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<Option<T>> {
    let cfg = match &c.config {
        Some(path) => {
            if let Some(m) = matches {
                let given: Vec<String> = m
                    .ids()
                    .map(|id| id.as_str())
                    // Flattened structs are argument groups named after the struct (`ConfigArgs`);
                    // only the snake_case ids are flags.
                    .filter(|id| !id.bytes().any(|b| b.is_ascii_uppercase()))
                    .filter(|id| !RUN_FLAGS.contains(id) && m.value_source(id) == Some(ValueSource::CommandLine))
                    .map(|id| format!("--{}", id.replace('_', "-")))
                    .collect();
                if !given.is_empty() {
                    bail!(
                        "--config {} sets the whole config; {} cannot be combined with it (edit the file instead)",
                        path.display(),
                        given.join(", ")
                    );
                }
            }
            deepthink_train::config_file::read_toml(path)?
        }
        None => from_flags()?,
    };
    if c.print_config {
        print!("{}", deepthink_train::config_file::to_toml(&cfg)?);
        return Ok(None);
    }
    Ok(Some(cfg))
}
