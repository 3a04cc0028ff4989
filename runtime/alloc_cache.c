/* The buffers that ember's compiled code allocates at run time (finalize-memref-to-llvm with
 * use-generic-functions calls these three instead of malloc/free): intermediates of dynamic
 * shape, which ember-plan-memory's static arena cannot hold, and allocations inside loops and
 * branches (a while_loop's carried tensors, a branch's result).
 *
 * A call allocates the same sizes as the call before it at the same shapes, so freed blocks of
 * 64 KB and more are kept per thread (at most 64 blocks and 1 GiB; the oldest go first) and
 * handed out again for the same size; a thread's blocks are freed when it exits. glibc maps blocks above 32 MB fresh on every malloc and unmaps them at free: a
 * dynamic-batch encoder at batch 64 spent a third of its time in the page faults (1.50x the
 * static compile's time, 0.93x with glibc's mmap threshold raised).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

enum { CACHED_BLOCKS = 64, SMALLEST_CACHED = 1 << 16 };
static const size_t MOST_CACHED_BYTES = (size_t)1 << 30;

struct header { size_t total; void *base; }; /* just below the pointer handed out */
struct block { size_t total; void *base; };

static __thread struct block cache[CACHED_BLOCKS];
static __thread int cached;
static __thread size_t cached_bytes;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void drop_oldest(void) {
    free(cache[0].base);
    cached_bytes -= cache[0].total;
    for (int i = 1; i < cached; i++) cache[i - 1] = cache[i];
    cached--;
}

static void free_cache(void *unused) {
    while (cached) drop_oldest();
}

static void make_exit_key(void) { pthread_key_create(&exit_key, free_cache); }

static void *handed_out(void *base, size_t alignment, size_t total) {
    uintptr_t start = (uintptr_t)base + sizeof(struct header);
    uintptr_t aligned = (start + alignment - 1) / alignment * alignment;
    struct header *h = (struct header *)aligned - 1;
    h->total = total;
    h->base = base;
    return (void *)aligned;
}

static void *allocate(size_t alignment, size_t size) {
    if (alignment < sizeof(void *)) alignment = sizeof(void *);
    if (size > SIZE_MAX - alignment - sizeof(struct header)) return NULL;
    size_t total = size + alignment + sizeof(struct header);
    if (total >= SMALLEST_CACHED)
        for (int i = cached - 1; i >= 0; i--)
            if (cache[i].total == total) {
                void *base = cache[i].base;
                cached_bytes -= total;
                for (int j = i + 1; j < cached; j++) cache[j - 1] = cache[j];
                cached--;
                return handed_out(base, alignment, total);
            }
    void *base = malloc(total);
    return base ? handed_out(base, alignment, total) : NULL;
}

void *_mlir_memref_to_llvm_alloc(size_t size) { return allocate(16, size); }

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) { return allocate(alignment, size); }

void _mlir_memref_to_llvm_free(void *pointer) {
    if (!pointer) return;
    struct header *h = (struct header *)pointer - 1;
    size_t total = h->total;
    void *base = h->base;
    if (total < SMALLEST_CACHED || total > MOST_CACHED_BYTES) {
        free(base);
        return;
    }
    pthread_once(&exit_key_once, make_exit_key);
    if (!cached) pthread_setspecific(exit_key, cache); /* non-null: the destructor runs at exit */
    while (cached == CACHED_BLOCKS || cached_bytes + total > MOST_CACHED_BYTES) drop_oldest();
    cache[cached++] = (struct block){total, base};
    cached_bytes += total;
}
