// The collections of this assembly wait on servers and child processes more than they compute (the crash tests kill
// workers and reconcile, the fault tests wait out a stopped database): xUnit's default of one collection per core (two
// here) ran them nearly one after another. Four run side by side.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
