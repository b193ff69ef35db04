package export

import "io"

// Format is one export format: its name (the last part of /export/...
// and the value of `regiongraph export --format`), the file name it is
// downloaded as, its Content-Type and its writer. Stream writes it page by
// page.
type Format struct {
	Name        string
	File        string
	ContentType string
	Write       func(io.Writer, *Graph) error

	doc func(io.Writer) docWriter
}

// Formats are the export formats, in the order they are listed.
var Formats = []Format{
	{"graphml", "regiongraph.graphml", "application/graphml+xml; charset=utf-8", WriteGraphML, newGraphMLDoc},
	{"gexf", "regiongraph.gexf", "application/gexf+xml; charset=utf-8", WriteGEXF, newGEXFDoc},
	{"cytoscape.json", "regiongraph.cytoscape.json", "application/json; charset=utf-8", WriteCytoscape, newCytoscapeDoc},
	{"graphology.json", "regiongraph.graphology.json", "application/json; charset=utf-8", WriteGraphology, newGraphologyDoc},
	{"nodes.csv", "nodes.csv", "text/csv; charset=utf-8", WriteNodesCSV, func(w io.Writer) docWriter { return newNodesCSVDoc(w, CSVOptions{}) }},
	{"edges.csv", "edges.csv", "text/csv; charset=utf-8", WriteEdgesCSV, func(w io.Writer) docWriter { return newEdgesCSVDoc(w, CSVOptions{}) }},
}

// FormatNamed returns the format called name. The short names "cytoscape"
// and "graphology" are accepted too.
func FormatNamed(name string) (Format, bool) {
	switch name {
	case "cytoscape", "graphology":
		name += ".json"
	}
	for _, f := range Formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}
