package graphfake

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPaginate(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	get := func(q string) ([]string, map[string]any, string) {
		r := httptest.NewRequest("GET", "/x?"+q, nil)
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		return Paginate(r, items, id)
	}
	page, paging, bad := get("limit=2")
	if bad != "" || fmt.Sprint(page) != "[a b]" || paging == nil {
		t.Fatalf("first page %v %v %q", page, paging, bad)
	}
	var walked []string
	for q := "limit=2"; ; {
		page, paging, bad := get(q)
		if bad != "" {
			t.Fatal(bad)
		}
		walked = append(walked, page...)
		if len(page) == 0 {
			break
		}
		after := paging["cursors"].(map[string]string)["after"]
		q = "limit=2&after=" + after
	}
	if strings.Join(walked, "") != "abcde" {
		t.Errorf("walked %v", walked)
	}
	if page, paging, _ := get(""); len(page) != 5 || paging != nil {
		t.Errorf("one page: %v %v, want every item and no cursors", page, paging)
	}
	for _, q := range []string{"limit=x", "limit=-1", "after=nope", "after=" + PageCursor("zz"), "after=a&before=b"} {
		if _, _, bad := get(q); bad == "" {
			t.Errorf("%s is accepted", q)
		}
	}
}
