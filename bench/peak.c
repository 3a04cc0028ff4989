/* The host's FP32 FMA peak, for bench/bench.py: `peak THREADS SECONDS` prints GFLOP/s.

   Each thread runs CHAINS independent FMA chains (acc = acc * m + a) on vector registers of the
   widest width the compiler targets (`cc -O3 -march=native`: AVX-512, AVX2 or 128-bit), enough
   chains to cover the FMA latency of every FMA port. The iteration count is calibrated on one
   thread to last about SECONDS / 3; the best of three runs on THREADS threads is reported
   (2 FLOPs per lane per FMA). GCC and clang contract `acc * m + a` into one FMA where the target
   has FMA (GCC's -ffp-contract=fast default; clang's "on" fuses within a statement). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define BYTES 64
#define CHAINS 24 /* of 32 zmm registers */
#elif defined(__AVX__)
#define BYTES 32
#define CHAINS 12 /* of 16 ymm registers */
#else
#define BYTES 16
#define CHAINS 12
#endif
#define LANES (BYTES / 4)

typedef float vf __attribute__((vector_size(BYTES)));

static volatile float seed_m = 0.9999999f, seed_a = 1e-7f;
static long iterations;
static volatile float sink;

static void *chains(void *unused) {
    (void)unused;
    vf m, a, acc[CHAINS];
    for (int l = 0; l < LANES; l++) {
        m[l] = seed_m;
        a[l] = seed_a;
    }
    for (int c = 0; c < CHAINS; c++)
        for (int l = 0; l < LANES; l++) acc[c][l] = (float)(c + l);
    for (long i = 0; i < iterations; i++) {
#pragma GCC unroll 32
        for (int c = 0; c < CHAINS; c++) acc[c] = acc[c] * m + a;
    }
    float total = 0;
    for (int c = 0; c < CHAINS; c++)
        for (int l = 0; l < LANES; l++) total += acc[c][l];
    sink = total;
    return NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double run(int threads) {
    pthread_t ids[threads];
    double start = now();
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, chains, NULL);
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    return now() - start;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    double seconds = argc > 2 ? atof(argv[2]) : 0.2;
    if (threads < 1) threads = 1;
    iterations = 1000;
    double took;
    while ((took = run(1)) < 0.01) iterations *= 4;
    iterations = (long)(iterations * (seconds / 3) / took) + 1;
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        double t = run(threads);
        if (t < best) best = t;
    }
    double flops = 2.0 * LANES * CHAINS * (double)iterations * threads;
    printf("%.3f %d %d\n", flops / best * 1e-9, LANES, CHAINS);
    return 0;
}
