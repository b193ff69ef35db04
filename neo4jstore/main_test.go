package neo4jstore

import (
	"os"
	"testing"

	"github.com/regiongraph/regiongraph/internal/neo4jlocal"
)

// TestMain gives the package its Neo4j tier: NEO4J_URI's server, or a local
// Neo4j started on first use (see internal/neo4jlocal).
func TestMain(m *testing.M) { os.Exit(neo4jlocal.Main(m)) }
