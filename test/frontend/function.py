# ember-import on a plain function of tensors, with one input of each dtype given.
#
# RUN: ember-import %s:scale_and_add --shape 3x4 --shape 4 --dtype int64 --dtype int64 | FileCheck %s
# RUN: not ember-import %s:scale_and_add --shape 3x4 --shape 4 --dtype int64 --dtype int64 --dtype int64 2>&1 | FileCheck %s --check-prefix=DTYPES
# RUN: not ember-import %s:missing --shape 4 2>&1 | FileCheck %s --check-prefix=MISSING

# Locations point at the user's line (the `return` below).
# CHECK:       = loc("{{.*}}function.py":[[# @LINE + 13]]:0)
# CHECK-LABEL: func.func @main(
# CHECK-SAME:     %[[A:[a-z0-9]+]]: tensor<3x4xi64>{{.*}}, %[[B:[a-z0-9]+]]: tensor<4xi64>{{.*}}) -> tensor<3x4xi64>
# CHECK:         %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<4xi64>)
# CHECK:           arith.muli
# CHECK:         linalg.generic {{.*}} ins(%[[A]], %[[SCALED]] : tensor<3x4xi64>, tensor<4xi64>)
# CHECK:           arith.addi

# DTYPES: give --dtype once or once per --shape: got 3 dtypes for 2 shapes
# MISSING: ember-import: error: {{.*}}function.py defines no 'missing'


def scale_and_add(a, b):
    return a + 3 * b
