//! Incremental decoding with a KV cache over a *ragged* batch: each call feeds any number of
//! new tokens for any set of sequences ("slots"), e.g. whole prompts at once (prefill) or one
//! token for each live sequence (decode). One code path serves both, and sequences of
//! different lengths never pad each other.
//!
//! Buffers live in the cache and are reused across calls, so the decode loop does not allocate.

use rayon::prelude::*;

use crate::decode_attention::{attend_row, Heads};
use crate::error::ModelError;
use crate::matmul::{linear, Write};
use crate::model::Model;
use crate::ops::{axpy, dot, rms_norm, rms_norm_row, swiglu};

/// Keys and values of every layer for `n_slots` sequences of up to `capacity` positions.
pub struct KvCache {
    pub(crate) capacity: usize,
    pub(crate) kv_width: usize,
    /// Per layer: keys then values, each `(n_slots, capacity, Hkv·hd)`.
    pub(crate) layers: Vec<(Vec<f32>, Vec<f32>)>,
    lens: Vec<usize>,
    scratch: Scratch,
    /// One scratch space per row group of a decode step (`decode_rows`).
    pub(crate) row_scratch: Vec<Scratch>,
    seen: Vec<bool>,
}

#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) x: Vec<f32>,
    pub(crate) h: Vec<f32>,
    r: Vec<f32>,
    pub(crate) qkv: Vec<f32>,
    pub(crate) att: Vec<f32>,
    pub(crate) gu: Vec<f32>,
    pub(crate) act: Vec<f32>,
    pos: Vec<usize>,
    next_lens: Vec<usize>,
    pub(crate) tokens: Vec<u32>,
    pub(crate) wanted: Vec<usize>,
    pub(crate) hf: Vec<f32>,
    pub(crate) logits: Vec<f32>,
}

impl KvCache {
    pub fn new(model: &Model, n_slots: usize, capacity: usize) -> Self {
        let c = &model.cfg;
        let kv_width = c.n_kv_heads * c.head_dim;
        let size = n_slots * capacity * kv_width;
        KvCache {
            capacity,
            kv_width,
            layers: (0..c.n_layers).map(|_| (vec![0.0; size], vec![0.0; size])).collect(),
            lens: vec![0; n_slots],
            scratch: Scratch::default(),
            row_scratch: Vec::new(),
            seen: Vec::new(),
        }
    }

    pub fn len(&self, slot: usize) -> usize {
        self.lens[slot]
    }

    pub fn n_slots(&self) -> usize {
        self.lens.len()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forget a slot's contents so it can hold a new sequence.
    pub fn reset(&mut self, slot: usize) {
        self.lens[slot] = 0;
    }

    /// A copy of slot `slot`'s keys and values (every cached position), to restore later with
    /// [`KvCache::restore`] — possibly into another cache of the same model.
    pub fn snapshot(&self, slot: usize) -> KvSnapshot {
        let n = self.lens[slot] * self.kv_width;
        let at = slot * self.capacity * self.kv_width;
        let layers = self.layers.iter().map(|(k, v)| (k[at..at + n].to_vec(), v[at..at + n].to_vec())).collect();
        KvSnapshot { len: self.lens[slot], layers }
    }

    /// Put a snapshot into slot `slot` (which then holds exactly those positions). Fails if it
    /// does not fit the cache or came from a model of another shape.
    pub fn restore(&mut self, slot: usize, snap: &KvSnapshot) -> Result<(), ModelError> {
        let n = snap.len * self.kv_width;
        if slot >= self.lens.len()
            || snap.len > self.capacity
            || snap.layers.len() != self.layers.len()
            || snap.layers.iter().any(|(k, v)| k.len() != n || v.len() != n)
        {
            return Err(ModelError::Input(format!(
                "a KV snapshot of {} positions does not fit slot {slot} of this cache",
                snap.len
            )));
        }
        let at = slot * self.capacity * self.kv_width;
        for ((k, v), (sk, sv)) in self.layers.iter_mut().zip(&snap.layers) {
            k[at..at + n].copy_from_slice(sk);
            v[at..at + n].copy_from_slice(sv);
        }
        self.lens[slot] = snap.len;
        Ok(())
    }

    /// Copy slot `from`'s cached prefix into slot `to` (beams that share a prefix).
    pub fn fork(&mut self, from: usize, to: usize) {
        let n = self.lens[from] * self.kv_width;
        let stride = self.capacity * self.kv_width;
        for (k, v) in &mut self.layers {
            k.copy_within(from * stride..from * stride + n, to * stride);
            v.copy_within(from * stride..from * stride + n, to * stride);
        }
        self.lens[to] = self.lens[from];
    }
}

/// The cached keys and values of one sequence: `len` positions, per layer.
#[derive(Clone, Debug)]
pub struct KvSnapshot {
    pub len: usize,
    layers: Vec<(Vec<f32>, Vec<f32>)>,
}

impl KvSnapshot {
    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.layers.iter().map(|(k, v)| 4 * (k.len() + v.len())).sum()
    }
}

/// One new token for one sequence.
#[derive(Clone, Copy, Debug)]
pub struct StepToken {
    pub slot: usize,
    pub token: u32,
    /// Whether the caller wants the logits after this token.
    pub want_logits: bool,
}

impl Model {
    /// Feed `steps` through the model, appending to each slot's cache in order, and return the
    /// logits `(#wanted, vocab)` of the steps marked `want_logits`, in order. The logits live in
    /// the cache's scratch space (no allocation per step) until the next call.
    pub fn forward_step<'c>(&self, cache: &'c mut KvCache, steps: &[StepToken]) -> Result<&'c [f32], ModelError> {
        let c = &self.cfg;
        let (n, d, f, w) = (steps.len(), c.d_model, c.ffn_dim, self.qkv_width());
        let a = c.n_heads * c.head_dim;
        let s = &mut cache.scratch;
        s.pos.clear();
        s.next_lens.clone_from(&cache.lens);
        for st in steps {
            let len = s
                .next_lens
                .get_mut(st.slot)
                .ok_or_else(|| ModelError::Input(format!("slot {} out of range", st.slot)))?;
            if *len >= cache.capacity || *len >= self.rope.max_pos() {
                return Err(ModelError::Input(format!(
                    "sequence in slot {} is full: {} tokens (capacity {}, max_seq_len {})",
                    st.slot, len, cache.capacity, c.max_seq_len
                )));
            }
            s.pos.push(*len);
            *len += 1;
        }
        if let Some(groups) = crate::decode_rows::eligible(steps, cache.lens.len(), &mut cache.seen) {
            let (pos, mut logits) = (std::mem::take(&mut s.pos), std::mem::take(&mut s.logits));
            let done = self.decode_row_groups(cache, steps, &pos, groups, &mut logits);
            let s = &mut cache.scratch;
            (s.pos, s.logits) = (pos, logits);
            done?;
            std::mem::swap(&mut cache.lens, &mut cache.scratch.next_lens);
            return Ok(&cache.scratch.logits);
        }
        let s = &mut cache.scratch;
        s.tokens.clear();
        s.tokens.extend(steps.iter().map(|st| st.token));
        resize(&mut s.x, n * d);
        resize(&mut s.h, n * d);
        resize(&mut s.r, n);
        resize(&mut s.qkv, n * w);
        resize(&mut s.att, n * a);
        resize(&mut s.gu, n * 2 * f);
        resize(&mut s.act, n * f);
        self.embed(&mut s.x, &s.tokens)?;
        let p = &self.params;
        let (kvw, cap) = (cache.kv_width, cache.capacity);
        for (lr, (kc, vc)) in self.layout.layers.iter().zip(cache.layers.iter_mut()) {
            rms_norm(&mut s.h, &mut s.r, &s.x, &p[lr.input_norm.clone()], c.rms_eps);
            linear(&mut s.qkv, &s.h, &p[lr.qkv.clone()], (n, d, w), Write::Set);
            let bias = &p[lr.qkv_bias.clone()];
            for (i, row) in s.qkv.chunks_mut(w).enumerate() {
                for (x, b) in row.iter_mut().zip(bias) {
                    *x += b;
                }
                for head in row[..(c.n_heads + c.n_kv_heads) * c.head_dim].chunks_mut(c.head_dim) {
                    self.rope.rotate(head, s.pos[i], false);
                }
                let at = (steps[i].slot * cap + s.pos[i]) * kvw;
                kc[at..at + kvw].copy_from_slice(&row[a..a + kvw]);
                vc[at..at + kvw].copy_from_slice(&row[a + kvw..a + 2 * kvw]);
            }
            let (kc, vc) = (&*kc, &*vc);
            let (qkv, pos) = (&s.qkv, &s.pos);
            s.att.par_chunks_mut(a).enumerate().for_each_init(Vec::new, |scores, (i, out)| {
                let base = steps[i].slot * cap * kvw;
                let len = pos[i] + 1;
                let (keys, values) = (&kc[base..base + len * kvw], &vc[base..base + len * kvw]);
                self.attend_one(out, &qkv[i * w..i * w + a], keys, values, scores);
            });
            linear(&mut s.x, &s.att, &p[lr.o.clone()], (n, a, d), Write::Add);
            rms_norm(&mut s.h, &mut s.r, &s.x, &p[lr.post_norm.clone()], c.rms_eps);
            linear(&mut s.gu, &s.h, &p[lr.gate_up.clone()], (n, d, 2 * f), Write::Set);
            swiglu(&mut s.act, &s.gu, f);
            linear(&mut s.x, &s.act, &p[lr.down.clone()], (n, f, d), Write::Add);
        }
        std::mem::swap(&mut cache.lens, &mut s.next_lens);
        s.wanted.clear();
        s.wanted.extend((0..n).filter(|&i| steps[i].want_logits));
        let nw = s.wanted.len();
        resize(&mut s.hf, nw * d);
        let norm = &p[self.layout.final_norm.clone()];
        for (row, &i) in s.hf.chunks_mut(d).zip(&s.wanted) {
            rms_norm_row(row, &s.x[i * d..(i + 1) * d], norm, c.rms_eps);
        }
        resize(&mut s.logits, nw * c.vocab_size);
        linear(&mut s.logits, &s.hf, &p[self.layout.lm_head.clone()], (nw, d, c.vocab_size), Write::Set);
        Ok(&s.logits)
    }

    /// Attention of one query row (all heads) over a slot's cached keys and values.
    pub(crate) fn attend_one(&self, out: &mut [f32], q: &[f32], keys: &[f32], values: &[f32], scores: &mut Vec<f32>) {
        let c = &self.cfg;
        if c.head_dim.is_multiple_of(8) {
            let heads = Heads { n_heads: c.n_heads, n_kv_heads: c.n_kv_heads, head_dim: c.head_dim };
            return attend_row(out, q, keys, values, heads, scores);
        }
        let (hd, kvw) = (c.head_dim, c.n_kv_heads * c.head_dim);
        let group = c.n_heads / c.n_kv_heads;
        let len = keys.len() / kvw;
        let scale = 1.0 / (hd as f32).sqrt();
        scores.resize(len, 0.0);
        for h in 0..c.n_heads {
            let g = h / group;
            let qh = &q[h * hd..(h + 1) * hd];
            let mut max = f32::NEG_INFINITY;
            for (j, sc) in scores.iter_mut().enumerate() {
                *sc = dot(qh, &keys[j * kvw + g * hd..j * kvw + (g + 1) * hd]) * scale;
                max = max.max(*sc);
            }
            let mut sum = 0.0;
            for sc in scores.iter_mut() {
                *sc = (*sc - max).exp();
                sum += *sc;
            }
            let oh = &mut out[h * hd..(h + 1) * hd];
            oh.fill(0.0);
            let inv = 1.0 / sum;
            for (j, sc) in scores.iter().enumerate() {
                axpy(oh, sc * inv, &values[j * kvw + g * hd..j * kvw + (g + 1) * hd]);
            }
        }
    }
}

fn resize(v: &mut Vec<f32>, n: usize) {
    v.resize(n, 0.0);
}
