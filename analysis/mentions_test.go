package analysis

import "testing"

// TestMentions: a needle is found at the start of a word; as a whole word
// unless prefix is set.
func TestMentions(t *testing.T) {
	for _, c := range []struct {
		hay, needle  string
		prefix, want bool
	}{
		{"e134 2.1 utvikling", "e134", false, true},
		{"vedtatte tiltak: e134.", "e134", false, true},
		{"e1345", "e134", false, false},
		{"re134", "e134", false, false},
		{"re134", "e134", true, false},
		{"fiber / bredbandstilbudet", "bredband", false, false},
		{"fiber / bredbandstilbudet", "bredband", true, true},
		{"hoykon-nettet", "hoykon", false, true},
		{"", "e134", false, false},
		{"e134", "", false, false},
	} {
		if got := mentions(c.hay, c.needle, c.prefix); got != c.want {
			t.Errorf("mentions(%q, %q, %v) = %v, want %v", c.hay, c.needle, c.prefix, got, c.want)
		}
	}
}
