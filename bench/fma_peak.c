/* The machine's f32 FMA peak, for reading `deepthink bench --grpo`'s throughputs against it
 * (docs/r1-zero.md "A profile on the Intel VM"): 12 independent AVX-512 FMA chains, enough to
 * cover the FMA latency on two ports. Run one copy for a core, two at once for both:
 *   gcc -O3 -mavx512f -mfma bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
 *   (/tmp/fma_peak & /tmp/fma_peak & wait)
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

int main(void) {
    __m512 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps(i * 0.001f);
    const __m512 b = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(0.0001f);
    const long n = 200000000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long s = 0; s < n; s++)
        for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(acc[i], b, c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    float keep = 0;
    for (int i = 0; i < 12; i++) keep += _mm512_reduce_add_ps(acc[i]);
    printf("%.1f GFLOP/s on one core (checksum %f)\n", n * 12.0 * 32 / secs / 1e9, keep);
    return 0;
}
