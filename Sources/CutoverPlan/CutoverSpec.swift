// The spec target (Syntax, Diagnostics, Schema, Validation) is re-exported: every file of this target and
// every target above it (which all import CutoverPlan) sees it, as before the split; the arrows stay the
// declared ones, since CutoverSpec is below everything that imports CutoverPlan.
@_exported import CutoverSpec
