//! Incremental decoding with a KV cache over a *ragged* batch: each call feeds any number of
//! new tokens for any set of sequences ("slots"), e.g. whole prompts at once (prefill) or one
//! token for each live sequence (decode). One code path serves both, and sequences of
//! different lengths never pad each other.
//!
//! Buffers live in the cache and are reused across calls, so the decode loop does not allocate.

use rayon::prelude::*;

use crate::decode_attention::{attend_row, Heads};
use crate::dtype::Matrix;
use crate::error::ModelError;
use crate::matmul::{linear, linear_serial, Write};
use crate::model::Model;
use crate::ops::{axpy, dot, rms_norm, rms_norm_row, swiglu, swiglu_row};

/// Keys and values of every layer for `n_slots` sequences of up to `capacity` positions.
pub struct KvCache {
    pub(crate) capacity: usize,
    pub(crate) kv_width: usize,
    /// Per layer: keys then values, each `(n_slots, capacity, Hkv·hd)`.
    pub(crate) layers: Vec<(Vec<f32>, Vec<f32>)>,
    pub(crate) lens: Vec<usize>,
    pub(crate) scratch: Scratch,
    /// One scratch space per row group of a decode step (`decode_rows`).
    pub(crate) row_scratch: Vec<Scratch>,
    pub(crate) seen: Vec<bool>,
}

#[derive(Default)]
pub(crate) struct Scratch {
    x: Vec<f32>,
    h: Vec<f32>,
    r: Vec<f32>,
    qkv: Vec<f32>,
    att: Vec<f32>,
    gu: Vec<f32>,
    act: Vec<f32>,
    pub(crate) pos: Vec<usize>,
    pub(crate) next_lens: Vec<usize>,
    tokens: Vec<u32>,
    wanted: Vec<usize>,
    hf: Vec<f32>,
    /// The wanted rows' logits of the last pass.
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

/// How [`Model::forward_rows`] runs each operation: spread over the thread pool (the whole batch in
/// one call), or on the calling thread (one row group of a decode step, `decode_rows`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Threads {
    Pool,
    Caller,
}

/// One layer's cached keys or values, `(n_slots, capacity, Hkv·hd)`, as a raw buffer that the
/// row groups of a decode step share: each group writes and reads only its own slots' regions.
#[derive(Clone, Copy)]
pub(crate) struct KvBuf {
    ptr: *mut f32,
    len: usize,
}
// SAFETY: callers keep concurrent writes to disjoint regions, and no region is read while another
// thread writes it (`forward_rows` writes a layer's keys and values before any row reads them; row
// groups own distinct slots). The buffers outlive every use (they borrow the cache's layers).
unsafe impl Send for KvBuf {}
unsafe impl Sync for KvBuf {}

impl KvBuf {
    pub(crate) fn of(v: &mut [f32]) -> Self {
        KvBuf { ptr: v.as_mut_ptr(), len: v.len() }
    }

    /// Copy `src` to positions `at..`. No other thread may touch that range meanwhile.
    unsafe fn write(&self, at: usize, src: &[f32]) {
        assert!(at + src.len() <= self.len, "KV cache write out of bounds");
        std::ptr::copy_nonoverlapping(src.as_ptr(), self.ptr.add(at), src.len());
    }

    /// Positions `at..at + n`. No other thread may write that range while the slice lives.
    unsafe fn read(&self, at: usize, n: usize) -> &[f32] {
        assert!(at + n <= self.len, "KV cache read out of bounds");
        std::slice::from_raw_parts(self.ptr.add(at), n)
    }
}

impl Model {
    /// `steps` (at positions `pos`) through every layer, writing their keys and values into `kv`
    /// (one pair per layer, `(capacity, kv width)` per slot) and the wanted rows' logits into
    /// `s.logits`. Each layer writes all its keys and values before any row attends, so a slot fed
    /// several tokens at once (prefill) sees them in order.
    pub(crate) fn forward_rows(
        &self,
        s: &mut Scratch,
        kv: &[(KvBuf, KvBuf)],
        (cap, kvw): (usize, usize),
        steps: &[StepToken],
        pos: &[usize],
        threads: Threads,
    ) -> Result<(), ModelError> {
        let c = &self.cfg;
        let (n, d, f, w) = (steps.len(), c.d_model, c.ffn_dim, self.qkv_width());
        let a = c.n_heads * c.head_dim;
        let lin = |out: &mut [f32], x: &[f32], r: &std::ops::Range<usize>, dims, write| match (threads, self.matrix(r))
        {
            (Threads::Pool, Matrix::F32(wt)) => linear(out, x, wt, dims, write),
            (Threads::Pool, Matrix::Bf16(wt)) => linear(out, x, wt, dims, write),
            (Threads::Caller, Matrix::F32(wt)) => linear_serial(out, x, wt, dims, write),
            (Threads::Caller, Matrix::Bf16(wt)) => linear_serial(out, x, wt, dims, write),
        };
        let norm = |h: &mut [f32], r: &mut [f32], x: &[f32], wt: &[f32]| match threads {
            Threads::Pool => rms_norm(h, r, x, wt, c.rms_eps),
            Threads::Caller => {
                for ((h, r), x) in h.chunks_mut(d).zip(r.iter_mut()).zip(x.chunks(d)) {
                    *r = rms_norm_row(h, x, wt, c.rms_eps);
                }
            }
        };
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
        for (lr, (kb, vb)) in self.layout.layers.iter().zip(kv) {
            norm(&mut s.h, &mut s.r, &s.x, &self.vector(&lr.input_norm));
            lin(&mut s.qkv, &s.h, &lr.qkv, (n, d, w), Write::Set);
            let bias = self.vector(&lr.qkv_bias);
            let gains = c.qk_norm.then(|| (self.vector(&lr.q_norm), self.vector(&lr.k_norm)));
            let qk_norm = gains.as_ref().map(|(q, k)| self.qk_norm_with(q, k));
            for (i, row) in s.qkv.chunks_mut(w).enumerate() {
                for (x, b) in row.iter_mut().zip(bias.iter()) {
                    *x += b;
                }
                if let Some(norm) = &qk_norm {
                    norm.forward(row, w);
                }
                for head in row[..(c.n_heads + c.n_kv_heads) * c.head_dim].chunks_mut(c.head_dim) {
                    self.rope.rotate(head, pos[i], false);
                }
                let at = (steps[i].slot * cap + pos[i]) * kvw;
                // SAFETY: this call owns the slot's region (see `KvBuf`); nothing reads it yet.
                unsafe {
                    kb.write(at, &row[a..a + kvw]);
                    vb.write(at, &row[a + kvw..a + 2 * kvw]);
                }
            }
            let qkv = &s.qkv;
            let attend = |i: usize, out: &mut [f32], scores: &mut Vec<f32>| {
                let (base, len) = (steps[i].slot * cap * kvw, (pos[i] + 1) * kvw);
                // SAFETY: the layer's keys and values were all written above; only reads follow.
                let (keys, values) = unsafe { (kb.read(base, len), vb.read(base, len)) };
                self.attend_one(out, &qkv[i * w..i * w + a], keys, values, scores);
            };
            match threads {
                Threads::Pool => {
                    s.att.par_chunks_mut(a).enumerate().for_each_init(Vec::new, |sc, (i, out)| attend(i, out, sc))
                }
                Threads::Caller => {
                    let mut scores = Vec::new();
                    s.att.chunks_mut(a).enumerate().for_each(|(i, out)| attend(i, out, &mut scores));
                }
            }
            lin(&mut s.x, &s.att, &lr.o, (n, a, d), Write::Add);
            norm(&mut s.h, &mut s.r, &s.x, &self.vector(&lr.post_norm));
            lin(&mut s.gu, &s.h, &lr.gate_up, (n, d, 2 * f), Write::Set);
            match threads {
                Threads::Pool => swiglu(&mut s.act, &s.gu, f),
                Threads::Caller => s.act.chunks_mut(f).zip(s.gu.chunks(2 * f)).for_each(|(o, gu)| swiglu_row(o, gu)),
            }
            lin(&mut s.x, &s.act, &lr.down, (n, f, d), Write::Add);
        }
        s.wanted.clear();
        s.wanted.extend((0..n).filter(|&i| steps[i].want_logits));
        let nw = s.wanted.len();
        resize(&mut s.hf, nw * d);
        let norm = self.vector(&self.layout.final_norm);
        for (row, &i) in s.hf.chunks_mut(d).zip(&s.wanted) {
            rms_norm_row(row, &s.x[i * d..(i + 1) * d], &norm, c.rms_eps);
        }
        resize(&mut s.logits, nw * c.vocab_size);
        lin(&mut s.logits, &s.hf, &self.layout.lm_head, (nw, d, c.vocab_size), Write::Set);
        Ok(())
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
