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
        let last = (r.wrapping_sub(1)).checked_mul(self.rs).zip((c.wrapping_sub(1)).checked_mul(self.cs));
        r == 0 || c == 0 || last.and_then(|(a, b)| a.checked_add(b)).is_some_and(|l| l < self.data.len())
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
    assert!(m == 1 || out_rs >= n, "gemm output rows overlap");
    let end = (m - 1).checked_mul(out_rs).and_then(|o| o.checked_add(n));
    assert!(end.is_some_and(|end| out.len() >= end), "gemm output out of bounds");
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

/// At most this many rows go through [`linear_rows`] instead of `gemm`. 128 covers a GRPO step's
/// 16 × 8 sequences decoding together: raising it from 64 cut that generation from 0.27 to 0.25 s
/// (`deepthink bench --grpo`).
const SMALL_M: usize = 128;

/// `out (m×n) (+)= x (m×k) · Wᵀ` for a weight stored `[n, k]` (a `Linear` layer), in F32 or
/// BF16 ([`WeightElem`]).
pub fn linear<W: WeightElem>(out: &mut [f32], x: &[f32], w: &[W], (m, k, n): (usize, usize, usize), write: Write) {
    if m <= SMALL_M && k % 8 == 0 && x.len() >= m * k && w.len() >= n * k {
        linear_rows(out, x, w, (m, k, n), write);
    } else {
        W::gemm_linear(out, x, w, (m, k, n), write, true);
    }
}

/// [`linear`] on the calling thread only, for a caller that is already one of several parallel
/// tasks (the row groups of `decode_rows`). Each output is computed exactly as `linear` computes it.
pub fn linear_serial<W: WeightElem>(
    out: &mut [f32],
    x: &[f32],
    w: &[W],
    (m, k, n): (usize, usize, usize),
    write: Write,
) {
    if m <= SMALL_M && k % 8 == 0 && x.len() >= m * k && w.len() >= n * k {
        assert!(out.len() >= m * n, "linear_serial out of bounds");
        rows_block(SendPtr(out.as_mut_ptr()), x, w, (m, k, n), 0..n, write);
    } else {
        W::gemm_linear(out, x, w, (m, k, n), write, false);
    }
}

/// `linear` for few rows (decoding), in dot-product form: every output is `x_i · w_j`, both
/// contiguous, so the weights are read straight from the checkpoint layout. `gemm` would pack
/// (copy) the whole weight matrix on every call — at 64 rows that packing cost as much as the
/// arithmetic. Tiles of 2 rows × 4 weight rows keep 8 vector accumulators in registers; work is
/// split over weight rows so each thread streams its own part of `W` once.
pub fn linear_rows<W: WeightElem>(out: &mut [f32], x: &[f32], w: &[W], (m, k, n): (usize, usize, usize), write: Write) {
    assert!(k % 8 == 0, "linear_rows needs k to be a multiple of 8, got {k}");
    assert!(x.len() >= m * k && w.len() >= n * k && out.len() >= m * n, "linear_rows out of bounds");
    let threads = rayon::current_num_threads();
    let block = if threads > 1 && m * n * k >= PARALLEL_MIN_WORK { n.div_ceil(threads).next_multiple_of(4) } else { n };
    let out_ptr = SendPtr(out.as_mut_ptr());
    let run = |j0: usize| rows_block(out_ptr, x, w, (m, k, n), j0..(j0 + block).min(n), write);
    if block >= n {
        run(0);
    } else {
        use rayon::prelude::*;
        (0..n).step_by(block).collect::<Vec<_>>().into_par_iter().for_each(run);
    }
}

/// A weight element: `f32`, or BF16 (`half::bf16`, what real checkpoints ship), which halves the
/// bytes a memory-bound decode step reads. Products always accumulate in `f32`.
pub trait WeightElem: Copy + Send + Sync + 'static {
    fn to_f32(self) -> f32;
    /// `out (+)= x · Wᵀ` through `gemm` (many rows: prefill, training).
    fn gemm_linear(out: &mut [f32], x: &[f32], w: &[Self], dims: (usize, usize, usize), write: Write, threads: bool);
    /// Eight consecutive weights as one AVX vector.
    ///
    /// # Safety
    /// AVX2 must be available and `p..p+8` readable.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m256;
    /// Sixteen consecutive weights as one AVX-512 vector.
    ///
    /// # Safety
    /// AVX-512F must be available and `p..p+16` readable.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load16(p: *const Self) -> std::arch::x86_64::__m512;
}

impl WeightElem for f32 {
    fn to_f32(self) -> f32 {
        self
    }
    fn gemm_linear(
        out: &mut [f32],
        x: &[f32],
        w: &[f32],
        (m, k, n): (usize, usize, usize),
        write: Write,
        threads: bool,
    ) {
        gemm_into(out, n, View::rows(x, k), View::transposed(w, k), (m, k, n), 1.0, write, threads);
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load8(p: *const f32) -> std::arch::x86_64::__m256 {
        std::arch::x86_64::_mm256_loadu_ps(p)
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load16(p: *const f32) -> std::arch::x86_64::__m512 {
        std::arch::x86_64::_mm512_loadu_ps(p)
    }
}

impl WeightElem for half::bf16 {
    fn to_f32(self) -> f32 {
        half::bf16::to_f32(self)
    }
    /// `gemm` has no BF16 kernel: blocks of weight rows are widened to `f32` (exact) and
    /// multiplied, so the widened copy stays small.
    fn gemm_linear(
        out: &mut [f32],
        x: &[f32],
        w: &[Self],
        (m, k, n): (usize, usize, usize),
        write: Write,
        threads: bool,
    ) {
        const BLOCK_ROWS: usize = 256;
        assert!(w.len() >= n * k && out.len() >= m * n, "linear out of bounds");
        let mut wide = Vec::with_capacity(BLOCK_ROWS.min(n) * k);
        for j0 in (0..n).step_by(BLOCK_ROWS) {
            let nb = BLOCK_ROWS.min(n - j0);
            wide.clear();
            wide.extend(w[j0 * k..(j0 + nb) * k].iter().map(|v| v.to_f32()));
            gemm_into(&mut out[j0..], n, View::rows(x, k), View::transposed(&wide, k), (m, k, nb), 1.0, write, threads);
        }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load8(p: *const half::bf16) -> std::arch::x86_64::__m256 {
        use std::arch::x86_64::*;
        // A BF16 value is the top half of an f32: widen each 16-bit lane and shift it up.
        let h = _mm_loadu_si128(p as *const __m128i);
        _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16))
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load16(p: *const half::bf16) -> std::arch::x86_64::__m512 {
        use std::arch::x86_64::*;
        let h = _mm256_loadu_si256(p as *const __m256i);
        _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16))
    }
}

#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}
impl SendPtr {
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// Columns `cols` of `out`. Concurrent calls get disjoint column ranges, so each element of
/// `out` is written by exactly one call; writes go through the raw pointer (no `&mut` aliasing).
fn rows_block<W: WeightElem>(
    out: SendPtr,
    x: &[f32],
    w: &[W],
    (m, k, n): (usize, usize, usize),
    cols: std::ops::Range<usize>,
    write: Write,
) {
    let store = |at: usize, v: f32| {
        debug_assert!(at < m * n);
        // SAFETY: `at < m·n <= out.len()` (asserted by the caller) and no other call writes `at`.
        unsafe {
            let p = out.get().add(at);
            match write {
                Write::Set => *p = v,
                Write::Add => *p += v,
            }
        }
    };
    // 4 rows a tile where the 512-bit kernel runs (16 accumulators of its 32 registers), else 2
    // (8 of AVX2's 16). A row's outputs do not depend on the tile it lands in. (Both callers
    // ensure `k % 8 == 0`, which the 512-bit kernel needs.)
    #[cfg(target_arch = "x86_64")]
    if simd::avx512_available() {
        return sweep::<4, W>(store, x, w, (m, k, n), cols);
    }
    sweep::<2, W>(store, x, w, (m, k, n), cols)
}

/// `rows_block`'s loop: tiles of `R` rows × 4 weight rows over the columns `cols`, the last rows
/// in tiles of 2 and 1; a partial group of weight rows repeats its last one and stores only the
/// real outputs.
fn sweep<const R: usize, W: WeightElem>(
    store: impl Fn(usize, f32),
    x: &[f32],
    w: &[W],
    (m, k, n): (usize, usize, usize),
    cols: std::ops::Range<usize>,
) {
    let xrow = |i: usize| &x[i * k..(i + 1) * k];
    let mut j = cols.start;
    while j < cols.end {
        let nj = (cols.end - j).min(4);
        let wrow = |t: usize| &w[(j + t.min(nj - 1)) * k..(j + t.min(nj - 1) + 1) * k];
        let ws = [wrow(0), wrow(1), wrow(2), wrow(3)];
        let put = |i: usize, acc: &[[f32; 4]]| {
            for (r, row) in acc.iter().enumerate() {
                for (t, v) in row.iter().enumerate().take(nj) {
                    store((i + r) * n + j + t, *v);
                }
            }
        };
        let mut i = 0;
        while i + R <= m {
            put(i, &tile::<R, W>(std::array::from_fn(|r| xrow(i + r)), ws));
            i += R;
        }
        while i + 2 <= m {
            put(i, &tile::<2, W>([xrow(i), xrow(i + 1)], ws));
            i += 2;
        }
        if i < m {
            put(i, &tile::<1, W>([xrow(i)], ws));
        }
        j += 4;
    }
}

/// Whether the AVX2 + FMA kernels can run on this CPU.
pub(crate) fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    return simd::available();
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Whether the AVX-512F kernels can run on this CPU.
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx512() -> bool {
    simd::avx512_available()
}

/// The transpose-and-add lane sums of the decode tile, for other AVX-512 kernels
/// (`decode_attention`'s scores).
#[cfg(target_arch = "x86_64")]
pub(crate) use simd::{lanes, quad};

/// Dot products of `R` rows of `x` with 4 rows of `W` (all of length `k`, a multiple of 8).
#[inline]
pub(crate) fn tile<const R: usize, W: WeightElem>(xs: [&[f32]; R], ws: [&[W]; 4]) -> [[f32; 4]; R] {
    #[cfg(target_arch = "x86_64")]
    if ws[0].len().is_multiple_of(8) && simd::avx512_available() {
        // SAFETY: the CPU has AVX-512F (checked); every row holds `k` floats, `k % 8 == 0`.
        return unsafe { simd::tile_avx512::<R, W>(xs, ws) };
    }
    #[cfg(target_arch = "x86_64")]
    if simd::available() {
        // SAFETY: the CPU has AVX2 and FMA (checked); every row holds `k` floats, `k % 8 == 0`.
        return unsafe { simd::tile_avx2::<R, W>(xs, ws) };
    }
    std::array::from_fn(|r| std::array::from_fn(|t| xs[r].iter().zip(ws[t]).map(|(a, b)| a * b.to_f32()).sum()))
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;
    use std::sync::OnceLock;

    pub fn available() -> bool {
        static AVX2_FMA: OnceLock<bool> = OnceLock::new();
        *AVX2_FMA.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
    }

    /// Whether the 512-bit kernel can run: on CPUs with two 512-bit FMA units (Intel Xeon) it
    /// halves the instructions of a decode step's products; where AVX-512 is double-pumped
    /// 256-bit (AMD Zen 4) it was measured level with the AVX2 kernel (docs/results.md §10).
    pub fn avx512_available() -> bool {
        static AVX512: OnceLock<bool> = OnceLock::new();
        *AVX512.get_or_init(|| is_x86_feature_detected!("avx512f"))
    }

    /// # Safety
    /// AVX-512F must be available; all rows must have the same length, a multiple of 8.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn tile_avx512<const R: usize, W: super::WeightElem>(xs: [&[f32]; R], ws: [&[W]; 4]) -> [[f32; 4]; R] {
        let k = ws[0].len();
        let mut acc = [[_mm512_setzero_ps(); 4]; R];
        let mut c = 0;
        while c + 16 <= k {
            let wv = [
                W::load16(ws[0].as_ptr().add(c)),
                W::load16(ws[1].as_ptr().add(c)),
                W::load16(ws[2].as_ptr().add(c)),
                W::load16(ws[3].as_ptr().add(c)),
            ];
            for r in 0..R {
                let xv = _mm512_loadu_ps(xs[r].as_ptr().add(c));
                for t in 0..4 {
                    acc[r][t] = _mm512_fmadd_ps(xv, wv[t], acc[r][t]);
                }
            }
            c += 16;
        }
        if c < k {
            // The last 8 (k = 344, the default shape's MLP width): the upper lanes multiply zeros.
            let wv = [
                _mm512_zextps256_ps512(W::load8(ws[0].as_ptr().add(c))),
                _mm512_zextps256_ps512(W::load8(ws[1].as_ptr().add(c))),
                _mm512_zextps256_ps512(W::load8(ws[2].as_ptr().add(c))),
                _mm512_zextps256_ps512(W::load8(ws[3].as_ptr().add(c))),
            ];
            for r in 0..R {
                let xv = _mm512_zextps256_ps512(_mm256_loadu_ps(xs[r].as_ptr().add(c)));
                for t in 0..4 {
                    acc[r][t] = _mm512_fmadd_ps(xv, wv[t], acc[r][t]);
                }
            }
        }
        reduce_rows(&acc)
    }

    /// Lane sums of `R × 4` accumulators, reduced together instead of one `_mm512_reduce_add_ps`
    /// each: a transpose-and-add tree (2 shuffles and an add per step) halves the number of
    /// vectors at every level, ~3 instructions a sum against ~8. Every accumulator's 16 lanes are
    /// added in the same order whatever `R` is and wherever it sits in the tile, so a row's
    /// result does not depend on the tile it was computed in.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn reduce_rows<const R: usize>(acc: &[[__m512; 4]; R]) -> [[f32; 4]; R] {
        let zero = _mm512_setzero_ps();
        let mut out = [[0.0f32; 4]; R];
        let mut sums = [0.0f32; 16];
        let mut r = 0;
        while r < R {
            let (total, done) = match R - r {
                1 => (lanes(lanes(quad(&acc[r]), zero), zero), 1),
                2 | 3 => (lanes(lanes(quad(&acc[r]), quad(&acc[r + 1])), zero), 2),
                _ => {
                    let top = lanes(quad(&acc[r]), quad(&acc[r + 1]));
                    (lanes(top, lanes(quad(&acc[r + 2]), quad(&acc[r + 3]))), 4)
                }
            };
            _mm512_storeu_ps(sums.as_mut_ptr(), total);
            for i in 0..done {
                out[r + i].copy_from_slice(&sums[4 * i..4 * i + 4]);
            }
            r += done;
        }
        out
    }

    /// Four accumulators → per 128-bit lane `[Σ a, Σ b, Σ c, Σ d]` of that lane's four floats.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn quad(v: &[__m512]) -> __m512 {
        let ab = _mm512_castps_pd(_mm512_add_ps(_mm512_unpacklo_ps(v[0], v[1]), _mm512_unpackhi_ps(v[0], v[1])));
        let cd = _mm512_castps_pd(_mm512_add_ps(_mm512_unpacklo_ps(v[2], v[3]), _mm512_unpackhi_ps(v[2], v[3])));
        _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(ab, cd)), _mm512_castpd_ps(_mm512_unpackhi_pd(ab, cd)))
    }

    /// `[x0 + x1, x2 + x3, y0 + y1, y2 + y3]` over 128-bit lanes.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn lanes(x: __m512, y: __m512) -> __m512 {
        _mm512_add_ps(_mm512_shuffle_f32x4::<0b10_00_10_00>(x, y), _mm512_shuffle_f32x4::<0b11_01_11_01>(x, y))
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn hsum(v: __m256) -> f32 {
        let lo = _mm256_castps256_ps128(v);
        let hi = _mm256_extractf128_ps(v, 1);
        let s = _mm_add_ps(lo, hi);
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
        _mm_cvtss_f32(s)
    }

    /// # Safety
    /// AVX2 and FMA must be available; all rows must have the same length, a multiple of 8.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn tile_avx2<const R: usize, W: super::WeightElem>(xs: [&[f32]; R], ws: [&[W]; 4]) -> [[f32; 4]; R] {
        let k = ws[0].len();
        let mut acc = [[_mm256_setzero_ps(); 4]; R];
        let mut c = 0;
        while c + 8 <= k {
            let wv = [
                W::load8(ws[0].as_ptr().add(c)),
                W::load8(ws[1].as_ptr().add(c)),
                W::load8(ws[2].as_ptr().add(c)),
                W::load8(ws[3].as_ptr().add(c)),
            ];
            for r in 0..R {
                let xv = _mm256_loadu_ps(xs[r].as_ptr().add(c));
                for t in 0..4 {
                    acc[r][t] = _mm256_fmadd_ps(xv, wv[t], acc[r][t]);
                }
            }
            c += 8;
        }
        let mut out = [[0.0f32; 4]; R];
        for r in 0..R {
            for t in 0..4 {
                out[r][t] = hsum(acc[r][t]);
            }
        }
        out
    }
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
    fn the_few_row_kernel_matches_gemm() {
        for (m, k, n) in [(1, 8, 1), (3, 16, 7), (64, 64, 130), (5, 256, 9)] {
            let x: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
            let w: Vec<f32> = (0..n * k).map(|i| (i as f32 * 0.11).cos()).collect();
            let mut a = vec![0.5; m * n];
            let mut b = vec![0.5; m * n];
            linear_rows(&mut a, &x, &w, (m, k, n), Write::Add);
            gemm_into(&mut b, n, View::rows(&x, k), View::transposed(&w, k), (m, k, n), 1.0, Write::Add, false);
            for (p, q) in a.iter().zip(&b) {
                assert!((p - q).abs() < 1e-4, "{m}x{k}x{n}: {p} vs {q}");
            }
        }
    }

    #[test]
    fn a_rows_outputs_do_not_depend_on_the_tile_it_lands_in() {
        // k = 344 ends in a half vector; 7 rows make tiles of 4, 2 and 1 where 4-row tiles run.
        for (k, n) in [(344, 9), (32, 6), (128, 5)] {
            let x: Vec<f32> = (0..7 * k).map(|i| (i as f32 * 0.37).sin()).collect();
            let w: Vec<f32> = (0..n * k).map(|i| (i as f32 * 0.11).cos()).collect();
            let mut all = vec![0.0; 7 * n];
            linear_rows(&mut all, &x, &w, (7, k, n), Write::Set);
            for i in 0..7 {
                let mut one = vec![0.0; n];
                linear_rows(&mut one, &x[i * k..(i + 1) * k], &w, (1, k, n), Write::Set);
                assert_eq!(one, all[i * n..(i + 1) * n], "k {k}, row {i}");
            }
            let mut b = vec![0.0; 7 * n];
            gemm_into(&mut b, n, View::rows(&x, k), View::transposed(&w, k), (7, k, n), 1.0, Write::Set, false);
            for (p, q) in all.iter().zip(&b) {
                assert!((p - q).abs() < 1e-3, "k {k}: {p} vs {q}");
            }
        }
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
