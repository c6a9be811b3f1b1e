//! Matrix products over row-major `f32` slices, on the `gemm` crate (the same kernels candle uses).
//!
//! Every product in the model is one of three shapes — `x·Wᵀ` (forward through a
//! `[out, in]` weight), `dY·W` (gradient to the input) and `dYᵀ·X` (gradient to the weight) —
//! plus strided views for attention. `gemm` takes arbitrary strides, so none of these copies
//! or transposes memory. Bounds are checked here once so the `unsafe` call cannot read out of range.

use gemm::Parallelism;

/// A read-only strided view: element `(i, j)` lives at `data[i * rs + j * cs]`.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub data: &'a [f32],
    pub rs: usize,
    pub cs: usize,
}

impl<'a> View<'a> {
    /// A contiguous row-major matrix with `cols` columns.
    pub fn rows(data: &'a [f32], cols: usize) -> Self {
        View { data, rs: cols, cs: 1 }
    }
    /// The transpose of a contiguous row-major matrix with `cols` columns.
    pub fn transposed(data: &'a [f32], cols: usize) -> Self {
        View { data, rs: 1, cs: cols }
    }
    /// A row-major matrix whose rows are `stride` apart (a column block of a wider matrix).
    pub fn strided(data: &'a [f32], stride: usize) -> Self {
        View { data, rs: stride, cs: 1 }
    }
    /// The transpose of a strided row-major matrix.
    pub fn strided_t(data: &'a [f32], stride: usize) -> Self {
        View { data, rs: 1, cs: stride }
    }
    fn fits(&self, r: usize, c: usize) -> bool {
        r == 0 || c == 0 || (r - 1) * self.rs + (c - 1) * self.cs < self.data.len()
    }
}

/// How a product writes its result.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Write {
    /// `out = a·b`
    Set,
    /// `out += a·b`
    Add,
}

/// Products smaller than this many multiply-adds run on the calling thread.
const PARALLEL_MIN_WORK: usize = 1 << 16;

/// `out (m×n, row stride out_rs) (+)= alpha · a (m×k) · b (k×n)`.
///
/// `threads` picks the parallelism; pass `false` from inside a rayon task.
#[allow(clippy::too_many_arguments)]
pub fn gemm_into(
    out: &mut [f32],
    out_rs: usize,
    a: View,
    b: View,
    (m, k, n): (usize, usize, usize),
    alpha: f32,
    write: Write,
    threads: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(a.fits(m, k) && b.fits(k, n), "gemm operand out of bounds");
    assert!(out.len() >= (m - 1) * out_rs + n, "gemm output out of bounds");
    if k == 0 {
        if write == Write::Set {
            for i in 0..m {
                out[i * out_rs..i * out_rs + n].fill(0.0);
            }
        }
        return;
    }
    let par = if threads && m * n * k >= PARALLEL_MIN_WORK && rayon::current_num_threads() > 1 {
        Parallelism::Rayon(rayon::current_num_threads())
    } else {
        Parallelism::None
    };
    // SAFETY: the asserts above keep every addressed element inside its slice; `out` is
    // exclusively borrowed and cannot alias `a` or `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            out_rs as isize,
            write == Write::Add,
            a.data.as_ptr(),
            a.cs as isize,
            a.rs as isize,
            b.data.as_ptr(),
            b.cs as isize,
            b.rs as isize,
            1.0,
            alpha,
            false,
            false,
            false,
            par,
        );
    }
}

/// `out (m×n) (+)= x (m×k) · Wᵀ` for a weight stored `[n, k]` (a `Linear` layer).
pub fn linear(out: &mut [f32], x: &[f32], w: &[f32], (m, k, n): (usize, usize, usize), write: Write) {
    gemm_into(out, n, View::rows(x, k), View::transposed(w, k), (m, k, n), 1.0, write, true);
}

/// `dx (m×k) (+)= dy (m×n) · W` for a weight stored `[n, k]`: the gradient into a `Linear`'s input.
pub fn linear_input_grad(dx: &mut [f32], dy: &[f32], w: &[f32], (m, k, n): (usize, usize, usize), write: Write) {
    gemm_into(dx, k, View::rows(dy, n), View::rows(w, k), (m, n, k), 1.0, write, true);
}

/// `dw (n×k) += dyᵀ (n×m) · x (m×k)`: the gradient into a `Linear`'s weight.
pub fn linear_weight_grad(dw: &mut [f32], dy: &[f32], x: &[f32], (m, k, n): (usize, usize, usize)) {
    gemm_into(dw, k, View::transposed(dy, n), View::rows(x, k), (n, m, k), 1.0, Write::Add, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn transpose(a: &[f32], r: usize, c: usize) -> Vec<f32> {
        let mut t = vec![0.0; r * c];
        for i in 0..r {
            for j in 0..c {
                t[j * r + i] = a[i * c + j];
            }
        }
        t
    }

    #[test]
    fn linear_and_its_gradients_match_naive_products() {
        let (m, k, n) = (7, 5, 3);
        let x: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
        let w: Vec<f32> = (0..n * k).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut y = vec![0.0; m * n];
        linear(&mut y, &x, &w, (m, k, n), Write::Set);
        let want = naive(&x, &transpose(&w, n, k), m, k, n);
        for (a, b) in y.iter().zip(&want) {
            assert!((a - b).abs() < 1e-5);
        }
        let dy: Vec<f32> = (0..m * n).map(|i| (i as f32 * 0.7).sin()).collect();
        let mut dx = vec![1.0; m * k];
        linear_input_grad(&mut dx, &dy, &w, (m, k, n), Write::Add);
        let want = naive(&dy, &w, m, n, k);
        for (a, b) in dx.iter().zip(&want) {
            assert!((a - 1.0 - b).abs() < 1e-5);
        }
        let mut dw = vec![0.0; n * k];
        linear_weight_grad(&mut dw, &dy, &x, (m, k, n));
        let want = naive(&transpose(&dy, m, n), &x, n, m, k);
        for (a, b) in dw.iter().zip(&want) {
            assert!((a - b).abs() < 1e-5);
        }
    }
}
