//! `deepthink plot RUN [RUN…]`: training curves of one or more run directories as SVG; and
//! `deepthink plot --lines SPEC.json`: a figure's committed numbers (percent over labelled
//! settings, `deepthink_eval::line_chart`) drawn as a line chart.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

#[derive(Args)]
pub struct PlotArgs {
    /// Run directories (each holding metrics.jsonl); several go on one chart, a colour per run.
    #[arg(required_unless_present = "lines", conflicts_with = "lines")]
    pub runs: Vec<PathBuf>,
    /// Instead of runs: a JSON line-chart spec — {"title", "x_desc", "y_desc", "x_labels": [..],
    /// "series": [{"name", "values": [percent or null, one per label]}]} — drawn to --out
    /// (default: the spec's path with .svg).
    #[arg(long, value_name = "SPEC.json")]
    pub lines: Option<PathBuf>,
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

fn plot_spec(spec: &Path, out: Option<PathBuf>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let chart: deepthink_eval::line_chart::LineChart =
        serde_json::from_str(&text).with_context(|| format!("{}: not a line-chart spec", spec.display()))?;
    let out = out.unwrap_or_else(|| spec.with_extension("svg"));
    // plot_lines checks the spec (a series of the wrong length is named) before it draws.
    deepthink_eval::line_chart::plot_lines(&out, &chart)
        .map_err(|e| anyhow::anyhow!("{} → {}: {e}", spec.display(), out.display()))?;
    println!("{}", out.display());
    Ok(())
}

pub fn run(a: PlotArgs) -> anyhow::Result<()> {
    if let Some(spec) = &a.lines {
        return plot_spec(spec, a.out);
    }
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
