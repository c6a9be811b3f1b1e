//! SVG charts of the test-time-scaling grid (plotters): accuracy against budget N and against
//! inference FLOPs per problem, both on log-scaled x axes, one line per strategy with 95%
//! intervals over seeds as error bars, and one-attempt baselines (greedy, other models) as
//! dashed horizontal lines.

use std::path::Path;

use plotters::prelude::*;

use crate::grid::Point;

/// A horizontal reference line (e.g. a bigger model's greedy accuracy).
#[derive(Clone, Debug)]
pub struct Reference {
    pub label: String,
    pub accuracy: f64,
}

/// Which quantity goes on the x axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum XAxis {
    Budget,
    Flops,
}

/// The line and bar colours of every chart here, in order.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Draw `points` (several strategies) to an SVG file at `path`: the chart on the left, the
/// legend beside it (so it never hides data). x is log-scaled: log₂ N or log₁₀ FLOPs, labelled
/// in the original units. Bars are ±1 standard error over seeds (the 95% t-interval is in the
/// tables; with two seeds it is too wide to read on a chart), dodged sideways per strategy.
pub fn plot_grid(
    path: &Path,
    title: &str,
    points: &[Point],
    references: &[Reference],
    x: XAxis,
) -> Result<(), Box<dyn std::error::Error>> {
    if points.is_empty() {
        return Err("no grid points to plot".into());
    }
    let xval = |p: &Point| match x {
        XAxis::Budget => (p.budget.max(1) as f64).log2(),
        XAxis::Flops => p.flops.max(1.0).log10(),
    };
    let (lo_x, hi_x) = points.iter().map(xval).fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let pad = ((hi_x - lo_x) * 0.05).max(0.3);
    let (x0, x1) = (lo_x - pad, hi_x + pad);
    let accs = points.iter().map(|p| 100.0 * p.accuracy).chain(references.iter().map(|r| 100.0 * r.accuracy));
    let (lo, hi) = accs.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let (y0, y1) = (((lo - 5.0) / 5.0).floor().max(0.0) * 5.0, (((hi + 5.0) / 5.0).ceil() * 5.0).min(100.0));

    let root = SVGBackend::new(path, (1120, 580)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(820);
    let mut chart = ChartBuilder::on(&left)
        .caption(title, ("sans-serif", 18))
        .margin(16)
        .x_label_area_size(46)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let xfmt = move |v: &f64| match x {
        XAxis::Budget => format!("{}", 2f64.powf(v.round()).round()),
        XAxis::Flops => format!("1e{}", v.round()),
    };
    let ticks = (x1.floor() - x0.ceil()).max(0.0) as usize + 1;
    chart
        .configure_mesh()
        .x_desc(match x {
            XAxis::Budget => "N (samples / beams / simulations per problem, log scale)",
            XAxis::Flops => "inference FLOPs per problem, policy + verifier (log scale)",
        })
        .y_desc("accuracy (%)")
        .x_labels(ticks)
        .x_label_formatter(&xfmt)
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;

    let mut names: Vec<&str> = Vec::new();
    for p in points {
        if !names.contains(&p.strategy.as_str()) {
            names.push(&p.strategy);
        }
    }
    let dodge = |k: usize| (k as f64 - (names.len() as f64 - 1.0) / 2.0) * 0.025 * (x1 - x0) / 6.0;
    let mut legend: Vec<(String, ShapeStyle, bool)> = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let mut pts: Vec<&Point> = points.iter().filter(|p| p.strategy == *name).collect();
        pts.sort_by(|a, b| xval(a).total_cmp(&xval(b)));
        let line: Vec<(f64, f64)> = pts.iter().map(|p| (xval(p) + dodge(k), 100.0 * p.accuracy)).collect();
        let style = ShapeStyle { color: color.to_rgba(), filled: true, stroke_width: 2 };
        chart.draw_series(LineSeries::new(line.clone(), style))?;
        chart.draw_series(line.iter().map(|&(px, py)| Circle::new((px, py), 3, style)))?;
        let thin = ShapeStyle { color: color.mix(0.5), filled: false, stroke_width: 1 };
        for (p, &(px, py)) in pts.iter().zip(&line) {
            // ci95 = t·se, so se = ci95 / t; the summary keeps t with the seed count.
            let se = 100.0 * p.ci95 / crate::grid::t95(p.seeds).max(1.0);
            if se > 0.0 {
                chart.draw_series(std::iter::once(PathElement::new(vec![(px, py - se), (px, py + se)], thin)))?;
            }
        }
        legend.push((name.to_string(), style, false));
    }
    for r in references {
        let y = 100.0 * r.accuracy;
        let style = ShapeStyle { color: RGBColor(70, 70, 70).mix(0.9), filled: false, stroke_width: 2 };
        let at = |t: f64| x0 + (x1 - x0) * t;
        let dashes =
            (0..40).map(|i| PathElement::new(vec![(at(i as f64 / 40.0), y), (at((i as f64 + 0.5) / 40.0), y)], style));
        chart.draw_series(dashes)?;
        legend.push((format!("{} ({:.1}%)", r.label, y), style, true));
    }
    // The legend, in its own panel.
    let font = ("sans-serif", 14).into_font();
    for (i, (label, style, dashed)) in legend.iter().enumerate() {
        let y = 70 + 24 * i as i32;
        if *dashed {
            right.draw(&PathElement::new(vec![(4, y), (12, y)], *style))?;
            right.draw(&PathElement::new(vec![(18, y), (26, y)], *style))?;
        } else {
            right.draw(&PathElement::new(vec![(4, y), (26, y)], *style))?;
            right.draw(&Circle::new((15, y), 3, *style))?;
        }
        right.draw(&Text::new(label.clone(), (34, y - 7), font.clone()))?;
    }
    right.draw(&Text::new(
        "bars: ±1 s.e. over seeds".to_string(),
        (4, 70 + 24 * legend.len() as i32),
        ("sans-serif", 12).into_font().color(&RGBColor(110, 110, 110)),
    ))?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_an_svg_with_every_strategy_in_the_legend() {
        let pt = |s: &str, b: usize, a: f64| Point {
            strategy: s.into(),
            budget: b,
            seeds: 2,
            accuracy: a,
            ci95: 0.02,
            generated_tokens: 100.0 * b as f64,
            verifier_tokens: 0.0,
            flops: 1e6 * b as f64,
        };
        let pts = [pt("majority", 1, 0.6), pt("majority", 4, 0.7), pt("beam", 1, 0.62), pt("beam", 4, 0.8)];
        let path = std::env::temp_dir().join(format!("dt-plot-{}.svg", std::process::id()));
        let refs = [Reference { label: "big greedy".into(), accuracy: 0.9 }];
        plot_grid(&path, "test", &pts, &refs, XAxis::Flops).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for label in ["majority", "beam", "big greedy (90.0%)"] {
            assert!(svg.contains(label), "{label} missing");
        }
        std::fs::remove_file(&path).unwrap();
    }
}
