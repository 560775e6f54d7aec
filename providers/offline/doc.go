// Package offline is marcus's default planner: no key, no network,
// deterministic. It reads a description with plain rules (the layout, the
// sentence that says what is built, the verbs and nouns of each item) and
// English word lists kept in an embedded data file, and plans a task graph
// a person can read: core.Planner, run by the creation pipeline in
// core/plan.
package offline
