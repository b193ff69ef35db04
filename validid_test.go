package regiongraph

import "testing"

// ValidID agrees with idPattern (and the length limit) on ids of every
// form.
func TestValidIDIsThePattern(t *testing.T) {
	long := ""
	for len(long) < MaxIDLen {
		long += "a"
	}
	for _, id := range []string{"", "a", "a-b", "a--b", "-a", "a-", "A", "æ", "a b", "kommune-1", "1-2-3", "a_b", "-", "--", "a\n", long, long + "a", long[1:] + "-"} {
		want := len(id) <= MaxIDLen && idPattern.MatchString(id)
		if got := ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
}

func FuzzValidID(f *testing.F) {
	f.Add("kommune-a")
	f.Add("a--b")
	f.Fuzz(func(t *testing.T, id string) {
		if want := len(id) <= MaxIDLen && idPattern.MatchString(id); ValidID(id) != want {
			t.Fatalf("ValidID(%q) = %v, want %v", id, !want, want)
		}
	})
}
