//! RoPE frequency scaling read from `config.json`'s `rope_scaling`. Only Llama 3's scheme
//! (`"rope_type": "llama3"`, Llama-3.1/3.2) is implemented, as `transformers`'
//! `_compute_llama3_parameters` does it: frequencies whose wavelength exceeds
//! `original_max_position_embeddings / low_freq_factor` are divided by `factor`, those shorter than
//! `original_max_position_embeddings / high_freq_factor` are kept, and those between are blended
//! linearly in `original / wavelength`. The attention scale is unchanged. Every other type (`linear`,
//! `dynamic`, `yarn`, `longrope`, …) is refused by name rather than silently ignored.

use serde_json::{json, Value};

use crate::error::ModelError;

/// A supported `rope_scaling`.
#[derive(Clone, Debug, PartialEq)]
pub enum RopeScaling {
    Llama3 { factor: f64, low_freq_factor: f64, high_freq_factor: f64, original_max_position_embeddings: f64 },
}

fn not_supported(field: &str, value: &Value) -> ModelError {
    ModelError::Config { field: field.into(), msg: format!("not supported: {field} = {value}") }
}

impl RopeScaling {
    /// The `rope_scaling` value of a `config.json`: `null`/absent or `"default"` is none.
    pub fn from_json(v: Option<&Value>) -> Result<Option<RopeScaling>, ModelError> {
        let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(None) };
        let kind = v.get("rope_type").or_else(|| v.get("type")).unwrap_or(&Value::Null);
        match kind.as_str() {
            Some("default") => Ok(None),
            Some("llama3") => {
                let num = |k: &str| {
                    v.get(k).and_then(Value::as_f64).ok_or_else(|| ModelError::Config {
                        field: format!("rope_scaling.{k}"),
                        msg: format!("llama3 scaling needs a number, got {}", v.get(k).unwrap_or(&Value::Null)),
                    })
                };
                let s = RopeScaling::Llama3 {
                    factor: num("factor")?,
                    low_freq_factor: num("low_freq_factor")?,
                    high_freq_factor: num("high_freq_factor")?,
                    original_max_position_embeddings: num("original_max_position_embeddings")?,
                };
                let RopeScaling::Llama3 { factor, low_freq_factor, high_freq_factor, .. } = s;
                if factor <= 0.0 || high_freq_factor <= low_freq_factor {
                    return Err(ModelError::Config {
                        field: "rope_scaling".into(),
                        msg: format!("llama3 scaling needs factor > 0 and high_freq_factor > low_freq_factor, got {v}"),
                    });
                }
                Ok(Some(s))
            }
            _ => Err(not_supported("rope_scaling.rope_type", kind)),
        }
    }

    /// The `rope_scaling` value this is saved as.
    pub fn to_json(&self) -> Value {
        match self {
            RopeScaling::Llama3 { factor, low_freq_factor, high_freq_factor, original_max_position_embeddings } => {
                json!({"rope_type": "llama3", "factor": factor, "low_freq_factor": low_freq_factor,
                    "high_freq_factor": high_freq_factor,
                    "original_max_position_embeddings": original_max_position_embeddings})
            }
        }
    }

    /// The scaled inverse frequency of one unscaled `inv_freq`.
    pub fn scale(&self, inv_freq: f64) -> f64 {
        match *self {
            RopeScaling::Llama3 {
                factor,
                low_freq_factor,
                high_freq_factor,
                original_max_position_embeddings: old,
            } => {
                let wavelen = 2.0 * std::f64::consts::PI / inv_freq;
                if wavelen > old / low_freq_factor {
                    inv_freq / factor
                } else if wavelen < old / high_freq_factor {
                    inv_freq
                } else {
                    let smooth = (old / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
                    (1.0 - smooth) * inv_freq / factor + smooth * inv_freq
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn llama31() -> RopeScaling {
        let v = json!({"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8192, "rope_type": "llama3"});
        RopeScaling::from_json(Some(&v)).unwrap().unwrap()
    }

    #[test]
    fn llama3_keeps_high_frequencies_divides_low_ones_and_blends_between() {
        let s = llama31();
        assert_eq!(s.scale(1.0), 1.0, "wavelength 6.3 < 2048: kept");
        let low = 2.0 * std::f64::consts::PI / 10_000.0;
        assert!((s.scale(low) - low / 8.0).abs() < 1e-15, "wavelength 10,000 > 8192: divided by 8");
        let mid = 2.0 * std::f64::consts::PI / 4096.0; // smooth = (8192/4096 - 1) / 3 = 1/3
        assert!((s.scale(mid) - (2.0 / 3.0 * mid / 8.0 + mid / 3.0)).abs() < 1e-15);
        assert_eq!(RopeScaling::from_json(Some(&s.to_json())).unwrap(), Some(s));
    }

    #[test]
    fn other_types_are_refused_by_name_and_default_is_none() {
        let e = RopeScaling::from_json(Some(&json!({"type": "yarn", "factor": 4.0}))).unwrap_err().to_string();
        assert!(e.contains("not supported: rope_scaling.rope_type = \"yarn\""), "{e}");
        assert_eq!(RopeScaling::from_json(Some(&json!({"rope_type": "default"}))).unwrap(), None);
        assert_eq!(RopeScaling::from_json(Some(&Value::Null)).unwrap(), None);
        let e = RopeScaling::from_json(Some(&json!({"rope_type": "llama3", "factor": 8.0}))).unwrap_err().to_string();
        assert!(e.contains("rope_scaling.low_freq_factor"), "{e}");
    }
}
