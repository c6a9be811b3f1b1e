//! The training pass over a prefix batch (each prompt once, its completions after it) against the
//! padded grid in which every completion carries its own copy of the prompt: the same logits at
//! every row, and the same gradient for every parameter when the prompt's copies' gradients sum
//! to the shared prompt's.

mod common;

use deepthink_model::prefix_batch::PrefixBatch;
use deepthink_model::train_pass::Tape;

#[test]
fn a_shared_prompt_gives_the_grid_logits_and_gradients() {
    for (qkv_bias, tie) in [(false, false), (true, true)] {
        let m = common::tiny(qkv_bias, tie, 5);
        let v = m.cfg.vocab_size;
        let prompts: [&[u32]; 2] = [&[1, 2, 3, 4], &[5, 6]];
        let completions: [Vec<&[u32]>; 2] = [vec![&[7, 8, 9], &[7], &[9, 9, 9, 9, 9]], vec![&[3, 3]]];
        let b = PrefixBatch::new(prompts.iter().copied().zip(completions.iter().cloned()));
        let mut tape = Tape::default();
        let logits = m.forward_train_prefix(&b, &mut tape).unwrap();
        assert_eq!(logits.len(), b.rows() * v);
        // d loss / d logits: a fixed pattern on every row that predicts a completion token.
        let dl = |row_seed: usize, j: usize| ((row_seed * 31 + j * 7) % 13) as f32 / 13.0 - 0.5;
        let mut dlogits = vec![0.0f32; logits.len()];
        // The grid: one row of `t` positions per completion, its prompt copied in front.
        let seqs: Vec<(usize, usize)> = (0..2).flat_map(|g| (0..completions[g].len()).map(move |c| (g, c))).collect();
        let t = seqs.iter().map(|&(g, c)| prompts[g].len() + completions[g][c].len()).max().unwrap();
        let mut grid = vec![0u32; seqs.len() * t];
        let mut grid_dlogits = vec![0.0f32; seqs.len() * t * v];
        let mut row_of = Vec::new(); // (grid row, prefix row) for every real grid position
        for (i, &(g, c)) in seqs.iter().enumerate() {
            let (p, comp) = (prompts[g], completions[g][c]);
            let group = &b.groups[g];
            for (k, &tok) in p.iter().chain(comp).enumerate() {
                grid[i * t + k] = tok;
                let prefix_row = if k < p.len() { group.start + k } else { group.completions[c].0 + k - p.len() };
                row_of.push((i * t + k, prefix_row));
            }
            for k in 0..comp.len() {
                // the gradient on the logits predicting completion token k, from row `k − 1`
                let (grid_row, prefix_row) = (i * t + p.len() + k - 1, b.predicting_row(g, c, k));
                for j in 0..v {
                    let x = dl(i * 100 + k, j);
                    grid_dlogits[grid_row * v + j] = x;
                    dlogits[prefix_row * v + j] += x;
                }
            }
        }
        let (grid_logits, mut grid_tape) = m.forward_train(&grid, seqs.len(), t).unwrap();
        for &(gr, pr) in &row_of {
            for j in 0..v {
                let (x, y) = (logits[pr * v + j], grid_logits[gr * v + j]);
                assert!((x - y).abs() < 1e-5 * (1.0 + y.abs()), "row {pr}, logit {j}: {x} vs {y}");
            }
        }
        let mut grads = vec![0.0; m.n_params()];
        m.backward(&mut tape, &dlogits, &mut grads);
        let mut want = vec![0.0; m.n_params()];
        m.backward(&mut grid_tape, &grid_dlogits, &mut want);
        let scale = want.iter().fold(0.0f32, |a, x| a.max(x.abs()));
        assert!(scale > 1e-3, "the gradient carries signal");
        for e in &m.layout.entries {
            for i in e.range.clone() {
                assert!(
                    (grads[i] - want[i]).abs() < 2e-5 * scale,
                    "bias={qkv_bias} tie={tie} {} [{}]: {} vs {}",
                    e.name,
                    i - e.range.start,
                    grads[i],
                    want[i]
                );
            }
        }
    }
}

#[test]
fn a_malformed_prefix_batch_is_refused_with_a_reason() {
    let m = common::tiny(false, false, 1);
    let mut b = PrefixBatch::new([(&[1u32, 2][..], vec![&[3u32][..]])]);
    b.groups[0].prompt_len = 0;
    let err = m.forward_train_prefix(&b, &mut Tape::default()).unwrap_err().to_string();
    assert!(err.contains("empty prompt"), "{err}");
    let long: Vec<u32> = vec![1; 200];
    let b = PrefixBatch::new([(&long[..], vec![&[3u32][..]])]);
    let err = m.forward_train_prefix(&b, &mut Tape::default()).unwrap_err().to_string();
    assert!(err.contains("max_seq_len"), "{err}");
}
