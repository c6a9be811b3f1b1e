//! Decode steps on independent rows, one row group per thread.
//!
//! In a decode step every sequence feeds one token, and its row needs nothing from any other row
//! at any layer: the weights are shared read-only, and attention reads only that sequence's own
//! cached keys and values. So instead of parallelising each of the ~9 operations of each layer
//! (and synchronising the threads after each, ~33 times per token on the default model — a tenth
//! of a GRPO step's time went to those wake-ups), the rows are split into one contiguous group per
//! thread and each group runs the whole layer stack on its own, with single-threaded kernels.
//! For steps of up to 128 rows the arithmetic per row is the same as [`Model::forward_step`]'s
//! other path (same kernels, same order), so the two give the same logits bit for bit; above 128
//! rows that path switches its products to `gemm`, and the two agree to rounding. Prefill, where a sequence feeds several tokens that
//! attend to each other, keeps the per-operation path.

use rayon::prelude::*;

use crate::error::ModelError;
use crate::infer::{KvCache, Scratch, StepToken};
use crate::matmul::{linear_serial, Write};
use crate::model::Model;
use crate::ops::{rms_norm_row, swiglu_row};

/// A cache buffer shared by the row groups; each writes and reads only its own slots' regions.
#[derive(Clone, Copy)]
struct SharedBuf {
    ptr: *mut f32,
    len: usize,
}
// SAFETY: row groups touch disjoint slot regions of the buffer (slots are distinct, checked by
// `eligible`), and the buffer outlives the parallel section.
unsafe impl Send for SharedBuf {}
unsafe impl Sync for SharedBuf {}

impl SharedBuf {
    /// Positions `at..at + n` of the buffer. Callers keep concurrent ranges disjoint.
    #[allow(clippy::mut_from_ref)]
    unsafe fn range(&self, at: usize, n: usize) -> &mut [f32] {
        assert!(at + n <= self.len, "KV cache range out of bounds");
        std::slice::from_raw_parts_mut(self.ptr.add(at), n)
    }
}

/// Row groups to use for `steps` (`None`: use the per-operation path): more than one thread,
/// at least 4 rows per thread, and no slot fed twice (a decode step, not a prefill).
pub(crate) fn eligible(steps: &[StepToken], n_slots: usize, seen: &mut Vec<bool>) -> Option<usize> {
    let threads = rayon::current_num_threads();
    if threads < 2 || steps.len() < 4 * threads {
        return None;
    }
    seen.clear();
    seen.resize(n_slots, false);
    for st in steps {
        if std::mem::replace(&mut seen[st.slot], true) {
            return None;
        }
    }
    Some(threads)
}

impl Model {
    /// Feed one token per distinct slot in `groups` row groups; `pos[i]` is step `i`'s position.
    /// The logits of the wanted steps end up in `out_logits`, in step order.
    pub(crate) fn decode_row_groups(
        &self,
        cache: &mut KvCache,
        steps: &[StepToken],
        pos: &[usize],
        groups: usize,
        out_logits: &mut Vec<f32>,
    ) -> Result<(), ModelError> {
        let per = steps.len().div_ceil(groups);
        let (cap, kvw) = (cache.capacity, cache.kv_width);
        let bufs: Vec<(SharedBuf, SharedBuf)> = cache
            .layers
            .iter_mut()
            .map(|(k, v)| {
                (SharedBuf { ptr: k.as_mut_ptr(), len: k.len() }, SharedBuf { ptr: v.as_mut_ptr(), len: v.len() })
            })
            .collect();
        cache.row_scratch.resize_with(groups, Scratch::default);
        cache
            .row_scratch
            .par_iter_mut()
            .zip(steps.par_chunks(per).zip(pos.par_chunks(per)))
            .try_for_each(|(ws, (st, ps))| self.decode_group(&bufs, (cap, kvw), st, ps, ws))?;
        out_logits.clear();
        for ws in cache.row_scratch.iter().take(steps.len().div_ceil(per)) {
            out_logits.extend_from_slice(&ws.logits);
        }
        Ok(())
    }

    /// One row group through every layer, single-threaded.
    fn decode_group(
        &self,
        bufs: &[(SharedBuf, SharedBuf)],
        (cap, kvw): (usize, usize),
        steps: &[StepToken],
        pos: &[usize],
        s: &mut Scratch,
    ) -> Result<(), ModelError> {
        let c = &self.cfg;
        let (n, d, f, w) = (steps.len(), c.d_model, c.ffn_dim, self.qkv_width());
        let a = c.n_heads * c.head_dim;
        s.tokens.clear();
        s.tokens.extend(steps.iter().map(|st| st.token));
        for (buf, len) in [(&mut s.x, n * d), (&mut s.h, n * d), (&mut s.qkv, n * w), (&mut s.att, n * a)] {
            buf.resize(len, 0.0);
        }
        s.gu.resize(n * 2 * f, 0.0);
        s.act.resize(n * f, 0.0);
        self.embed(&mut s.x, &s.tokens)?;
        let p = &self.params;
        let mut scores = Vec::new();
        for (lr, (kb, vb)) in self.layout.layers.iter().zip(bufs) {
            let norm = &p[lr.input_norm.clone()];
            for (h, x) in s.h.chunks_mut(d).zip(s.x.chunks(d)) {
                rms_norm_row(h, x, norm, c.rms_eps);
            }
            linear_serial(&mut s.qkv, &s.h, &p[lr.qkv.clone()], (n, d, w), Write::Set);
            let bias = &p[lr.qkv_bias.clone()];
            for (i, row) in s.qkv.chunks_mut(w).enumerate() {
                for (x, b) in row.iter_mut().zip(bias) {
                    *x += b;
                }
                for head in row[..(c.n_heads + c.n_kv_heads) * c.head_dim].chunks_mut(c.head_dim) {
                    self.rope.rotate(head, pos[i], false);
                }
                let base = steps[i].slot * cap * kvw;
                // SAFETY: this group owns slot `steps[i].slot` (slots are distinct across groups).
                let (keys, values) =
                    unsafe { (kb.range(base, (pos[i] + 1) * kvw), vb.range(base, (pos[i] + 1) * kvw)) };
                let at = pos[i] * kvw;
                keys[at..at + kvw].copy_from_slice(&row[a..a + kvw]);
                values[at..at + kvw].copy_from_slice(&row[a + kvw..a + 2 * kvw]);
                self.attend_one(&mut s.att[i * a..(i + 1) * a], &row[..a], keys, values, &mut scores);
            }
            linear_serial(&mut s.x, &s.att, &p[lr.o.clone()], (n, a, d), Write::Add);
            let norm = &p[lr.post_norm.clone()];
            for (h, x) in s.h.chunks_mut(d).zip(s.x.chunks(d)) {
                rms_norm_row(h, x, norm, c.rms_eps);
            }
            linear_serial(&mut s.gu, &s.h, &p[lr.gate_up.clone()], (n, d, 2 * f), Write::Set);
            for (o, gu) in s.act.chunks_mut(f).zip(s.gu.chunks(2 * f)) {
                swiglu_row(o, gu);
            }
            linear_serial(&mut s.x, &s.act, &p[lr.down.clone()], (n, f, d), Write::Add);
        }
        s.wanted.clear();
        s.wanted.extend((0..n).filter(|&i| steps[i].want_logits));
        let nw = s.wanted.len();
        s.hf.resize(nw * d, 0.0);
        let norm = &p[self.layout.final_norm.clone()];
        for (row, &i) in s.hf.chunks_mut(d).zip(&s.wanted) {
            rms_norm_row(row, &s.x[i * d..(i + 1) * d], norm, c.rms_eps);
        }
        s.logits.resize(nw * c.vocab_size, 0.0);
        linear_serial(&mut s.logits, &s.hf, &p[self.layout.lm_head.clone()], (nw, d, c.vocab_size), Write::Set);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::infer::{KvCache, StepToken};
    use crate::{Model, ModelConfig, ModelShape};

    /// Prefill 12 sequences of different lengths, then decode 3 tokens for all of them; the
    /// logits of every decode step.
    fn decode_logits(model: &Model, threads: usize) -> Vec<Vec<f32>> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut cache = KvCache::new(model, 12, 64);
            let prefill: Vec<StepToken> = (0..12)
                .flat_map(|slot| {
                    (0..3 + slot % 5).map(move |t| StepToken {
                        slot,
                        token: ((t * 7 + slot * 3) % 50 + 1) as u32,
                        want_logits: false,
                    })
                })
                .collect();
            model.forward_step(&mut cache, &prefill).unwrap();
            (0..3)
                .map(|step| {
                    let steps: Vec<StepToken> = (0..12)
                        .map(|slot| StepToken {
                            slot,
                            token: ((slot * 5 + step) % 50 + 1) as u32,
                            want_logits: slot % 4 != 1,
                        })
                        .collect();
                    model.forward_step(&mut cache, &steps).unwrap().to_vec()
                })
                .collect()
        })
    }

    #[test]
    fn row_groups_give_the_per_operation_paths_logits_bit_for_bit() {
        let cfg = ModelConfig::from_shape(&ModelShape::default(), 61).unwrap();
        let model = Model::new_random(cfg, 3);
        let one = decode_logits(&model, 1); // one thread: the per-operation path
        assert_eq!(one[0].len(), 9 * 61);
        for threads in [2, 3] {
            assert_eq!(decode_logits(&model, threads), one, "{threads} row groups");
        }
    }
}
