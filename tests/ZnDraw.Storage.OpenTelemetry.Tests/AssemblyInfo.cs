// The library's ActivitySource and Meter are process-wide: a provider built by one test would also record the
// operations of a test running beside it, and the exact counts asserted here would drift. One test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
