// Package web holds the pages the binary serves (go:embed, no build step, no
// CDN): the GraphQL explorer and the partnership map.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Static is the tree of static files, rooted at static/.
var Static, _ = fs.Sub(static, "static")
