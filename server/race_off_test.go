//go:build !race

package server_test

// raceDetector: the tests run under -race, which slows the work several
// times; the heaviest tests do less of it.
const raceDetector = false
