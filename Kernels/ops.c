#include "kern_ops.h"

#include <math.h>

void kern_rows_rmsnorm(const float *x, const float *w, float *y, int64_t m, int64_t n, float eps) {
    for (int64_t r = 0; r < m; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        double ss = 0;                                   // ggml sums in double (ggml_float)
        for (int64_t i = 0; i < n; i++) ss += (double)xr[i] * xr[i];
        const float scale = 1.0f / sqrtf((float)(ss / n) + eps);
        for (int64_t i = 0; i < n; i++) yr[i] = xr[i] * scale * w[i];
    }
}

void kern_rows_rope(float *x, const int32_t *pos, int64_t m, int n_heads, int head_dim, int rope_dim,
                    float freq_base, const float *freq_factors, int mode) {
    const float theta_scale = powf(freq_base, -2.0f / (float)rope_dim);
    float cache[2 * 512];                                 // [rope_dim/2] (cos, sin) pairs; rope_dim <= 1024
    const int half = rope_dim / 2 <= 512 ? rope_dim / 2 : 512;
    for (int64_t r = 0; r < m; r++) {
        float theta = (float)pos[r];
        for (int i = 0; i < half; i++) {
            const float t = freq_factors ? theta / freq_factors[i] : theta;
            cache[2 * i] = cosf(t);
            cache[2 * i + 1] = sinf(t);
            theta *= theta_scale;
        }
        for (int h = 0; h < n_heads; h++) {
            float *v = x + (r * n_heads + h) * (int64_t)head_dim;
            for (int i = 0; i < half; i++) {
                const float c = cache[2 * i], s = cache[2 * i + 1];
                float *a, *b;
                if (mode == 2) { a = &v[i]; b = &v[i + half]; }
                else { a = &v[2 * i]; b = &v[2 * i + 1]; }
                const float x0 = *a, x1 = *b;
                *a = x0 * c - x1 * s;
                *b = x0 * s + x1 * c;
            }
        }
    }
}

void kern_swiglu(const float *gate, const float *up, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float g = gate[i];
        out[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

void kern_vec_add(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
}

void kern_rows_add_bias(const float *b, float *y, int64_t m, int64_t n) {
    for (int64_t r = 0; r < m; r++) {
        for (int64_t i = 0; i < n; i++) y[r * n + i] += b[i];
    }
}

float kern_softmax(float *x, int64_t n) {
    float mx = -INFINITY;
    for (int64_t i = 0; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        const float e = expf(x[i] - mx);
        x[i] = e;
        sum += e;
    }
    const float inv = (float)(1.0 / sum);
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
    return (float)log(sum) + mx;
}
