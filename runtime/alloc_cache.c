/* The buffers that ember's compiled code allocates at run time (finalize-memref-to-llvm with
 * use-generic-functions calls these three instead of malloc/free): intermediates of dynamic
 * shape, which ember-plan-memory's static arena cannot hold, and allocations inside loops and
 * branches (a while_loop's carried tensors, a branch's result).
 *
 * A call allocates the same sizes as the call before it at the same shapes, so freed blocks of
 * 64 KB and more are kept per thread (at most 64 blocks and 1 GiB) and handed out again for the
 * same size. glibc maps blocks above 32 MB fresh on every malloc and unmaps them at free: a
 * dynamic-batch encoder at batch 64 spent a third of its time in the page faults (1.50x the
 * static compile's time, 0.93x with glibc's mmap threshold raised).
 */
#include <stdint.h>
#include <stdlib.h>

enum { CACHED_BLOCKS = 64, SMALLEST_CACHED = 1 << 16 };
static const size_t MOST_CACHED_BYTES = (size_t)1 << 30;

struct header { size_t total; void *base; }; /* just below the pointer handed out */
struct block { size_t total; void *base; };

static __thread struct block cache[CACHED_BLOCKS];
static __thread int cached;
static __thread size_t cached_bytes;

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
    size_t total = size + alignment + sizeof(struct header);
    if (total >= SMALLEST_CACHED)
        for (int i = cached - 1; i >= 0; i--)
            if (cache[i].total == total) {
                void *base = cache[i].base;
                cached_bytes -= total;
                cache[i] = cache[--cached];
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
    if (total >= SMALLEST_CACHED && cached < CACHED_BLOCKS && cached_bytes + total <= MOST_CACHED_BYTES) {
        cache[cached++] = (struct block){total, base};
        cached_bytes += total;
        return;
    }
    free(base);
}
