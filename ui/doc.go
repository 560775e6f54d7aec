// Package ui will hold the terminal dashboard's Bubble Tea models (the
// dashboard issue): they render core snapshots and never do I/O in Update
// or View. Like every package here it may import only core among marcus's
// packages; layout_test.go at the module root keeps that rule.
package ui
