package resolvers

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestDirectStringsAsEncodingJSON checks that the direct path writes
// strings as json.Marshal does, HTML-sensitive characters and the line and
// paragraph separators escaped: the front sends the direct path's data as
// it is, where it used to re-encode it with json.Marshal.
func TestDirectStringsAsEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "Kongsberg", "Øvre Eiker – «Numedal»", `a "quoted" \ back\slash`,
		"<script>alert(1)</script> & more", "line\nfeed\r\ttab", "\x00\x01\x1f\x7f",
		"sep\u2028par\u2029end", "emoji 🚂 and ˝", "bad \xff utf-8 \xe2\x80",
	} {
		var b bytes.Buffer
		(&directWriter{buf: &b}).str(s)
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%q: direct %s, json.Marshal %s", s, b.Bytes(), want)
		}
		if strings.ContainsAny(b.String(), "<>&\u2028\u2029") {
			t.Errorf("%q: unescaped in %s", s, b.Bytes())
		}
	}
}
