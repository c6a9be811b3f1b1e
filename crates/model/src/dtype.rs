//! How a model holds its weights in memory: `f32` (the default; training, saving and export
//! need it), or BF16 for inference (`--dtype bf16`).
//!
//! Decoding one sequence reads every weight once per token, so at real size it is bound by
//! memory bandwidth, and BF16 — what Qwen and Llama checkpoints ship — halves the bytes read.
//! Only the weights change: activations, the KV cache and every sum stay `f32`, as in llama.cpp's
//! BF16 path and `transformers` on the CPU with `torch_dtype=bfloat16`, except that `transformers`
//! rounds activations to BF16 between operations and this does not.
//!
//! A BF16 model keeps every tensor in BF16 (norm gains and biases too, widened when used); its
//! `params` is empty, so the training pass, [`crate::save_checkpoint`] and GGUF export refuse it
//! with [`Model::require_f32`] rather than reading an empty buffer.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use half::bf16;

use crate::error::ModelError;
use crate::model::Model;

/// The in-memory type of a model's weights.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WeightDtype {
    #[default]
    F32,
    Bf16,
}

impl WeightDtype {
    /// Bytes per weight.
    pub fn bytes(self) -> usize {
        match self {
            WeightDtype::F32 => 4,
            WeightDtype::Bf16 => 2,
        }
    }
}

impl fmt::Display for WeightDtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WeightDtype::F32 => "f32",
            WeightDtype::Bf16 => "bf16",
        })
    }
}

impl FromStr for WeightDtype {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "f32" | "float32" => Ok(WeightDtype::F32),
            "bf16" | "bfloat16" => Ok(WeightDtype::Bf16),
            other => Err(format!("unknown dtype {other:?} (expected f32 or bf16)")),
        }
    }
}

/// One weight matrix, in whichever type the model holds it.
#[derive(Clone, Copy)]
pub(crate) enum Matrix<'a> {
    F32(&'a [f32]),
    Bf16(&'a [bf16]),
}

impl Model {
    /// The type the weights are held in.
    pub fn dtype(&self) -> WeightDtype {
        if self.bf16.is_some() {
            WeightDtype::Bf16
        } else {
            WeightDtype::F32
        }
    }

    /// This model with its weights held as `dtype`. F32 → BF16 rounds to nearest (ties to even)
    /// and frees the `f32` copy; BF16 → F32 is exact.
    pub fn into_dtype(mut self, dtype: WeightDtype) -> Model {
        match (dtype, self.bf16.take()) {
            (WeightDtype::F32, Some(h)) => self.params = h.iter().map(|v| v.to_f32()).collect(),
            (WeightDtype::Bf16, None) => {
                self.bf16 = Some(self.params.iter().map(|&v| bf16::from_f32(v)).collect());
                self.params = Vec::new();
            }
            (_, kept) => self.bf16 = kept,
        }
        self
    }

    /// A model held in BF16, from a buffer in `cfg`'s layout.
    pub fn from_bf16(cfg: crate::ModelConfig, weights: Vec<bf16>) -> Result<Model, ModelError> {
        let layout = crate::params::Layout::new(&cfg);
        if weights.len() != layout.total() {
            return Err(ModelError::Tensor {
                name: "<all>".into(),
                msg: format!("expected {} parameters, got {}", layout.total(), weights.len()),
            });
        }
        let mut m = Model::from_parts(cfg, layout, Vec::new());
        m.bf16 = Some(weights);
        Ok(m)
    }

    /// An error unless the weights are `f32` (what `what` — training, saving, export — needs).
    pub fn require_f32(&self, what: &str) -> Result<(), ModelError> {
        match self.dtype() {
            WeightDtype::F32 => Ok(()),
            d => Err(ModelError::Input(format!(
                "{what} needs the weights in f32, but this model is held in {d} (load it with --dtype f32)"
            ))),
        }
    }

    /// Bytes the weights take in memory.
    pub fn weight_bytes(&self) -> usize {
        self.n_params() * self.dtype().bytes()
    }

    /// The matrix at `r`.
    pub(crate) fn matrix(&self, r: &Range<usize>) -> Matrix<'_> {
        match &self.bf16 {
            Some(h) => Matrix::Bf16(&h[r.clone()]),
            None => Matrix::F32(&self.params[r.clone()]),
        }
    }

    /// Copy the weights at `r` into `out` as `f32` (an embedding row).
    pub(crate) fn widen_into(&self, r: &Range<usize>, out: &mut [f32]) {
        match self.matrix(r) {
            Matrix::F32(v) => out.copy_from_slice(v),
            Matrix::Bf16(v) => out.iter_mut().zip(v).for_each(|(o, h)| *o = h.to_f32()),
        }
    }

    /// The vector (norm gain, bias) at `r` as `f32`: borrowed, or widened from BF16.
    pub(crate) fn vector(&self, r: &Range<usize>) -> Cow<'_, [f32]> {
        match &self.bf16 {
            Some(h) => Cow::Owned(h[r.clone()].iter().map(|v| v.to_f32()).collect()),
            None => Cow::Borrowed(&self.params[r.clone()]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ModelConfig, ModelShape};

    #[test]
    fn dtypes_parse_and_print() {
        assert_eq!("bf16".parse::<WeightDtype>(), Ok(WeightDtype::Bf16));
        assert_eq!("F32".parse::<WeightDtype>(), Ok(WeightDtype::F32));
        assert!("f16".parse::<WeightDtype>().unwrap_err().contains("\"f16\""));
        assert_eq!(WeightDtype::Bf16.to_string(), "bf16");
    }

    #[test]
    fn bf16_halves_the_weights_and_round_trips_exactly_once_rounded() {
        let cfg = ModelConfig::from_shape(&ModelShape::default(), 61).unwrap();
        let m = Model::new_random(cfg, 1);
        let f32_bytes = m.weight_bytes();
        let h = m.clone().into_dtype(WeightDtype::Bf16);
        assert_eq!(h.dtype(), WeightDtype::Bf16);
        assert!(h.params.is_empty());
        assert_eq!(2 * h.weight_bytes(), f32_bytes);
        assert!(h.require_f32("training").unwrap_err().to_string().contains("held in bf16"));
        let back = h.clone().into_dtype(WeightDtype::F32);
        for (a, b) in m.params.iter().zip(&back.params) {
            assert!((a - b).abs() <= a.abs() / 256.0, "{a} vs {b}");
        }
        // Rounding once more changes nothing: BF16 values are exact in f32.
        assert_eq!(back.clone().into_dtype(WeightDtype::Bf16).bf16, h.bf16);
    }
}
