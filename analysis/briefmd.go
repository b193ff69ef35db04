package analysis

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// RenderBrief renders a brief as Markdown: the initiatives, who is
// involved, the outside bodies and how to reach them, the brokers, the
// funding, and every source, numbered.
func RenderBrief(b *Brief) string {
	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	src := map[rg.Source]int{}
	for i, s := range b.Sources {
		src[s] = i + 1
	}
	cite := func(s rg.Source) string {
		if n, ok := src[s]; ok {
			return fmt.Sprintf("[%d]", n)
		}
		return ""
	}

	kind := "Search"
	if b.Subject != nil {
		kind = string(b.Subject.Kind)
	}
	p("# Lobbying brief: %s\n\n", inline(b.Title))
	p("%s · %s · %d initiatives · total %s", kind, yearText(b.Year), len(b.Initiatives), nok(b.Funding.TotalNok))
	if b.OwnTotalNok != b.Funding.TotalNok {
		p(" (%s of its own, the rest through the parent topic)", nok(b.OwnTotalNok))
	}
	if b.Subject != nil {
		p(" %s", cite(b.Subject.Source))
	}
	p("\n\n")
	if b.Subject != nil && b.Subject.Description != "" {
		p("%s\n\n", inline(b.Subject.Description))
	}
	if b.Subject != nil && b.Subject.Kind == rg.KindTopic && len(b.Subject.Goals) > 0 {
		p("Goal: %s %s\n\n", inline(strings.Join(b.Subject.Goals, "; ")), cite(b.Subject.Source))
	}
	if len(b.ParentTopics) > 0 {
		p("Part of the wider issue: ")
		for i, t := range b.ParentTopics {
			if i > 0 {
				p("; ")
			}
			p("%s %s", inline(t.Name), cite(t.Source))
		}
		p(" (its initiatives and actors are in this brief, marked «through the parent topic»)\n\n")
	}
	if len(b.Topics) > 1 {
		p("Topics: ")
		for i, t := range b.Topics {
			if i > 0 {
				p("; ")
			}
			p("%s %s", inline(t.Name), cite(t.Source))
		}
		p("\n\n")
	}

	p("## Who to talk to first\n\n")
	if len(b.TalkTo) == 0 {
		p("Nobody outside the region itself is recorded on this issue.\n\n")
	}
	for i, c := range b.TalkTo {
		p("%d. **%s** (%s, relevance %.2f)\n", i+1, inline(c.Actor.Node.Name), c.Actor.Node.Kind, c.Actor.Score)
		for _, r := range c.Reasons {
			p("   - %s %s\n", inline(r.Text), cite(r.Relation.Source))
		}
		if c.Path != nil && c.Path.Path != nil {
			p("   - Route: %s\n", routeLine(c.Path, cite))
		}
	}
	if len(b.TalkTo) > 0 {
		p("\nRelevance adds up: %.0f a topic of the brief it is concerned with (%.1f the parent topic), %.0f an initiative it coordinates or pays for, %.0f one it takes part in or runs (half through the parent topic), %.0f a fund of the brief it holds, %.0f × its share of the routes between the region and the outside bodies, %.0f ÷ its steps from the region.\n\n",
			WeightTopic, WeightParentTopic, WeightCoordinates, WeightTakesPart, WeightHoldsFund, WeightBrokerage, WeightDistance)
	}

	p("## Initiatives\n\n")
	if len(b.Initiatives) == 0 {
		p("None in the plans.\n\n")
	}
	for _, bi := range b.Initiatives {
		n := bi.Initiative
		p("### %s %s", inline(n.Code), inline(n.Name))
		if n.PlanYear != nil {
			p(" (plan %d)", *n.PlanYear)
		}
		p(" %s\n\n", cite(n.Source))
		p("- Why here: %s\n", inline(strings.Join(bi.Reasons, "; ")))
		if bi.Scope != ScopeSubject && bi.Via != nil {
			p("- In this brief %s %s\n", scopeText(bi.Scope), inline(bi.Via.Name))
		}
		if bi.AmountNok != nil {
			p("- Amount: %s\n", nok(*bi.AmountNok))
		} else if n.CostText != "" {
			p("- Cost as printed: %s (no amount)\n", inline(n.CostText))
		}
		if bi.Parent != nil {
			p("- Part of: %s %s\n", inline(bi.Parent.Code), inline(bi.Parent.Name))
		}
		list(&sb, "Coordinated by", bi.Coordinators)
		if len(bi.Funding) > 0 {
			p("- Funded by:")
			for i, e := range bi.Funding {
				if i > 0 {
					p(";")
				}
				p(" %s", inline(nameOf(b, e.From)))
				if e.AsWritten != "" {
					p(" («%s»)", inline(e.AsWritten))
				}
				p(" %s", cite(e.Source))
			}
			p("\n")
		}
		list(&sb, "Participants", bi.Participants)
		list(&sb, "Run by", bi.Facilitators)
		list(&sb, "Focus areas", bi.FocusAreas)
		list(&sb, "Strategy areas", bi.StrategyAreas)
		list(&sb, "Topics", bi.Topics)
		if len(n.Goals) > 0 {
			p("- Goals: %s\n", inline(strings.Join(n.Goals, "; ")))
		}
		p("\n")
	}

	p("## Who is involved\n\n")
	if len(b.Actors) == 0 {
		p("Nobody is recorded.\n\n")
	} else {
		p("| Actor | Kind | Side | Relevance | Roles |\n| --- | --- | --- | ---: | --- |\n")
		for _, a := range b.Actors {
			side := "–"
			switch {
			case a.Home:
				side = "region"
			case slices.Contains(b.Outside, a.Node.ID):
				side = "outside body"
			}
			var roles []string
			for _, r := range a.Roles {
				s := r.Verb + " " + r.Object.Name
				if r.Relation.Role != "" {
					s += " (" + r.Relation.Role + ")"
				}
				if r.Scope != ScopeSubject {
					s += " [" + scopeText(r.Scope) + "]"
				}
				roles = append(roles, s+" "+cite(r.Relation.Source))
			}
			p("| %s | %s | %s | %.2f | %s |\n", cell(a.Node.Name), a.Node.Kind, side, a.Score, cell(strings.Join(roles, "; ")))
		}
		p("\n")
	}

	p("## Outside bodies and how to reach them\n\n")
	if len(b.Outside) == 0 {
		p("No outside body is involved.\n\n")
	}
	for _, bp := range b.Paths {
		p("### %s\n\n", inline(bp.To.Name))
		if bp.Path == nil {
			p("No chain of at most %d relations from %s.\n\n", BriefPathHops, inline(bp.From.Name))
			continue
		}
		for i, e := range bp.Path.Edges {
			from, to := bp.Path.Nodes[i], bp.Path.Nodes[i+1]
			arrow := "→"
			if e.From != from.ID {
				arrow = "←"
			}
			p("%d. %s %s %s %s %s %s\n", i+1, inline(from.Name), arrow, e.Kind, arrow, inline(to.Name), cite(e.Source))
		}
		if bp.Via == ViaSharedWork {
			p("\n(No chain of actor relations reaches it; this one goes through initiatives or topics they share.)\n")
		}
		p("\n")
	}
	if len(b.Outside) > len(b.Paths) {
		p("(Paths are looked for to the first %d outside bodies.)\n\n", len(b.Paths))
	}

	p("## Brokers between the region and the outside bodies\n\n")
	if len(b.Brokers) == 0 {
		p("None.\n\n")
	} else {
		p("| Actor | Cross-group betweenness | Share of pairs | Constraint | Effective size |\n| --- | ---: | ---: | ---: | ---: |\n")
		for _, br := range b.Brokers {
			c := "–"
			if br.Constraint != nil {
				c = strconv.FormatFloat(*br.Constraint, 'f', 3, 64)
			}
			p("| %s | %.2f | %.2f | %s | %.2f |\n", cell(br.Node.Name), br.CrossBetweenness, br.Share, c, br.EffectiveSize)
		}
		p("\n")
	}

	p("## Funding by fund (%s)\n\n", yearText(b.Year))
	if len(b.Funding.Buckets) == 0 {
		p("No amounts.\n\n")
	} else {
		p("| Fund | Total | Of which shared | Initiatives |\n| --- | ---: | ---: | --- |\n")
		for _, bk := range b.Funding.Buckets {
			var names []string
			for _, it := range bk.Items {
				s := it.Initiative.Code + " " + it.Initiative.Name
				if it.Shared {
					s += " (shared)"
				}
				names = append(names, s)
			}
			p("| %s | %s | %s | %s |\n", cell(bk.Keys[0].Label()), nok(bk.TotalNok), nok(bk.SharedNok), cell(strings.Join(names, "; ")))
		}
		p("\nTotal %s, each cost once. A cost financed by several sources is counted whole under each and marked shared; the plans never split it.\n\n", nok(b.Funding.TotalNok))
	}
	for _, e := range b.Funding.Excluded {
		p("- Not in the totals: %s %s, %s: %s\n", inline(e.Initiative.Code), inline(e.Initiative.Name), nok(e.AmountNok), inline(e.Reason))
	}
	if len(b.Funding.Excluded) > 0 {
		p("\n")
	}

	p("## Sources\n\n")
	for i, s := range b.Sources {
		p("%d. %s\n", i+1, inline(citation(b, s)))
	}
	return sb.String()
}

func list(sb *strings.Builder, label string, ns []*rg.Node) {
	if len(ns) == 0 {
		return
	}
	names := make([]string, len(ns))
	for i, n := range ns {
		names[i] = inline(n.Name)
	}
	fmt.Fprintf(sb, "- %s: %s\n", label, strings.Join(names, "; "))
}

func nameOf(b *Brief, id string) string {
	if n := b.Node(id); n != nil {
		return n.Name
	}
	return id
}

// citation formats a source as the GraphQL Source.citation does: the
// plan's name, the section and the quote as printed.
func citation(b *Brief, s rg.Source) string {
	if s.Outside {
		return "Outside the plans: " + s.Reference
	}
	c := nameOf(b, s.Plan)
	if s.Section != "" {
		c += ", " + s.Section
	}
	if s.Quote != "" {
		c += ": «" + s.Quote + "»"
	}
	return c
}

func yearText(y *int) string {
	if y == nil {
		return "all years"
	}
	return "as of " + strconv.Itoa(*y)
}

// nok formats an amount the Norwegian way: "1 500 000 NOK".
func nok(v int64) string {
	s := strconv.FormatInt(v, 10)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out) + " NOK"
}

// inline makes text safe on one Markdown line: no line breaks, and the
// characters that start markup escaped.
func inline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return mdEscaper.Replace(s)
}

// cell is inline for a table cell.
func cell(s string) string { return strings.ReplaceAll(inline(s), "|", `\|`) }

var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`)

// scopeText says how something came into a brief.
func scopeText(s Scope) string {
	switch s {
	case ScopeSubTopic:
		return "through the sub-topic"
	case ScopeParent:
		return "through the parent topic"
	}
	return ""
}

// routeLine is a route on one line, each step cited.
func routeLine(bp *BriefPath, cite func(rg.Source) string) string {
	var sb strings.Builder
	sb.WriteString(inline(bp.Path.Nodes[0].Name))
	for i, e := range bp.Path.Edges {
		arrow := "→"
		if e.From != bp.Path.Nodes[i].ID {
			arrow = "←"
		}
		fmt.Fprintf(&sb, " %s%s%s %s %s", arrow, e.Kind, arrow, inline(bp.Path.Nodes[i+1].Name), cite(e.Source))
	}
	return sb.String()
}
