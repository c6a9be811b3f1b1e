//! One decode step over a ragged batch: give each new token its position, check every slot has
//! room, and run the step on the path that suits it — row groups (`decode_rows`) for a decode
//! step of many distinct sequences on several threads, the per-operation path (`infer`) for
//! prefill and small steps. The two paths' logits agree bit for bit up to 128 rows (see `layer`).

use crate::decode_rows::eligible;
use crate::error::ModelError;
use crate::infer::{KvBuf, KvCache, StepToken, Threads};
use crate::model::Model;

impl Model {
    /// Feed `steps` through the model, appending to each slot's cache in order, and return the
    /// logits `(#wanted, vocab)` of the steps marked `want_logits`, in order. The logits live in
    /// the cache's scratch space until the next call.
    pub fn forward_step<'c>(&self, cache: &'c mut KvCache, steps: &[StepToken]) -> Result<&'c [f32], ModelError> {
        let c = &self.cfg;
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
        let pos = std::mem::take(&mut s.pos);
        let geometry = (cache.capacity, cache.kv_width);
        let kv: Vec<(KvBuf, KvBuf)> = cache.layers.iter_mut().map(|(k, v)| (KvBuf::of(k), KvBuf::of(v))).collect();
        let done = match eligible(steps, cache.lens.len(), self.weight_bytes(), &mut cache.seen) {
            Some(groups) => {
                let (row_scratch, logits) = (&mut cache.row_scratch, &mut cache.scratch.logits);
                self.decode_row_groups(row_scratch, &kv, geometry, steps, &pos, groups, logits)
            }
            None => self.forward_rows(&mut cache.scratch, &kv, geometry, steps, &pos, Threads::Pool),
        };
        cache.scratch.pos = pos;
        done?;
        std::mem::swap(&mut cache.lens, &mut cache.scratch.next_lens);
        Ok(&cache.scratch.logits)
    }
}
