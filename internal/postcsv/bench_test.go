package postcsv_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postcsv"
)

// tenThousand is a file of 10,000 scheduled posts over a year, half of
// them on both accounts, with labels, campaigns and first comments.
func tenThousand() string {
	var b strings.Builder
	b.WriteString("date,time,accounts,text,first_comment,labels,campaign,status\n")
	for i := range postcsv.MaxRows {
		accounts := "acme"
		if i%2 == 0 {
			accounts = "acme; fake:news"
		}
		fmt.Fprintf(&b, "2030-%02d-%02d,%02d:%02d,%s,\"Post number %d, with a comma\",Thanks for reading,Launch,Spring sale,scheduled\n",
			1+i%12, 1+i%28, 8+i%10, i%60, accounts, i)
	}
	return b.String()
}

// BenchmarkCSVPreview10k reads and checks a 10,000-row file (target: 2 s).
func BenchmarkCSVPreview10k(b *testing.B) {
	file := tenThousand()
	forEachStore(b, func(tb testing.TB, st herald.Store) {
		b := tb.(*testing.B)
		w := newWorld(b, st)
		ctx := context.Background()
		for b.Loop() {
			recs, err := postcsv.Read(strings.NewReader(file), "")
			if err != nil {
				b.Fatal(err)
			}
			p, err := w.csv.Preview(ctx, w.owner, recs)
			if err != nil || p.Valid != postcsv.MaxRows {
				b.Fatalf("preview: %d valid, %v", p.Valid, err)
			}
		}
	})
}

// BenchmarkCSVImport10k reads, checks and imports a 10,000-row file in
// one transaction (target: 10 s).
func BenchmarkCSVImport10k(b *testing.B) {
	file := tenThousand()
	forEachStore(b, func(tb testing.TB, st herald.Store) {
		b := tb.(*testing.B)
		w := newWorld(b, st)
		ctx := context.Background()
		for b.Loop() {
			recs, err := postcsv.Read(strings.NewReader(file), "")
			if err != nil {
				b.Fatal(err)
			}
			res, err := w.csv.Import(ctx, w.owner, recs, false)
			if err != nil || res.Imported != postcsv.MaxRows {
				b.Fatalf("import: %+v, %v", res.Imported, err)
			}
		}
	})
}
