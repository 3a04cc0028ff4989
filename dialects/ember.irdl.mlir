// The ember dialect, defined in IRDL and loaded into every context ember creates.
//
// IRDL cannot give an op the Terminator trait, so fusion-group bodies end with `gpu.yield`,
// upstream's parent-agnostic ReturnLike terminator.
irdl.dialect @ember {
  // One fusion group: the ops of one future kernel. The values its `gpu.yield` returns are
  // the group's results. Its inputs are the values from above that its body uses: IRDL checks
  // every element of a variadic against one type variable, so explicit `inputs` can only carry
  // values of a single type, and ember-fuse-groups leaves them empty.
  // `kind` says which fusion rule formed it: "elementwise", "contraction", "reduction".
  irdl.operation @fusion_group {
    %any = irdl.any
    irdl.operands(inputs: variadic %any)
    irdl.results(outputs: variadic %any)
    %kind = irdl.base "#builtin.string"
    irdl.attributes {"kind" = %kind}
    %body = irdl.region with size 1
    irdl.regions(body: %body)
  }
}
