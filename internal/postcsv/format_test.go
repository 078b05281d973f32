package postcsv

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestRead(t *testing.T) {
	for _, c := range []struct {
		name     string
		in       string
		encoding string
		text     []string // the text cell of each row, when it reads
		err      string   // words of the error, when it does not
	}{
		{name: "plain", in: "accounts,text\nacme,hello\nnews,bye\n", text: []string{"hello", "bye"}},
		{name: "bom", in: "\ufeffaccounts,text\nacme,hello\n", text: []string{"hello"}},
		{name: "header case and spaces, any order", in: " Text ,ACCOUNTS\nhello,acme\n", text: []string{"hello"}},
		{name: "quotes and line breaks", in: "accounts,text\nacme,\"say \"\"hi\"\",\nthen, go\"\n", text: []string{"say \"hi\",\nthen, go"}},
		{name: "crlf", in: "accounts,text\r\nacme,\"a\r\nb\"\r\n", text: []string{"a\nb"}},
		{name: "semicolons", in: "accounts;text\nacme;hello, world\n", text: []string{"hello, world"}},
		{name: "blank rows skipped", in: "accounts,text\n,\nacme,hi\n\n", text: []string{"hi"}},
		{name: "neutralised cells read back", in: "accounts,text\nacme,'=1+1\nacme,'-5\nacme,'don't\n", text: []string{"=1+1", "-5", "'don't"}},
		{name: "windows-1252", in: "accounts,text\nacme,caf\xe9 \x80\n", encoding: "windows-1252", text: []string{"café €"}},
		{name: "latin-1", in: "accounts,text\nacme,na\xefve\n", encoding: "latin-1", text: []string{"naïve"}},
		{name: "latin-1 not chosen", in: "accounts,text\nacme,ok\nacme,caf\xe9\n", err: "the file is not UTF-8 (line 3 has a byte that is not): it looks like Windows-1252 or Latin-1"},
		{name: "utf-16", in: "\xff\xfea\x00", err: "the file is UTF-16: save it as CSV UTF-8"},
		{name: "unknown encoding", in: "accounts,text\n", encoding: "ebcdic", err: `"ebcdic" is not an encoding Herald reads`},
		{name: "empty", in: "  \n", err: "the file is empty"},
		{name: "header only", in: "accounts,text\n", err: "the file has a header but no rows"},
		{name: "unknown column", in: "accounts,text,colour\nacme,hi,red\n", err: `"colour" is not a column: the columns are date, time, accounts`},
		{name: "missing column", in: "date,text\n2030-01-01,hi\n", err: "the column accounts is missing"},
		{name: "twice", in: "accounts,text,text\nacme,a,b\n", err: "the column text appears twice"},
		{name: "bare quote", in: "accounts,text\nacme,say \"hi\"\n", err: "not valid CSV at line 2, column 10: a cell with a quote in it must be wholly in quotes"},
		{name: "unclosed quote", in: "accounts,text\nacme,\"open\n", err: "a quoted cell is not closed"},
		{name: "wrong cell count", in: "accounts,text\nacme,hi,extra\n", err: "line 2 has 3 cells but the header has 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs, err := Read(strings.NewReader(c.in), c.encoding)
			if c.err != "" {
				var he *herald.Error
				if !errors.As(err, &he) || !strings.Contains(he.Message, c.err) {
					t.Fatalf("error %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(c.text) {
				t.Fatalf("%d rows, want %d", len(recs), len(c.text))
			}
			for i, r := range recs {
				if r.Cells.Get(ColText) != c.text[i] {
					t.Errorf("row %d text %q, want %q", i+1, r.Cells.Get(ColText), c.text[i])
				}
			}
		})
	}
}

// endless is a CSV of posts that never ends, counting what is read of it.
type endless struct {
	read int64
}

func (e *endless) Read(p []byte) (int, error) {
	const header = "date,time,accounts,text\n"
	const row = "2030-01-01,09:00,acme,hello\n"
	n := 0
	for n < len(p) {
		var c byte
		if e.read < int64(len(header)) {
			c = header[e.read]
		} else {
			c = row[(e.read-int64(len(header)))%int64(len(row))]
		}
		p[n] = c
		n++
		e.read++
	}
	return n, nil
}

func TestHugeFilesRefusedEarly(t *testing.T) {
	// A million rows: refused after reading at most the size limit.
	src := &endless{}
	_, err := Read(io.LimitReader(src, 1_000_000*28), "")
	var he *herald.Error
	if !errors.As(err, &he) || he.Code != herald.CodeTooLarge || !strings.Contains(he.Message, "larger than 8 MiB") {
		t.Fatalf("error %v", err)
	}
	if src.read > MaxBytes+64<<10 {
		t.Fatalf("read %d bytes of the file, want at most about %d", src.read, MaxBytes)
	}
	// Many short rows within the size limit: refused by count.
	var b strings.Builder
	b.WriteString("accounts,text\n")
	for range MaxRows + 1 {
		b.WriteString("a,b\n")
	}
	_, err = Read(strings.NewReader(b.String()), "")
	if !errors.As(err, &he) || he.Code != herald.CodeTooLarge || !strings.Contains(he.Message, "more than 10000 rows") {
		t.Fatalf("error %v", err)
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "hello": "hello", "": "", "'=x": "''=x", "''": "'''", "it's": "it's", "'": "'",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
		if back := unneutralise(neutralise(in)); back != in {
			t.Errorf("round trip of %q gives %q", in, back)
		}
	}
	var c Cells
	c.Set(ColText, "=cmd|' /C calc'!A0")
	s, err := Encode([]Record{{Cells: c}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s, "'=cmd|") {
		t.Fatalf("encoded %q", s)
	}
}

func TestWhen(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	r := &refs{loc: paris, now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		date, time string
		want       time.Time
		err        string
	}{
		{date: "2026-12-10", time: "09:00", want: time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)},
		{date: "2026-07-10", time: "09:00", want: time.Date(2026, 7, 10, 7, 0, 0, 0, time.UTC)},
		{date: "2026-12-10T09:00+01:00", want: time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)},
		{date: "2026-12-10 09:00", want: time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)},
		{date: "2026-12-10", time: "09:00-05:00", want: time.Date(2026, 12, 10, 14, 0, 0, 0, time.UTC)},
		{date: "2026-12-10", time: "09:00Z", want: time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)},
		{date: "2026-12-10", time: "09:00:30", want: time.Date(2026, 12, 10, 8, 0, 30, 0, time.UTC)},
		{date: "2026-03-29", time: "02:30", err: "2026-03-29 02:30 does not exist in Europe/Paris"},
		{date: "2026-10-25", time: "02:30", err: "2026-10-25 02:30 happens twice in Europe/Paris"},
		{date: "2026-10-25", time: "02:30+01:00", want: time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)},
		{date: "2026-10-25", time: "02:30+02:00", want: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{date: "10/12/2026", time: "09:00", err: "is not a date: write it as YYYY-MM-DD"},
		{date: "2026-12-10", time: "9am", err: "is not a time"},
		{date: "2026-12-10", time: "09:00+25:00", err: "has an offset Herald cannot read"},
		{date: "2026-12-10", err: "write the time as HH:MM"},
		{time: "09:00", err: "is empty but a time is given"},
		{date: "2025-12-10", time: "09:00", err: "is in the past"},
	} {
		got, probs := r.when(c.date, c.time)
		if c.err != "" {
			if len(probs) != 1 || !strings.Contains(probs[0].Problem, c.err) {
				t.Errorf("%s %s: %+v, want %q", c.date, c.time, probs, c.err)
			}
			continue
		}
		if len(probs) != 0 || got == nil || !got.Equal(c.want) {
			t.Errorf("%s %s = %v %+v, want %v", c.date, c.time, got, probs, c.want)
		}
	}
}

func TestSplitThread(t *testing.T) {
	parts := splitThread("one\n---\ntwo\nlines\n --- \nthree")
	if len(parts) != 3 || parts[1] != "two\nlines" || parts[2] != "three" {
		t.Fatalf("parts %q", parts)
	}
	if splitThread("  ") != nil {
		t.Fatal("an empty cell makes parts")
	}
}

// FuzzRead: no input makes Read panic or return rows with more than
// MaxRows, and whatever it reads encodes and reads back the same.
func FuzzRead(f *testing.F) {
	f.Add("accounts,text\nacme,hi\n", "")
	f.Add("\ufeffdate;time;accounts;text\n2030-01-01;09:00;acme;\"a\nb\"\n", "")
	f.Add("accounts,text\nacme,caf\xe9\n", "windows-1252")
	f.Add("accounts,text\nacme,'=1\n", "")
	f.Fuzz(func(t *testing.T, in, encoding string) {
		recs, err := Read(strings.NewReader(in), encoding)
		if err != nil {
			var he *herald.Error
			if !errors.As(err, &he) {
				t.Fatalf("error without a message for people: %v", err)
			}
			return
		}
		if len(recs) > MaxRows || len(recs) == 0 {
			t.Fatalf("%d rows", len(recs))
		}
		s, err := Encode(recs)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Read(strings.NewReader(s), "")
		if err != nil {
			t.Fatalf("encoded rows do not read back: %v\n%q", err, s)
		}
		if len(again) > len(recs) {
			t.Fatalf("%d rows read back, %d written", len(again), len(recs))
		}
	})
}
