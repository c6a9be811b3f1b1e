//! `deepthink plot RUN [RUN…]`: training curves of one or more run directories as SVG.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

#[derive(Args)]
pub struct PlotArgs {
    /// Run directories (each holding metrics.jsonl); several go on one chart, a colour per run.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Output SVG (default RUN/curves.svg for one run; required for several).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Chart title (default: the run directories).
    #[arg(long)]
    pub title: Option<String>,
}

fn read_metrics(run: &Path) -> anyhow::Result<Vec<serde_json::Value>> {
    let path = run.join("metrics.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = Vec::new();
    for (i, l) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match serde_json::from_str::<serde_json::Value>(l) {
            Ok(v) => lines.push(v),
            Err(e) => bail!("{} line {}: {e}", path.display(), i + 1),
        }
    }
    Ok(lines)
}

pub fn run(a: PlotArgs) -> anyhow::Result<()> {
    let runs = a
        .runs
        .iter()
        .map(|r| {
            let name = r.file_name().map_or_else(|| r.display().to_string(), |n| n.to_string_lossy().into_owned());
            Ok((name, read_metrics(r)?))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let out = match (&a.out, a.runs.as_slice()) {
        (Some(o), _) => o.clone(),
        (None, [one]) => one.join("curves.svg"),
        (None, _) => bail!("--out is required when plotting several runs"),
    };
    let title =
        a.title.unwrap_or_else(|| a.runs.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(" vs "));
    let borrowed: Vec<(&str, &[serde_json::Value])> = runs.iter().map(|(n, l)| (n.as_str(), l.as_slice())).collect();
    deepthink_eval::curves::plot_runs(&borrowed, &out, &title)
        .map_err(|e| anyhow::anyhow!("plotting {}: {e}", out.display()))?;
    println!("{}", out.display());
    Ok(())
}
