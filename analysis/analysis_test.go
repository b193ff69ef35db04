package analysis_test

import (
	"testing"

	"github.com/regiongraph/regiongraph/analysis/analysistest"
)

// TestKnownAnswers checks every metric on the hand-built graphs without a
// store; storetest runs the same checks through each store.
func TestKnownAnswers(t *testing.T) {
	analysistest.CheckAll(t, analysistest.Direct)
}
