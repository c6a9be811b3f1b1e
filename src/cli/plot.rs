//! `deepthink plot RUN`: training curves of a run directory as SVG.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

#[derive(Args)]
pub struct PlotArgs {
    /// Run directory (holding metrics.jsonl).
    pub run: PathBuf,
    /// Output SVG (default RUN/curves.svg).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(a: PlotArgs) -> anyhow::Result<()> {
    let path = a.run.join("metrics.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = Vec::new();
    for (i, l) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match serde_json::from_str::<serde_json::Value>(l) {
            Ok(v) => lines.push(v),
            Err(e) => bail!("{} line {}: {e}", path.display(), i + 1),
        }
    }
    let out = a.out.unwrap_or_else(|| a.run.join("curves.svg"));
    let title = a.run.display().to_string();
    deepthink_eval::curves::plot_curves(&lines, &out, &title)
        .map_err(|e| anyhow::anyhow!("plotting {}: {e}", out.display()))?;
    println!("{}", out.display());
    Ok(())
}
