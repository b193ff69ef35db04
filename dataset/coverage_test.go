package dataset_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// figureRE finds the figures a plan states: amounts ("150 000",
// "1.500.000"), percentages ("60%"), dates ("9. februar", "16.01.11"),
// years and year ranges ("2011", "2010-2021", "2011 -2012"), and counts of
// people, positions, bodies or areas, in digits or words ("ett årsverk",
// "7 kommunestyrer", "4 kommuner", "de fem vedtatte satsingsområdene").
var figureRE = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`\b\d{1,2}\.\d{2}\.\d{2}\b`,
	`\b\d{1,2}\.\s?(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)\b(?:\s\d{4})?`,
	`\b\d{1,3}(?:[ .]\d{3})+\b`,
	`\b\d+(?:[.,]\d+)?\s?%`,
	`\b(?:\d+|ett|en|to|tre|fire|fem|seks|sju|syv|åtte)\s+(?:\pL+\s+)?(?:årsverk|kommuner|kommunestyrer|satsingsområdene|satsingsområder)\b`,
	`\b(?:19|20)\d{2}\b(?:\s?[–-]\s?(?:19|20)\d{2}\b)?`,
}, "|"))

// figure is one figure as printed in a plan, with some text around it.
type figure struct {
	plan, text, context string
	// before and after are the figure with the word before it and with
	// the word after it, as printed.
	before, after string
}

func planFigures(t *testing.T) []figure {
	t.Helper()
	var out []figure
	for _, plan := range []string{"plan-2011", "plan-2014"} {
		text := normalize(planText(t, plan))
		for _, m := range figureRE.FindAllStringIndex(text, -1) {
			lo, hi := max(0, m[0]-40), min(len(text), m[1]+40)
			for lo > 0 && !utf8Start(text[lo]) {
				lo--
			}
			for hi < len(text) && !utf8Start(text[hi]) {
				hi++
			}
			fig := figure{plan: plan, text: strings.TrimSpace(text[m[0]:m[1]]), context: text[lo:hi]}
			if w := strings.Fields(text[:m[0]]); len(w) > 0 {
				fig.before = w[len(w)-1] + " " + fig.text
			}
			if w := strings.Fields(text[m[1]:]); len(w) > 0 {
				fig.after = fig.text + " " + w[0]
			}
			out = append(out, fig)
		}
	}
	return out
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// omission is a figure deliberately left out of the dataset, and why.
type omission struct {
	plan, figure, reason string
	line                 int
}

// readOmissions reads data/coverage-omissions.txt: one omission a line,
// "plan<TAB>figure as printed<TAB>reason"; # starts a comment.
func readOmissions(t *testing.T) []omission {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "data", "coverage-omissions.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []omission
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		parts := strings.Split(l, "\t")
		if len(parts) != 3 || strings.TrimSpace(parts[2]) == "" {
			t.Fatalf("coverage-omissions.txt:%d: want plan<TAB>figure<TAB>reason, got %q", line, l)
		}
		out = append(out, omission{plan: parts[0], figure: parts[1], reason: parts[2], line: line})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// datasetFacts is what the dataset states: every number in a structured
// field, and the text of every field (names, aliases, descriptions, goals,
// activities, costs as printed, roles, financing cells and quotes),
// normalised as the plan texts are.
type datasetFacts struct {
	numbers map[int64]bool
	texts   []string
}

func collectFacts(t *testing.T) datasetFacts {
	ds := mustBundled(t)
	f := datasetFacts{numbers: map[int64]bool{}}
	num := func(p *int) {
		if p != nil {
			f.numbers[int64(*p)] = true
		}
	}
	text := func(ss ...string) {
		for _, s := range ss {
			if s != "" {
				f.texts = append(f.texts, normalize(s))
			}
		}
	}
	for _, n := range ds.Nodes {
		num(n.PlanYear)
		if n.CostNok != nil {
			f.numbers[*n.CostNok] = true
		}
		for _, ya := range n.YearlyAmounts {
			f.numbers[int64(ya.Year)], f.numbers[ya.AmountNok] = true, true
		}
		if len(n.Adopted) >= 4 {
			if y, err := strconv.Atoi(n.Adopted[:4]); err == nil {
				f.numbers[int64(y)] = true
			}
		}
		text(n.Name, n.Description, n.CostText, n.Source.Quote, n.Adopted, n.Field, n.Category)
		text(n.Aliases...)
		text(n.Goals...)
		text(n.Activities...)
	}
	for _, e := range ds.Edges {
		num(e.FromYear)
		num(e.ToYear)
		if e.AmountNok != nil {
			f.numbers[*e.AmountNok] = true
		}
		text(e.AsWritten, e.Role, e.Source.Quote)
	}
	return f
}

// represented reports whether the dataset states the figure: its value in
// a number field (amounts and years), or the figure as printed in a text
// field together with the word before or after it in the plan (so that
// "ett årsverk til drift" is not taken for "ett årsverk knyttet til ...
// SuksIT").
func (f datasetFacts) represented(fig figure) bool {
	for _, s := range f.texts {
		s = strings.ToLower(s)
		for _, w := range []string{fig.before, fig.after} {
			if w != "" && strings.Contains(s, strings.ToLower(w)) {
				return true
			}
		}
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, fig.text)
	switch {
	case regexp.MustCompile(`^\d{1,3}([ .]\d{3})+$`).MatchString(fig.text), regexp.MustCompile(`^(19|20)\d{2}$`).MatchString(fig.text):
		v, err := strconv.ParseInt(digits, 10, 64)
		return err == nil && f.numbers[v]
	case regexp.MustCompile(`^(19|20)\d{2}\s?[–-]\s?(19|20)\d{2}$`).MatchString(fig.text):
		a, _ := strconv.ParseInt(digits[:4], 10, 64)
		b, _ := strconv.ParseInt(digits[4:], 10, 64)
		return f.numbers[a] && f.numbers[b]
	}
	return false
}

// TestPlanFiguresAreCovered walks both plan texts for figures (amounts,
// percentages, positions, dates, years and counts) and checks that each is
// in the dataset — its value on a node or relation, or the figure as
// printed in one's text — or listed with a reason in
// data/coverage-omissions.txt; and that every listed omission is a figure
// of that plan that the dataset indeed leaves out (no stale entries).
func TestPlanFiguresAreCovered(t *testing.T) {
	figs := planFigures(t)
	if len(figs) < 50 {
		t.Fatalf("found %d figures in the plans; the pattern is broken", len(figs))
	}
	facts := collectFacts(t)
	omitted := map[[2]string]*omission{}
	used := map[[2]string]bool{}
	for _, o := range readOmissions(t) {
		k := [2]string{o.plan, o.figure}
		if omitted[k] != nil {
			t.Errorf("coverage-omissions.txt:%d: %s %q is listed twice", o.line, o.plan, o.figure)
		}
		omitted[k] = &o
	}
	covered, left := 0, 0
	for _, fig := range figs {
		k := [2]string{fig.plan, fig.text}
		if facts.represented(fig) {
			covered++
			if o := omitted[k]; o != nil && !used[k] {
				t.Errorf("coverage-omissions.txt:%d: %s %q is in the dataset; remove the line", o.line, fig.plan, fig.text)
				used[k] = true
			}
			continue
		}
		if omitted[k] != nil {
			left++
			used[k] = true
			continue
		}
		t.Errorf("%s: the figure %q is neither in the dataset nor in data/coverage-omissions.txt: …%s…", fig.plan, fig.text, fig.context)
	}
	for k, o := range omitted {
		if !used[k] && !slices.ContainsFunc(figs, func(f figure) bool { return f.plan == k[0] && f.text == k[1] }) {
			t.Errorf("coverage-omissions.txt:%d: %s has no figure %q", o.line, o.plan, o.figure)
		}
	}
	t.Logf("%d figures in the plans: %d in the dataset, %d deliberately left out", len(figs), covered, left)
}
