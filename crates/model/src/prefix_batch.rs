//! A training batch in which sequences that share a prompt hold it once: GRPO's G completions of
//! one problem go through the update as one prompt and G completions, each completion's rows
//! attending to the shared prompt rows and to its own earlier rows.
//!
//! Why: in the padded `(batch × seq)` grid every completion carries its own copy of the prompt,
//! and every copy computes the same activations (causal attention: a prompt row sees only the
//! prompt). Storing it once removes `(G − 1)/G` of the prompt positions from the forward and the
//! backward (the prompt's gradient is the sum of what each completion sends back into it), and
//! the rows are packed, so no position is padding. This is the "shared prefix" or tree attention
//! of inference engines' prefix caches, applied to the training pass; TRL pads every sequence to
//! the batch's longest and repeats the prompt G times.
//!
//! Layout: groups one after another; a group's rows are its prompt, then each completion in
//! turn. [`crate::prefix_attention`] computes attention over it; everything else in the layer is
//! row by row and needs only each row's token and position.

/// One prompt and the completions that continue it, as rows of a [`PrefixBatch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixGroup {
    /// The group's first row (its prompt's first token).
    pub start: usize,
    /// Prompt rows: `start .. start + prompt_len`.
    pub prompt_len: usize,
    /// Each completion's first row and length; completions follow the prompt, in order.
    pub completions: Vec<(usize, usize)>,
}

impl PrefixGroup {
    /// Rows of the whole group.
    pub fn rows(&self) -> usize {
        self.prompt_len + self.completions.iter().map(|c| c.1).sum::<usize>()
    }

    /// Floats of attention probabilities per head: the prompt's causal `P × P` block, and per
    /// completion of length `L` an `L × (P + L)` block (prompt columns, then its own).
    pub fn probs_per_head(&self) -> usize {
        let p = self.prompt_len;
        p * p + self.completions.iter().map(|&(_, l)| l * (p + l)).sum::<usize>()
    }
}

/// Rows of several prompt groups, packed without padding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrefixBatch {
    /// Every row's token.
    pub tokens: Vec<u32>,
    /// Every row's position in its own sequence (a completion's rows continue from its prompt).
    pub positions: Vec<usize>,
    pub groups: Vec<PrefixGroup>,
}

impl PrefixBatch {
    /// Groups of `(prompt, completions)`; a prompt must not be empty.
    pub fn new<'a>(groups: impl IntoIterator<Item = (&'a [u32], Vec<&'a [u32]>)>) -> Self {
        let mut b = PrefixBatch::default();
        for (prompt, completions) in groups {
            let start = b.tokens.len();
            b.tokens.extend_from_slice(prompt);
            b.positions.extend(0..prompt.len());
            let mut spans = Vec::with_capacity(completions.len());
            for c in completions {
                spans.push((b.tokens.len(), c.len()));
                b.tokens.extend_from_slice(c);
                b.positions.extend(prompt.len()..prompt.len() + c.len());
            }
            b.groups.push(PrefixGroup { start, prompt_len: prompt.len(), completions: spans });
        }
        b
    }

    /// Rows in the batch.
    pub fn rows(&self) -> usize {
        self.tokens.len()
    }

    /// The longest sequence (prompt and one completion) in the batch.
    pub fn longest(&self) -> usize {
        self.groups
            .iter()
            .map(|g| g.prompt_len + g.completions.iter().map(|c| c.1).max().unwrap_or(0))
            .max()
            .unwrap_or(0)
    }

    /// The row whose logits predict token `k` of completion `c` of group `g`: the prompt's last
    /// row for the first token (shared by every completion of the group), else the row before.
    pub fn predicting_row(&self, g: usize, c: usize, k: usize) -> usize {
        let group = &self.groups[g];
        if k == 0 {
            group.start + group.prompt_len - 1
        } else {
            group.completions[c].0 + k - 1
        }
    }

    /// Every completion in order (group by group), as the `(logit row, token)` pairs that score
    /// it: token `k` of completion `c` of group `g` on [`Self::predicting_row`]`(g, c, k)`.
    pub fn scored_tokens(&self) -> impl Iterator<Item = impl Iterator<Item = (usize, u32)> + '_> + '_ {
        self.groups.iter().enumerate().flat_map(move |(g, group)| {
            group.completions.iter().enumerate().map(move |(c, &(start, len))| {
                (0..len).map(move |k| (self.predicting_row(g, c, k), self.tokens[start + k]))
            })
        })
    }

    /// A one-line reason the layout is unusable, if it is (empty prompt, rows out of order).
    pub fn check(&self) -> Result<(), String> {
        if self.positions.len() != self.tokens.len() {
            return Err(format!("{} positions for {} tokens", self.positions.len(), self.tokens.len()));
        }
        let mut next = 0;
        for (i, g) in self.groups.iter().enumerate() {
            if g.prompt_len == 0 {
                return Err(format!("group {i} has an empty prompt"));
            }
            let mut row = g.start + g.prompt_len;
            if g.start != next || g.completions.iter().any(|&(s, l)| std::mem::replace(&mut row, s + l) != s) {
                return Err(format!("group {i}'s rows are not packed in order"));
            }
            next = g.start + g.rows();
        }
        if next != self.tokens.len() {
            return Err(format!("the groups cover {next} of {} rows", self.tokens.len()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_pack_a_prompt_once_and_its_completions_after_it() {
        let (p1, p2) = ([7u32, 8, 9], [5u32]);
        let b = PrefixBatch::new([(&p1[..], vec![&[1u32, 2][..], &[3][..]]), (&p2[..], vec![&[4u32, 4, 4][..]])]);
        assert_eq!(b.tokens, [7, 8, 9, 1, 2, 3, 5, 4, 4, 4]);
        assert_eq!(b.positions, [0, 1, 2, 3, 4, 3, 0, 1, 2, 3]);
        assert_eq!(b.groups[0].completions, [(3, 2), (5, 1)]);
        assert_eq!(b.groups[1], PrefixGroup { start: 6, prompt_len: 1, completions: vec![(7, 3)] });
        assert_eq!((b.predicting_row(0, 1, 0), b.predicting_row(0, 0, 1), b.predicting_row(1, 0, 2)), (2, 3, 8));
        assert_eq!(b.longest(), 5);
        let scored: Vec<Vec<(usize, u32)>> = b.scored_tokens().map(Iterator::collect).collect();
        assert_eq!(scored, [vec![(2, 1), (3, 2)], vec![(2, 3)], vec![(6, 4), (7, 4), (8, 4)]]);
        assert_eq!(b.groups[0].probs_per_head(), 9 + 2 * 5 + 4);
        assert!(b.check().is_ok());
        let mut bad = b.clone();
        bad.groups[1].start = 5;
        assert!(bad.check().is_err());
    }
}
