// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-tile-and-vectorize{vector-bits=512})' | FileCheck %s
// RUN: env EMBER_LOG=info ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-tile-and-vectorize{vector-bits=512})' -o %t 2>&1 | FileCheck %s --check-prefix=LOG

// A matmul + relu group becomes a register-blocked microkernel: 8x32 tiles of the output
// (two 16-lane vectors per row), the relu fused into the tile, a reduction loop of rank-1
// updates (FMAs) whose accumulator is loop-carried in registers, not re-read from memory.
// CHECK-LABEL: func.func @matmul_relu
// CHECK: "ember.fusion_group"() ({
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[ACC:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<8x32xf32>)
// CHECK-NOT: vector.transfer_write
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK: scf.yield
// CHECK: arith.maximumf %{{.*}} : vector<8x32xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: linalg.matmul
// CHECK: }) {kind = "contraction"}
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @matmul_relu(%x: tensor<16x64xf32>, %w: tensor<64x64xf32>) -> tensor<16x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
    %m = linalg.matmul ins(%x, %w : tensor<16x64xf32>, tensor<64x64xf32>) outs(%f : tensor<16x64xf32>) -> tensor<16x64xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%m : tensor<16x64xf32>) outs(%e : tensor<16x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %v = arith.maximumf %in, %zero : f32
      linalg.yield %v : f32
    } -> tensor<16x64xf32>
    gpu.yield %r : tensor<16x64xf32>
  }) {kind = "contraction"} : () -> tensor<16x64xf32>
  return %g : tensor<16x64xf32>
}

// -----

// A row reduction is tiled by rows and vectorized along the whole row.
// CHECK-LABEL: func.func @row_sum
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} vector<
// CHECK: vector.reduction <add>
// CHECK-NOT: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#rows = affine_map<(d0, d1) -> (d0)>
func.func @row_sum(%x: tensor<64x128xf32>) -> tensor<64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
    %s = linalg.generic {indexing_maps = [#id, #rows], iterator_types = ["parallel", "reduction"]}
        ins(%x : tensor<64x128xf32>) outs(%f : tensor<64xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %v = arith.addf %in, %acc : f32
      linalg.yield %v : f32
    } -> tensor<64xf32>
    gpu.yield %s : tensor<64xf32>
  }) {kind = "reduction"} : () -> tensor<64xf32>
  return %g : tensor<64xf32>
}

// -----

// A dynamic row count (a batch): whole blocks of 8 rows (8x32 tiles), then the rows left over
// in peeled blocks of 4, 2 and 1, each as wide as its accumulators allow (here all 64 columns):
// every tile static and register-blocked, the relu fused into each.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK: scf.for {{.*}} -> (vector<8x32xf32>)
// CHECK: scf.for {{.*}} -> (vector<4x64xf32>)
// CHECK: scf.for {{.*}} -> (vector<2x64xf32>)
// CHECK: scf.for {{.*}} -> (vector<1x64xf32>)
// CHECK-NOT: linalg.
func.func @dynamic_rows(%x: tensor<?x64xf32>, %w: tensor<64x64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %rows = tensor.dim %x, %c0 : tensor<?x64xf32>
  %empty = tensor.empty(%rows) : tensor<?x64xf32>
  %g = "ember.fusion_group"() ({
    %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x64xf32>) -> tensor<?x64xf32>
    %m = linalg.matmul ins(%x, %w : tensor<?x64xf32>, tensor<64x64xf32>) outs(%init : tensor<?x64xf32>) -> tensor<?x64xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                         iterator_types = ["parallel", "parallel"]} ins(%m : tensor<?x64xf32>) outs(%empty : tensor<?x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %v = arith.maximumf %in, %zero : f32
      linalg.yield %v : f32
    } -> tensor<?x64xf32>
    gpu.yield %r : tensor<?x64xf32>
  }) {kind = "contraction"} : () -> tensor<?x64xf32>
  return %g : tensor<?x64xf32>
}

// -----

// A dynamic reduction has no static tiles to vectorize: the matmul is left to the loop
// lowering, and the refusal is logged and counted.
// LOG: no register-blocked schedule for ember.fusion_group at {{.*}}: a dynamic reduction loop
// LOG: no vector tiles schedule for linalg.generic at {{.*}}: a dynamic reduction loop
// LOG: ember-tile-and-vectorize: 1 refused register-blocked, 1 refused vector tiles
// CHECK-LABEL: func.func @dynamic_reduction
// CHECK-NOT: vector.
// CHECK: linalg.generic {{.*}}"reduction"
func.func @dynamic_reduction(%x: tensor<16x?xf32>, %w: tensor<?x64xf32>, %init: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %g = "ember.fusion_group"() ({
    %m = linalg.matmul ins(%x, %w : tensor<16x?xf32>, tensor<?x64xf32>) outs(%init : tensor<16x64xf32>) -> tensor<16x64xf32>
    gpu.yield %m : tensor<16x64xf32>
  }) {kind = "contraction"} : () -> tensor<16x64xf32>
  return %g : tensor<16x64xf32>
}

// -----

// A 2x2 stride-2 max pool (a window reduction) is scheduled like a convolution: vectors along
// the output width, the window loops carry the running maximum in registers, and the stride-2
// input rows are read whole (masked at the end) and split into even and odd lanes.
// CHECK-LABEL: func.func @max_pool
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<4x16xf32>)
// CHECK: %[[ROWS:.*]] = tensor.extract_slice {{.*}} [4, 31] [2, 1] : tensor<7x31xf32> to tensor<4x31xf32>
// CHECK: %[[WIDE:.*]] = vector.transfer_read %[[ROWS]]{{.*}} {in_bounds = [true, false]} : tensor<4x31xf32>, vector<4x32xf32>
// CHECK: %[[EVEN:.*]], %{{.*}} = vector.deinterleave %[[WIDE]] : vector<4x32xf32> -> vector<4x16xf32>
// CHECK: arith.maximumf %[[EVEN]], %{{.*}} : vector<4x16xf32>
// CHECK-NOT: linalg.generic
#in = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
#win = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
#out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
func.func @max_pool(%x: tensor<1x1x8x32xf32>) -> tensor<1x1x4x16xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %window = tensor.empty() : tensor<2x2xf32>
  %e = tensor.empty() : tensor<1x1x4x16xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x1x4x16xf32>) -> tensor<1x1x4x16xf32>
    %p = linalg.generic {indexing_maps = [#in, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
        ins(%x, %window : tensor<1x1x8x32xf32>, tensor<2x2xf32>) outs(%f : tensor<1x1x4x16xf32>) {
    ^bb0(%in: f32, %w: f32, %acc: f32):
      %m = arith.maximumf %in, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x1x4x16xf32>
    gpu.yield %p : tensor<1x1x4x16xf32>
  }) {kind = "reduction"} : () -> tensor<1x1x4x16xf32>
  return %g : tensor<1x1x4x16xf32>
}

// -----

// A long chain of 64-bit integer arithmetic (the counter-based generator of random ops) gets a
// tile of one register's worth of 32-bit lanes, as libm math does: 1024-element steps would
// keep 128 registers live each. A short integer body keeps the large tile.
// CHECK-LABEL: func.func @integer_chain
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c16
// CHECK: arith.muli {{.*}} : vector<16xi64>
// CHECK-LABEL: func.func @short_integer_body
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1024
// CHECK: arith.muli {{.*}} : vector<1024xi64>
#id1 = affine_map<(d0) -> (d0)>
func.func @integer_chain(%x: tensor<4096xi64>) -> tensor<4096xi64> {
  %e = tensor.empty() : tensor<4096xi64>
  %r = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<4096xi64>) outs(%e : tensor<4096xi64>) {
  ^bb0(%in: i64, %out: i64):
    %c32 = arith.constant 32 : i64
    %a1 = arith.muli %in, %in : i64
    %a2 = arith.addi %a1, %in : i64
    %a3 = arith.shli %a2, %c32 : i64
    %a4 = arith.shrui %a2, %c32 : i64
    %a5 = arith.ori %a3, %a4 : i64
    %a6 = arith.muli %a5, %a5 : i64
    %a7 = arith.addi %a6, %in : i64
    %a8 = arith.shli %a7, %c32 : i64
    %a9 = arith.shrui %a7, %c32 : i64
    %a10 = arith.ori %a8, %a9 : i64
    %a11 = arith.muli %a10, %a10 : i64
    %a12 = arith.addi %a11, %in : i64
    %a13 = arith.shli %a12, %c32 : i64
    %a14 = arith.shrui %a12, %c32 : i64
    %a15 = arith.ori %a13, %a14 : i64
    %a16 = arith.xori %a15, %a1 : i64
    linalg.yield %a16 : i64
  } -> tensor<4096xi64>
  return %r : tensor<4096xi64>
}
func.func @short_integer_body(%x: tensor<4096xi64>) -> tensor<4096xi64> {
  %e = tensor.empty() : tensor<4096xi64>
  %r = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<4096xi64>) outs(%e : tensor<4096xi64>) {
  ^bb0(%in: i64, %out: i64):
    %a1 = arith.muli %in, %in : i64
    %a2 = arith.addi %a1, %in : i64
    linalg.yield %a2 : i64
  } -> tensor<4096xi64>
  return %r : tensor<4096xi64>
}

// -----

// A depthwise NCHW convolution, loops (n, oh, ow, c, kh, kw) as torch-mlir writes them: the
// channel loop is innermost but strided by H*W in the image, so the output width is the vector
// dim (the loops interchanged to put it last); the rows are output rows, which share one weight:
// each reduction step broadcasts one scalar and loads one image row per accumulator row.
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[ACC:.*]] = scf.for {{.*}} -> (vector<16x16xf32>)
// CHECK: scf.for {{.*}} -> (vector<16x16xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<16x16xf32>, vector<16x16xf32>
// CHECK: vector.broadcast %{{.*}} : f32 to vector<16x16xf32>
// CHECK-NOT: vector.transpose
// CHECK: arith.addf
// CHECK: }) {kind = "contraction"}
#dw_image = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d1 + d4, d2 + d5)>
#dw_filter = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4, d5)>
#dw_out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d1, d2)>
#dw_fill = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @depthwise(%x: tensor<1x32x18x18xf32>, %w: tensor<32x3x3xf32>) -> tensor<1x32x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x32x16x16xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32>
    %y = linalg.generic {indexing_maps = [#dw_image, #dw_filter, #dw_out],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
        ins(%x, %w : tensor<1x32x18x18xf32>, tensor<32x3x3xf32>) outs(%f : tensor<1x32x16x16xf32>) {
    ^bb0(%in: f32, %k: f32, %out: f32):
      %m = arith.mulf %in, %k : f32
      %a = arith.addf %out, %m : f32
      linalg.yield %a : f32
    } -> tensor<1x32x16x16xf32>
    gpu.yield %y : tensor<1x32x16x16xf32>
  }) {kind = "contraction"} : () -> tensor<1x32x16x16xf32>
  return %g : tensor<1x32x16x16xf32>
}

// -----

// A channels-inner NCHW convolution (ember-conv-channels-inner's loops (n, oh, ow, f, c, kh, kw),
// the filter [C, KH, KW, F]): the register block is rows of output width by output channels
// (the vector dim), while its tile of the NCHW output is channels by width. The accumulator is
// carried through the reduction loops in the block's layout and transposed once, after them,
// not twice on every one of the 16 x 3 x 3 steps; each step's image row becomes a splat per
// block row, not a transpose of its broadcast.
// CHECK-LABEL: func.func @channels_inner_convolution
// CHECK: scf.for {{.*}} -> (vector<[[ROWS:[0-9]+]]x16xf32>)
// CHECK: scf.for {{.*}} -> (vector<[[ROWS]]x16xf32>)
// CHECK: scf.for {{.*}} -> (vector<[[ROWS]]x16xf32>)
// CHECK-NOT: vector.shuffle
// CHECK: arith.mulf {{.*}} : vector<[[ROWS]]x16xf32>
// CHECK-NOT: vector.shuffle
// CHECK: scf.yield
// CHECK: scf.yield
// CHECK: scf.yield
// CHECK: vector.shuffle
// CHECK: vector.transfer_write
// CHECK: }) {kind = "contraction"}
#ci_image = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d1 + d5, d2 + d6)>
#ci_filter = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
#ci_out = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d1, d2)>
func.func @channels_inner_convolution(%x: tensor<1x16x10x10xf32>, %w: tensor<16x3x3x16xf32>) -> tensor<1x16x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x8x8xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
    %y = linalg.generic {indexing_maps = [#ci_image, #ci_filter, #ci_out],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
        ins(%x, %w : tensor<1x16x10x10xf32>, tensor<16x3x3x16xf32>) outs(%f : tensor<1x16x8x8xf32>) {
    ^bb0(%in: f32, %k: f32, %out: f32):
      %m = arith.mulf %in, %k : f32
      %a = arith.addf %out, %m : f32
      linalg.yield %a : f32
    } -> tensor<1x16x8x8xf32>
    gpu.yield %y : tensor<1x16x8x8xf32>
  }) {kind = "contraction"} : () -> tensor<1x16x8x8xf32>
  return %g : tensor<1x16x8x8xf32>
}

// -----

// A layer norm's rows (kind "reduction": a sum, the centred values, a sum of their squares, the
// normalized values) are scheduled one row at a time: one loop over the 8 rows with every op
// of the group fused into it, each row's ops vectorized whole; the row sums may add their
// lanes in any order (fastmath<reassoc>: LLVM sums pairwise, not in one chain).
// CHECK-LABEL: func.func @row_normalize
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<256xf32> into f32
// CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<256xf32> into f32
// CHECK: math.rsqrt
// CHECK: vector.transfer_write
// CHECK: scf.yield
// CHECK-NOT: scf.for
// CHECK: }) {kind = "reduction"}
#rows_id = affine_map<(d0, d1) -> (d0, d1)>
#rows_row = affine_map<(d0, d1) -> (d0)>
func.func @row_normalize(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 256.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %rows = tensor.empty() : tensor<8xf32>
  %all = tensor.empty() : tensor<8x256xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%rows : tensor<8xf32>) -> tensor<8xf32>
    %sum = linalg.generic {indexing_maps = [#rows_id, #rows_row], iterator_types = ["parallel", "reduction"]}
        ins(%x : tensor<8x256xf32>) outs(%f : tensor<8xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %a = arith.addf %acc, %in : f32
      linalg.yield %a : f32
    } -> tensor<8xf32>
    %centred = linalg.generic {indexing_maps = [#rows_id, #rows_row, #rows_id], iterator_types = ["parallel", "parallel"]}
        ins(%x, %sum : tensor<8x256xf32>, tensor<8xf32>) outs(%all : tensor<8x256xf32>) {
    ^bb0(%in: f32, %s: f32, %out: f32):
      %m = arith.divf %s, %n : f32
      %c = arith.subf %in, %m : f32
      linalg.yield %c : f32
    } -> tensor<8x256xf32>
    %f2 = linalg.fill ins(%zero : f32) outs(%rows : tensor<8xf32>) -> tensor<8xf32>
    %squares = linalg.generic {indexing_maps = [#rows_id, #rows_row], iterator_types = ["parallel", "reduction"]}
        ins(%centred : tensor<8x256xf32>) outs(%f2 : tensor<8xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %q = arith.mulf %in, %in : f32
      %a = arith.addf %acc, %q : f32
      linalg.yield %a : f32
    } -> tensor<8xf32>
    %y = linalg.generic {indexing_maps = [#rows_id, #rows_row, #rows_id], iterator_types = ["parallel", "parallel"]}
        ins(%centred, %squares : tensor<8x256xf32>, tensor<8xf32>) outs(%all : tensor<8x256xf32>) {
    ^bb0(%in: f32, %s: f32, %out: f32):
      %v = arith.divf %s, %n : f32
      %w = arith.addf %v, %eps : f32
      %r = math.rsqrt %w : f32
      %o = arith.mulf %in, %r : f32
      linalg.yield %o : f32
    } -> tensor<8x256xf32>
    gpu.yield %y : tensor<8x256xf32>
  }) {kind = "reduction"} : () -> tensor<8x256xf32>
  return %g : tensor<8x256xf32>
}

// -----

// Negative: a group that ends in a reduction (row sums of the centred squares) is not scheduled
// per row, and says so; its ops are tiled one by one. A max reduction keeps its order (no
// rounding to gain from another).
// LOG: no fused per row schedule for ember.fusion_group at {{.*}}: its last op is a reduction
// CHECK-LABEL: func.func @ends_in_a_reduction
// CHECK: vector.reduction <maxnumf>, %{{[0-9]+}}, %{{[0-9]+}} : vector<256xf32> into f32
// CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<256xf32> into f32
// CHECK: }) {kind = "reduction"}
#rows_id = affine_map<(d0, d1) -> (d0, d1)>
#rows_row = affine_map<(d0, d1) -> (d0)>
func.func @ends_in_a_reduction(%x: tensor<8x256xf32>) -> tensor<8xf32> {
  %low = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %rows = tensor.empty() : tensor<8xf32>
  %all = tensor.empty() : tensor<8x256xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%low : f32) outs(%rows : tensor<8xf32>) -> tensor<8xf32>
    %top = linalg.generic {indexing_maps = [#rows_id, #rows_row], iterator_types = ["parallel", "reduction"]}
        ins(%x : tensor<8x256xf32>) outs(%f : tensor<8xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %a = arith.maxnumf %acc, %in : f32
      linalg.yield %a : f32
    } -> tensor<8xf32>
    %shifted = linalg.generic {indexing_maps = [#rows_id, #rows_row, #rows_id], iterator_types = ["parallel", "parallel"]}
        ins(%x, %top : tensor<8x256xf32>, tensor<8xf32>) outs(%all : tensor<8x256xf32>) {
    ^bb0(%in: f32, %t: f32, %out: f32):
      %c = arith.subf %in, %t : f32
      linalg.yield %c : f32
    } -> tensor<8x256xf32>
    %f2 = linalg.fill ins(%zero : f32) outs(%rows : tensor<8xf32>) -> tensor<8xf32>
    %sum = linalg.generic {indexing_maps = [#rows_id, #rows_row], iterator_types = ["parallel", "reduction"]}
        ins(%shifted : tensor<8x256xf32>) outs(%f2 : tensor<8xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %a = arith.addf %acc, %in : f32
      linalg.yield %a : f32
    } -> tensor<8xf32>
    gpu.yield %sum : tensor<8xf32>
  }) {kind = "reduction"} : () -> tensor<8xf32>
  return %g : tensor<8xf32>
}

// -----

// A single element is left scalar (upstream's vectorizer would make an invalid rank-0
// vector.gather of its tensor.extract); the refusal is logged. Four elements are vectorized.
// LOG: no vector tiles schedule for linalg.generic at {{.*}}: a single element (nothing to vectorize)
// CHECK-LABEL: func.func @single_element
// CHECK-NOT: vector.
// CHECK: linalg.generic
// CHECK: tensor.extract
// CHECK-LABEL: func.func @four_elements
// CHECK: vector.
func.func @single_element(%t: tensor<1xi64>, %init: tensor<1x1xi64>) -> tensor<1x1xi64> {
  %c0 = arith.constant 0 : index
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0, 0)>], iterator_types = ["parallel"]} outs(%init : tensor<1x1xi64>) {
  ^bb0(%out: i64):
    %v = tensor.extract %t[%c0] : tensor<1xi64>
    linalg.yield %v : i64
  } -> tensor<1x1xi64>
  return %r : tensor<1x1xi64>
}
func.func @four_elements(%t: tensor<4xi64>, %init: tensor<4xi64>) -> tensor<4xi64> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%t : tensor<4xi64>) outs(%init : tensor<4xi64>) {
  ^bb0(%in: i64, %out: i64):
    %v = arith.addi %in, %in : i64
    linalg.yield %v : i64
  } -> tensor<4xi64>
  return %r : tensor<4xi64>
}
