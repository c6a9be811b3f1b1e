//! A line chart of percentages over labelled points (plotters, SVG): the chart for figures whose x
//! axis is a list of named settings rather than a number to scale — a pipeline's stages in
//! order, or a training flag's values (mistake rate 0, 0.1, 0.2). One line per series, a dot per
//! value; a missing value (NaN) breaks its line. The spec is plain data (serde), so a figure's
//! numbers can be committed as JSON beside the SVG drawn from them (`deepthink plot --lines`).

use std::path::Path;

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::plot::PALETTE;

/// One line: a value in percent (0–100) for each of the chart's x labels, NaN (JSON `null`) where
/// it has none.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Series {
    pub name: String,
    #[serde(deserialize_with = "nullable_values", serialize_with = "values_as_nullable")]
    pub values: Vec<f64>,
}

/// What to draw: the x labels in order, and the series over them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x_desc: String,
    #[serde(default = "percent")]
    pub y_desc: String,
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
}

fn percent() -> String {
    "%".into()
}

fn nullable_values<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let raw: Vec<Option<f64>> = Vec::deserialize(d)?;
    Ok(raw.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

fn values_as_nullable<S: serde::Serializer>(values: &[f64], s: S) -> Result<S::Ok, S::Error> {
    let raw: Vec<Option<f64>> = values.iter().map(|v| v.is_finite().then_some(*v)).collect();
    raw.serialize(s)
}

impl LineChart {
    /// Why this spec cannot be drawn, if it cannot: no labels, or a series whose length is not
    /// the labels' (named, with both lengths).
    pub fn check(&self) -> Result<(), String> {
        if self.x_labels.is_empty() {
            return Err("x_labels: empty".into());
        }
        for s in &self.series {
            if s.values.len() != self.x_labels.len() {
                return Err(format!(
                    "series {:?}: {} values for {} x_labels",
                    s.name,
                    s.values.len(),
                    self.x_labels.len()
                ));
            }
        }
        Ok(())
    }
}

/// Draw `chart` to an SVG file at `path`, the legend in a panel beside the plot so it never hides
/// a line. The y axis spans the values, padded to whole tens within 0–100. The SVG is drawn in
/// memory and then written atomically, so a failed draw leaves an older chart whole.
pub fn plot_lines(path: &Path, chart: &LineChart) -> Result<(), Box<dyn std::error::Error>> {
    chart.check()?;
    let mut svg = String::new();
    draw(&mut svg, chart)?;
    deepthink_model::fsutil::write_atomic(path, svg.as_bytes())?;
    Ok(())
}

fn draw(svg: &mut String, chart: &LineChart) -> Result<(), Box<dyn std::error::Error>> {
    let finite = chart.series.iter().flat_map(|s| s.values.iter().copied()).filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if lo > hi {
        return Err("no values to plot".into());
    }
    let y0 = ((lo - 5.0) / 10.0).floor().max(0.0) * 10.0;
    let y1 = (((hi + 5.0) / 10.0).ceil() * 10.0).min(100.0).max(y0 + 10.0);
    let n = chart.x_labels.len();

    let root = SVGBackend::with_string(svg, (1000, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(720);
    let mut plot = ChartBuilder::on(&left)
        .caption(&chart.title, ("sans-serif", 18))
        .margin(16)
        .x_label_area_size(46)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.4f64..(n as f64 - 0.6), y0..y1)?;
    let labels = chart.x_labels.clone();
    let xfmt = move |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 {
            labels.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    plot.configure_mesh()
        .x_desc(chart.x_desc.as_str())
        .y_desc(chart.y_desc.as_str())
        .x_labels(n)
        .x_label_formatter(&xfmt)
        .y_label_formatter(&|v: &f64| format!("{v:.0}"))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;

    let font = ("sans-serif", 14).into_font();
    for (k, s) in chart.series.iter().enumerate() {
        let style = ShapeStyle { color: PALETTE[k % PALETTE.len()].to_rgba(), filled: true, stroke_width: 2 };
        let points: Vec<(f64, f64)> = s.values.iter().enumerate().map(|(i, &v)| (i as f64, v)).collect();
        for run in points.split(|p| !p.1.is_finite()).filter(|r| !r.is_empty()) {
            plot.draw_series(LineSeries::new(run.to_vec(), style))?;
            plot.draw_series(run.iter().map(|&p| Circle::new(p, 3, style)))?;
        }
        let y = 70 + 24 * k as i32;
        right.draw(&PathElement::new(vec![(4, y), (26, y)], style))?;
        right.draw(&Circle::new((15, y), 3, style))?;
        right.draw(&Text::new(s.name.clone(), (34, y - 7), font.clone()))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> LineChart {
        LineChart {
            title: "recovery".into(),
            x_desc: "mistake rate".into(),
            y_desc: percent(),
            x_labels: vec!["0".into(), "0.1".into(), "0.2".into()],
            series: vec![
                Series { name: "clean accuracy".into(), values: vec![90.0, 91.0, 92.5] },
                Series { name: "after a forced wrong row".into(), values: vec![3.0, f64::NAN, 40.0] },
            ],
        }
    }

    #[test]
    fn draws_every_series_and_label() {
        let path = std::env::temp_dir().join(format!("dt-lines-{}.svg", std::process::id()));
        plot_lines(&path, &spec()).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for label in ["clean accuracy", "after a forced wrong row", "0.1", "mistake rate"] {
            assert!(svg.contains(label), "{label} missing");
        }
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_missing_value_round_trips_as_null() {
        let json = serde_json::to_string(&spec()).unwrap();
        assert!(json.contains("[3.0,null,40.0]"), "{json}");
        let back: LineChart = serde_json::from_str(&json).unwrap();
        assert!(back.series[1].values[1].is_nan() && back.series[1].values[2] == 40.0);
    }

    #[test]
    fn a_series_of_the_wrong_length_is_named() {
        let mut bad = spec();
        bad.series[0].values.pop();
        let path = std::env::temp_dir().join("dt-lines-never-written.svg");
        let err = plot_lines(&path, &bad).unwrap_err().to_string();
        assert_eq!(err, "series \"clean accuracy\": 2 values for 3 x_labels");
    }
}
