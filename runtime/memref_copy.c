/* memrefCopy, the one runtime function that ember's lowered code may call (for a memref.copy
 * between strided layouts, from finalize-memref-to-llvm). MLIR's libmlir_c_runner_utils has it
 * too; this copy lets a saved or exported library run without any MLIR runtime.
 * Same contract: copies `src` into `dst`, elements of `element_size` bytes, same shape. */
#include <stdint.h>
#include <string.h>

struct unranked { int64_t rank; void *descriptor; };
/* {allocated, aligned, offset, sizes[rank], strides[rank]} */
struct ranked { char *allocated, *aligned; int64_t offset; int64_t sizes_and_strides[]; };

void memrefCopy(int64_t element_size, struct unranked *src_arg, struct unranked *dst_arg) {
    int64_t rank = src_arg->rank;
    struct ranked *src = src_arg->descriptor, *dst = dst_arg->descriptor;
    const int64_t *sizes = src->sizes_and_strides, *src_strides = sizes + rank;
    const int64_t *dst_strides = dst->sizes_and_strides + rank;
    char *from = src->aligned + src->offset * element_size;
    char *to = dst->aligned + dst->offset * element_size;
    int64_t count = 1;
    for (int64_t d = 0; d < rank; d++) count *= sizes[d];
    if (count == 0) return;
    int64_t index[rank > 0 ? rank : 1];
    memset(index, 0, sizeof index);
    for (int64_t n = 0; n < count; n++) {
        int64_t s = 0, t = 0;
        for (int64_t d = 0; d < rank; d++) {
            s += index[d] * src_strides[d];
            t += index[d] * dst_strides[d];
        }
        memcpy(to + t * element_size, from + s * element_size, element_size);
        for (int64_t d = rank - 1; d >= 0; d--) {  /* the next index, last dimension fastest */
            if (++index[d] < sizes[d]) break;
            index[d] = 0;
        }
    }
}
