//! Training curves from a run's `metrics.jsonl` (SVG, plotters): for GRPO runs, reward and
//! accuracy, completion length, and KL to the reference, stacked over the step axis — R1-Zero's
//! signature is the middle panel rising with the top one; for SFT runs, the loss and held-out
//! accuracy. Several runs go on one chart with one colour per run and one metric per panel
//! (held-out and sampled accuracy, format, completion length). Series a run does not have are left
//! out; moving averages smooth noisy per-step values.

use std::path::Path;

use plotters::prelude::*;
use serde_json::Value;

/// One panel: a title and `(label, metrics key)` series.
struct Panel {
    title: &'static str,
    series: &'static [(&'static str, &'static str)],
}

const GRPO: &[Panel] = &[
    Panel {
        title: "reward and accuracy",
        series: &[
            ("reward", "reward_mean"),
            ("accuracy (samples)", "accuracy"),
            ("held-out accuracy", "eval_accuracy"),
        ],
    },
    Panel {
        title: "completion length (tokens)",
        series: &[("mean", "completion_len_mean"), ("max", "completion_len_max")],
    },
    Panel { title: "KL to the reference, clip fraction", series: &[("KL", "kl"), ("clip fraction", "clip_fraction")] },
];

const GRPO_COMPARED: &[Panel] = &[
    Panel { title: "held-out accuracy (greedy)", series: &[("held-out accuracy", "eval_accuracy")] },
    Panel { title: "accuracy of the sampled completions", series: &[("sampled accuracy", "accuracy")] },
    Panel { title: "held-out format compliance", series: &[("format", "eval_format")] },
    Panel { title: "mean completion length (tokens)", series: &[("length", "completion_len_mean")] },
];

const SFT_COMPARED: &[Panel] = &[
    Panel { title: "training loss", series: &[("loss", "loss")] },
    Panel { title: "held-out accuracy", series: &[("accuracy", "eval_accuracy")] },
];

const SFT: &[Panel] = &[
    Panel { title: "training loss", series: &[("loss", "loss")] },
    Panel { title: "held-out accuracy", series: &[("accuracy", "eval_accuracy")] },
];

const COLORS: [RGBColor; 4] =
    [RGBColor(31, 119, 180), RGBColor(214, 39, 40), RGBColor(44, 160, 44), RGBColor(148, 103, 189)];

/// `(step, value)` points of `key`, smoothed with a trailing mean over `window` points.
fn series(lines: &[Value], key: &str, window: usize) -> Vec<(f64, f64)> {
    let raw: Vec<(f64, f64)> = lines
        .iter()
        .filter_map(|l| Some((l.get("step")?.as_f64()?, l.get(key)?.as_f64()?)))
        .filter(|(_, v)| v.is_finite())
        .collect();
    let w = window.max(1);
    (0..raw.len())
        .map(|i| {
            let from = i.saturating_sub(w - 1);
            let part = &raw[from..=i];
            (raw[i].0, part.iter().map(|p| p.1).sum::<f64>() / part.len() as f64)
        })
        .collect()
}

/// Draw several runs' curves on one chart: `(name, parsed metrics.jsonl)` per run. One run gets
/// all of its series per panel; several runs get one metric per panel and a colour per run.
pub fn plot_runs(runs: &[(&str, &[Value])], out: &Path, title: &str) -> Result<(), Box<dyn std::error::Error>> {
    if runs.is_empty() || runs.iter().any(|(_, l)| l.is_empty()) {
        return Err("a run has no metrics yet".into());
    }
    let grpo = runs.iter().all(|(_, l)| l.iter().any(|l| l.get("reward_mean").is_some()));
    let panels = match (grpo, runs.len() > 1) {
        (true, false) => GRPO,
        (true, true) => GRPO_COMPARED,
        (false, false) => SFT,
        (false, true) => SFT_COMPARED,
    };
    let longest = runs.iter().map(|(_, l)| l.len()).max().unwrap_or(1);
    let window = (longest / 50).max(1);
    let root = SVGBackend::new(out, (900, 300 * panels.len() as u32 + 40)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 20))?;
    let areas = root.split_evenly((panels.len(), 1));
    let last_step = runs.iter().flat_map(|(_, l)| l.iter().filter_map(|l| l.get("step")?.as_f64())).fold(1.0, f64::max);
    for (panel, area) in panels.iter().zip(&areas) {
        let data: Vec<(String, Vec<(f64, f64)>)> = runs
            .iter()
            .flat_map(|(name, lines)| {
                panel.series.iter().map(move |(label, key)| {
                    let w = if key.starts_with("eval_") { 1 } else { window };
                    let label = if runs.len() > 1 { (*name).to_string() } else { (*label).to_string() };
                    (label, series(lines, key, w))
                })
            })
            .filter(|(_, d)| !d.is_empty())
            .collect();
        let (lo, hi) = data
            .iter()
            .flat_map(|(_, d)| d.iter().map(|p| p.1))
            .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        if lo > hi {
            continue;
        }
        // A flat series (format at 100%, KL at 0 with β = 0) gets a visible band around it.
        let pad = if hi - lo < 1e-9 { 0.5 * hi.abs().max(0.1) } else { (hi - lo) * 0.08 };
        let mut chart = ChartBuilder::on(area)
            .caption(panel.title, ("sans-serif", 15))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..last_step, (lo - pad)..(hi + pad))?;
        chart
            .configure_mesh()
            .x_desc("step")
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(230, 230, 230))
            .draw()?;
        for (k, (label, d)) in data.into_iter().enumerate() {
            let style = ShapeStyle { color: COLORS[k % COLORS.len()].to_rgba(), filled: true, stroke_width: 2 };
            chart
                .draw_series(LineSeries::new(d, style))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(RGBColor(200, 200, 200))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpo_runs_get_reward_length_and_kl_panels() {
        let lines: Vec<Value> = (1..=20)
            .map(|s| serde_json::json!({"step": s, "reward_mean": s as f64 / 20.0, "accuracy": 0.5, "completion_len_mean": 40 + s, "completion_len_max": 60, "kl": 0.01, "clip_fraction": 0.0}))
            .collect();
        let path = std::env::temp_dir().join(format!("dt-curves-{}.svg", std::process::id()));
        plot_runs(&[("", &lines)], &path, "test run").unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for label in ["reward and accuracy", "completion length", "KL to the reference", "test run"] {
            assert!(svg.contains(label), "{label} missing");
        }
        std::fs::remove_file(&path).unwrap();
        assert!(plot_runs(&[("", &[])], &path, "empty").is_err());
    }

    #[test]
    fn several_runs_share_one_chart_with_a_colour_each() {
        let run = |acc: f64| -> Vec<Value> {
            (1..=10)
                .map(|s| serde_json::json!({"step": s, "reward_mean": acc, "accuracy": acc, "eval_accuracy": acc, "eval_format": 1.0, "completion_len_mean": 30}))
                .collect()
        };
        let path = std::env::temp_dir().join(format!("dt-curves-two-{}.svg", std::process::id()));
        let (strong, weak) = (run(0.8), run(0.1));
        plot_runs(&[("strong base", &strong), ("weak base", &weak)], &path, "two").unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for label in ["strong base", "weak base", "held-out accuracy (greedy)", "held-out format compliance"] {
            assert!(svg.contains(label), "{label} missing");
        }
        std::fs::remove_file(&path).unwrap();
        assert!(plot_runs(&[("a", &strong), ("empty", &[])], &path, "x").is_err());
    }

    #[test]
    fn smoothing_is_a_trailing_mean() {
        let lines: Vec<Value> = (1..=4).map(|s| serde_json::json!({"step": s, "loss": s as f64})).collect();
        assert_eq!(series(&lines, "loss", 2), vec![(1.0, 1.0), (2.0, 1.5), (3.0, 2.5), (4.0, 3.5)]);
    }
}
