package analysistest

import (
	"fmt"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// Bundled returns the bundled Kongsbergregionen dataset as a fixture.
func Bundled() (Fixture, error) {
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		return Fixture{}, fmt.Errorf("bundled dataset: %w", err)
	}
	return Fixture{Name: "kongsbergregionen", Nodes: ds.Nodes, Edges: ds.Edges}, nil
}

// Replicated returns the bundled dataset copies times: copy 0 as it is,
// copy c > 0 with every id suffixed "-c<c>", joined to the previous copy by
// PARTNER_OF between their regions and between their Buskerud county
// councils, so that the copies form one connected graph. Plans keep their
// ids (sources name them) and are not copied.
func Replicated(copies int) (Fixture, error) {
	base, err := Bundled()
	if err != nil {
		return Fixture{}, err
	}
	plans := map[string]bool{}
	for _, n := range base.Nodes {
		if n.Kind == rg.KindPlan {
			plans[n.ID] = true
		}
	}
	suffix := func(c int, id string) string {
		if c == 0 || plans[id] {
			return id
		}
		return fmt.Sprintf("%s-c%d", id, c)
	}
	out := Fixture{Name: fmt.Sprintf("kongsbergregionen-x%d", copies)}
	for c := range copies {
		for _, n := range base.Nodes {
			if c > 0 && plans[n.ID] {
				continue
			}
			m := n.Clone()
			m.ID = suffix(c, m.ID)
			out.Nodes = append(out.Nodes, m)
		}
		for _, e := range base.Edges {
			f := e.Clone()
			f.ID, f.From, f.To = suffix(c, f.ID), suffix(c, f.From), suffix(c, f.To)
			out.Edges = append(out.Edges, f)
		}
		if c > 0 {
			for _, id := range []string{"kongsbergregionen", "partner-buskerud-fylkeskommune"} {
				e := edge(rg.RelPartnerOf, suffix(c, id), suffix(c-1, id))
				e.Source = rg.Source{Outside: true, Reference: "synthetic link between benchmark copies"}
				out.Edges = append(out.Edges, e)
			}
		}
	}
	return out, nil
}
