/* The LLVM OpenMP entry points that ember's compiled code calls (`__kmpc_*`, what MLIR's
 * OpenMP-to-LLVM translation emits), served by GNU libgomp: the runtime torch's CPU wheel
 * runs its own parallel ops on. In a process with torch, ember's parallel loops and torch's
 * then share one thread pool. With two runtimes (libiomp5 beside libgomp) the workers of each
 * spin after their parallel regions and take the cores from the other's: a model compiled in
 * parts, alternating eager islands and compiled segments, ran 2x slower at 2 threads than at 1.
 *
 * Served: what MLIR's lowering of ember's parallel loops calls (omp.parallel + omp.wsloop, no
 * reductions): fork_call (the outlined region; the OpenMPIRBuilder packs its captured values
 * into one struct), static worksharing (a balanced split: any split is correct for
 * schedule(static), which is all the builder asks for), barriers, and `ompc_set_num_threads`, which sets the team size of the
 * calling thread's next regions here only, never torch's setting. Code that needs another entry
 * point fails to load, naming the symbol.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern void GOMP_barrier(void);
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);

typedef void (*microtask_t)(int32_t *gtid, int32_t *btid, ...);

enum { MAX_ARGS = 15 };

static __thread int requested_threads; /* 0: libgomp's default */
static __thread int serial;            /* in a region run on the calling thread alone */
static int last_team_size;             /* for tests: the team of the latest region */

struct region {
    microtask_t task;
    int argc;
    void *args[MAX_ARGS];
};

void ompc_set_num_threads(int n) { requested_threads = n > 0 ? n : 0; }

int ember_omp_last_team_size(void) { return __atomic_load_n(&last_team_size, __ATOMIC_RELAXED); }

static void run_region(void *data) {
    struct region *r = data;
    int32_t gtid = serial ? 0 : omp_get_thread_num(), btid = gtid;
    void **a = r->args;
    if (gtid == 0) __atomic_store_n(&last_team_size, serial ? 1 : omp_get_num_threads(), __ATOMIC_RELAXED);
    switch (r->argc) { /* as libomp's __kmp_invoke_microtask */
    case 0: r->task(&gtid, &btid); break;
    case 1: r->task(&gtid, &btid, a[0]); break;
    case 2: r->task(&gtid, &btid, a[0], a[1]); break;
    case 3: r->task(&gtid, &btid, a[0], a[1], a[2]); break;
    case 4: r->task(&gtid, &btid, a[0], a[1], a[2], a[3]); break;
    case 5: r->task(&gtid, &btid, a[0], a[1], a[2], a[3], a[4]); break;
    case 6: r->task(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5]); break;
    case 7: r->task(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6]); break;
    case 8: r->task(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]); break;
    default: r->task(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
                     a[11], a[12], a[13], a[14]); break; /* extra arguments are ignored by the callee */
    }
}

void __kmpc_fork_call(void *loc, int32_t argc, microtask_t task, ...) {
    if (argc > MAX_ARGS) { /* the OpenMPIRBuilder passes one struct of the captured values */
        fprintf(stderr, "ember: a parallel region with %d arguments (at most %d)\n", argc, MAX_ARGS);
        abort();
    }
    struct region r = {task, argc, {0}};
    va_list ap;
    va_start(ap, task);
    for (int i = 0; i < r.argc; i++) r.args[i] = va_arg(ap, void *);
    va_end(ap);
    if (requested_threads == 1 || serial) { /* no team: a team of one ends libgomp's idle workers */
        serial++;
        run_region(&r);
        serial--;
        return;
    }
    GOMP_parallel(run_region, &r, (unsigned)requested_threads, 0);
}

int32_t __kmpc_global_thread_num(void *loc) { return serial ? 0 : omp_get_thread_num(); }

void __kmpc_barrier(void *loc, int32_t gtid) {
    if (!serial) GOMP_barrier();
}

/* schedule(static) over [*lower, *upper] by `incr`: libomp's balanced split, in the loop's
 * own type. The builder's loops are normalized (lower 0, incr 1, upper trips - 1): an unsigned
 * loop of no trip has upper wrapped to the maximum, and the split wraps back to none. */
#define STATIC_INIT(NAME, T, UT)                                                                  \
    void NAME(void *loc, int32_t gtid, int32_t schedule, int32_t *last, T *lower, T *upper,       \
              T *stride, T incr, T chunk) {                                                        \
        if (incr > 0 ? *upper < *lower : *lower < *upper) { /* no trip: as libomp, bounds kept */  \
            if (last) *last = 0;                                                                   \
            *stride = incr;                                                                        \
            return;                                                                                \
        }                                                                                          \
        UT threads = serial ? 1 : (UT)omp_get_num_threads(), tid = serial ? 0 : (UT)omp_get_thread_num(); \
        UT trips = incr == 1 ? (UT)(*upper - *lower) + 1                                           \
                   : incr > 0 ? (UT)(*upper - *lower) / (UT)incr + 1                              \
                              : (UT)(*lower - *upper) / (UT)(-incr) + 1;                           \
        *stride = (T)(trips * (UT)incr);                                                           \
        if (trips < threads) {                                                                     \
            if (tid < trips) *upper = *lower = *lower + (T)(tid * (UT)incr);                       \
            else *lower = *upper + incr;                                                           \
            if (last) *last = tid == trips - 1;                                                    \
            return;                                                                                \
        }                                                                                          \
        UT small = trips / threads, extras = trips % threads;                                      \
        *lower += (T)((tid * small + (tid < extras ? tid : extras)) * (UT)incr);                   \
        *upper = *lower + (T)(small * (UT)incr) - (tid < extras ? 0 : incr);                       \
        if (last) *last = tid == threads - 1;                                                      \
    }

STATIC_INIT(__kmpc_for_static_init_4, int32_t, uint32_t)
STATIC_INIT(__kmpc_for_static_init_4u, uint32_t, uint32_t)
STATIC_INIT(__kmpc_for_static_init_8, int64_t, uint64_t)
STATIC_INIT(__kmpc_for_static_init_8u, uint64_t, uint64_t)

void __kmpc_for_static_fini(void *loc, int32_t gtid) {}
