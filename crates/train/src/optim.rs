//! AdamW (Loshchilov & Hutter 2019) over the flat parameter buffer, with global-norm gradient
//! clipping. Norm gains and biases are not decayed (the usual nanoGPT / transformers grouping).

use deepthink_model::checkpoint::safetensors_bytes;
use deepthink_model::Layout;
use safetensors::SafeTensors;

/// AdamW hyper-parameters.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(default)]
pub struct AdamWConfig {
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
}

impl Default for AdamWConfig {
    /// The settings measured to work for the tiny models here (`mult-feasibility.md`).
    fn default() -> Self {
        AdamWConfig { beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 0.1 }
    }
}

/// Moment estimates and the step count.
pub struct AdamW {
    pub cfg: AdamWConfig,
    m: Vec<f32>,
    v: Vec<f32>,
    decay: Vec<bool>,
    layout_ranges: Vec<std::ops::Range<usize>>,
    pub step: u64,
}

impl AdamW {
    /// [`AdamW::new`], after checking the machine has the memory to train this many parameters
    /// (`crate::memory`).
    pub fn for_training(cfg: AdamWConfig, layout: &Layout) -> Result<Self, crate::error::TrainError> {
        crate::memory::ensure_trainable(layout.total(), crate::memory::available_bytes())?;
        Ok(AdamW::new(cfg, layout))
    }

    pub fn new(cfg: AdamWConfig, layout: &Layout) -> Self {
        let n = layout.total();
        AdamW {
            cfg,
            m: vec![0.0; n],
            v: vec![0.0; n],
            decay: layout.entries.iter().map(|e| !layout.is_no_decay(e)).collect(),
            layout_ranges: layout.entries.iter().map(|e| e.range.clone()).collect(),
            step: 0,
        }
    }

    /// One update with learning rate `lr`.
    pub fn update(&mut self, params: &mut [f32], grads: &[f32], lr: f32) {
        self.step += 1;
        let c = &self.cfg;
        let bc1 = 1.0 - c.beta1.powi(self.step as i32);
        let bc2 = 1.0 - c.beta2.powi(self.step as i32);
        for (range, &decay) in self.layout_ranges.iter().zip(&self.decay) {
            let wd = if decay { lr * c.weight_decay } else { 0.0 };
            for i in range.clone() {
                let g = grads[i];
                self.m[i] = c.beta1 * self.m[i] + (1.0 - c.beta1) * g;
                self.v[i] = c.beta2 * self.v[i] + (1.0 - c.beta2) * g * g;
                let mhat = self.m[i] / bc1;
                let vhat = self.v[i] / bc2;
                params[i] -= lr * mhat / (vhat.sqrt() + c.eps) + wd * params[i];
            }
        }
    }

    /// The optimizer state as safetensors bytes (`m`, `v`, `step`).
    pub fn to_bytes(&self) -> Result<Vec<u8>, deepthink_model::ModelError> {
        let step = [self.step as f32];
        safetensors_bytes(&[
            ("m".into(), vec![self.m.len()], &self.m),
            ("v".into(), vec![self.v.len()], &self.v),
            ("step".into(), vec![1], &step),
        ])
    }

    /// Restore state written by [`AdamW::to_bytes`]; the error says what does not fit.
    pub fn load_bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        let st =
            SafeTensors::deserialize(bytes).map_err(|e| format!("optimizer state is not valid safetensors: {e}"))?;
        let read = |name: &str, out: &mut Vec<f32>| -> Result<(), String> {
            let t = st.tensor(name).map_err(|_| format!("optimizer tensor `{name}` missing"))?;
            let vals: Vec<f32> =
                t.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            if vals.len() != out.len() {
                return Err(format!("optimizer tensor `{name}` has {} values, the model {}", vals.len(), out.len()));
            }
            *out = vals;
            Ok(())
        };
        read("m", &mut self.m)?;
        read("v", &mut self.v)?;
        let mut step = vec![0.0];
        read("step", &mut step)?;
        self.step = step[0] as u64;
        Ok(())
    }
}

/// Scale `grads` so their global L2 norm is at most `max_norm`; returns the norm before clipping.
pub fn clip_grad_norm(grads: &mut [f32], max_norm: f32) -> f32 {
    let norm = grads.iter().map(|g| (*g as f64) * (*g as f64)).sum::<f64>().sqrt() as f32;
    if max_norm > 0.0 && norm > max_norm {
        let s = max_norm / (norm + 1e-6);
        grads.iter_mut().for_each(|g| *g *= s);
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepthink_model::config::{ModelConfig, ModelShape};

    #[test]
    fn adamw_first_step_moves_each_weight_by_lr_against_its_gradient_sign() {
        let shape = ModelShape {
            d_model: 8,
            n_layers: 1,
            n_heads: 2,
            n_kv_heads: 1,
            ffn_dim: 8,
            max_seq_len: 8,
            ..Default::default()
        };
        let cfg = ModelConfig::from_shape(&shape, 5).unwrap();
        let layout = Layout::new(&cfg);
        let mut opt = AdamW::new(AdamWConfig { weight_decay: 0.0, ..Default::default() }, &layout);
        let mut p = vec![1.0f32; layout.total()];
        let g: Vec<f32> = (0..layout.total()).map(|i| if i % 2 == 0 { 0.5 } else { -2.0 }).collect();
        opt.update(&mut p, &g, 0.01);
        for (i, x) in p.iter().enumerate() {
            let want = if i % 2 == 0 { 0.99 } else { 1.01 };
            assert!((x - want).abs() < 1e-5, "{i}: {x}");
        }
        let bytes = opt.to_bytes().unwrap();
        let mut again = AdamW::new(AdamWConfig::default(), &layout);
        again.load_bytes(&bytes).unwrap();
        assert_eq!(again.step, 1);
    }

    #[test]
    fn clipping_bounds_the_norm() {
        let mut g = vec![3.0, 4.0];
        assert_eq!(clip_grad_norm(&mut g, 1.0), 5.0);
        assert!((g[0] - 0.6).abs() < 1e-4 && (g[1] - 0.8).abs() < 1e-4);
    }
}
