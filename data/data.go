// Package data holds the bundled datasets and the public documents they were
// curated from (data/sources).
package data

import _ "embed"

// Kongsbergregionen is the Kongsbergregionen dataset in the format read by
// package dataset, curated by hand from the action plans 2011 and 2014.
//
//go:embed kongsbergregionen.yaml
var Kongsbergregionen []byte

// KongsbergregionenFile is the path of Kongsbergregionen in the repository,
// used in error messages.
const KongsbergregionenFile = "data/kongsbergregionen.yaml"
