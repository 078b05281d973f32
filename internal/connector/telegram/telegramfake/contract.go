package telegramfake

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/connector/specfile"
)

// SpecFile is the Bot API's machine-readable method and type list (scraped
// from core.telegram.org/bots/api), relative to the folder that holds the
// repository.
const SpecFile = "shared/specs/telegram-bot-api.json"

// FindSpec walks up from dir to the folder holding go.mod and returns the
// path of the Bot API list beside the repository, and whether it exists.
func FindSpec(dir string) (string, bool) {
	return specfile.Find(dir, SpecFile)
}

type specField struct {
	Name        string   `json:"name"`
	Types       []string `json:"types"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`
}

// always returns the one value a field may have, where its description
// says `always "…"` or ends in "must be …" (the tag of a subtype:
// ChatMember's status, InputMedia's type), and whether there is one.
func (f specField) always() (string, bool) {
	if _, rest, ok := strings.Cut(f.Description, `always "`); ok {
		v, _, ok := strings.Cut(rest, `"`)
		return v, ok
	}
	i := strings.LastIndex(f.Description, "must be ")
	if i < 0 {
		return "", false
	}
	v := f.Description[i+len("must be "):]
	if v == "" || strings.ContainsAny(v, " ,.") {
		return "", false
	}
	return v, true
}

type specEntry struct {
	Name     string      `json:"name"`
	Fields   []specField `json:"fields"`
	Returns  []string    `json:"returns"`
	Subtypes []string    `json:"subtypes"`
}

// Contract checks method calls and their results against the Bot API
// list: every parameter is one the method has, of one of its types, the
// required ones are there; every object in an answer has only the type's
// fields, of their types, and all its required ones. The list is not
// OpenAPI (Telegram publishes none), so the check is written here over
// its fields and types. It is read-only after loading, so safe for
// concurrent use.
type Contract struct {
	Version string
	methods map[string]specEntry
	types   map[string]specEntry
}

// LoadContract reads the list at path.
func LoadContract(path string) (*Contract, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("telegramfake: read the Bot API list: %w", err)
	}
	var doc struct {
		Version string               `json:"version"`
		Methods map[string]specEntry `json:"methods"`
		Types   map[string]specEntry `json:"types"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("telegramfake: decode the Bot API list: %w", err)
	}
	if len(doc.Methods) == 0 || len(doc.Types) == 0 {
		return nil, fmt.Errorf("telegramfake: the Bot API list at %s has no methods or types", path)
	}
	return &Contract{Version: doc.Version, methods: doc.Methods, types: doc.Types}, nil
}

// Params are a call's parameters as they arrived: JSON values from a JSON
// body, or strings from a form (objects and arrays JSON-encoded in them),
// and the names of the files a multipart form carried.
type Params struct {
	Values map[string]any
	Form   bool
	Files  map[string]bool
}

// CheckRequest returns the list's objections to a call of method.
func (c *Contract) CheckRequest(method string, p Params) []string {
	m, ok := c.methods[method]
	if !ok {
		return []string{fmt.Sprintf("%s is not a Bot API method", method)}
	}
	var out []string
	known := map[string]specField{}
	for _, f := range m.Fields {
		known[f.Name] = f
		if _, there := p.Values[f.Name]; f.Required && !there && !p.Files[f.Name] {
			out = append(out, fmt.Sprintf("%s: the required parameter %s is missing", method, f.Name))
		}
	}
	for _, name := range sortedKeys(p.Values) {
		f, ok := known[name]
		if !ok {
			out = append(out, fmt.Sprintf("%s: %s is not a parameter of the method", method, name))
			continue
		}
		for _, e := range c.checkParam(f.Types, p.Values[name], p) {
			out = append(out, fmt.Sprintf("%s: %s: %s", method, name, e))
		}
	}
	for name := range p.Files {
		if f, ok := known[name]; ok {
			if !slicesContains(f.Types, "InputFile") {
				out = append(out, fmt.Sprintf("%s: %s is a file but the parameter takes %s", method, name, strings.Join(f.Types, " or ")))
			}
			continue
		}
		if !p.attached(name) {
			out = append(out, fmt.Sprintf("%s: the file %s is neither a parameter nor attached (attach://%s)", method, name, name))
		}
	}
	return out
}

// attached reports whether a JSON value of the call refers to file name.
func (p Params) attached(name string) bool {
	for _, v := range p.Values {
		s, _ := v.(string)
		if strings.Contains(s, `"attach://`+name+`"`) {
			return true
		}
	}
	return false
}

// checkParam checks one parameter: a form sends scalars as text and
// objects and arrays as JSON text.
func (c *Contract) checkParam(types []string, v any, p Params) []string {
	if s, ok := v.(string); ok && p.Form {
		if _, union := arrayUnion(types); union {
			var j any
			if err := json.Unmarshal([]byte(s), &j); err != nil {
				return []string{fmt.Sprintf("must be a JSON-serialized array: %v", err)}
			}
			return c.checkAny(types, j, "")
		}
		var errs []string
		for _, t := range types {
			var e []string
			switch {
			case t == "String":
				return nil
			case t == "Integer":
				if _, err := strconv.ParseInt(s, 10, 64); err == nil {
					return nil
				}
				e = []string{fmt.Sprintf("%q is not an Integer", s)}
			case t == "Float":
				if _, err := strconv.ParseFloat(s, 64); err == nil {
					return nil
				}
				e = []string{fmt.Sprintf("%q is not a Float", s)}
			case t == "Boolean" || t == "True":
				if s == "true" || s == "false" || s == "True" || s == "False" {
					return nil
				}
				e = []string{fmt.Sprintf("%q is not a Boolean", s)}
			case t == "InputFile":
				if strings.HasPrefix(s, "attach://") && p.Files[strings.TrimPrefix(s, "attach://")] {
					return nil
				}
				e = []string{fmt.Sprintf("%q names no attached file", s)}
			default:
				var j any
				if err := json.Unmarshal([]byte(s), &j); err != nil {
					e = []string{fmt.Sprintf("%s must be JSON-serialized: %v", t, err)}
				} else {
					e = c.check(t, j, "")
				}
			}
			if len(e) == 0 {
				return nil
			}
			errs = append(errs, e...)
		}
		return errs
	}
	return c.checkAny(types, v, "")
}

// CheckResult returns the list's objections to the result of method.
func (c *Contract) CheckResult(method string, result json.RawMessage) []string {
	m, ok := c.methods[method]
	if !ok {
		return nil // refused as a request already
	}
	var v any
	if err := json.Unmarshal(result, &v); err != nil {
		return []string{fmt.Sprintf("%s: the result is not JSON: %v", method, err)}
	}
	var out []string
	for _, e := range c.checkAny(m.Returns, v, "result") {
		out = append(out, method+": "+e)
	}
	return out
}

// CheckError returns the list's objections to an error answer: ok false,
// error_code, description, and parameters of type ResponseParameters.
func (c *Contract) CheckError(body map[string]any) []string {
	var out []string
	if body["ok"] != false {
		out = append(out, "an error answer must have ok false")
	}
	if n, ok := body["error_code"].(float64); !ok || n != math.Trunc(n) {
		out = append(out, "an error answer must have an Integer error_code")
	}
	if _, ok := body["description"].(string); !ok {
		out = append(out, "an error answer must have a String description")
	}
	if p, ok := body["parameters"]; ok {
		out = append(out, c.check("ResponseParameters", p, "parameters")...)
	}
	for k := range body {
		switch k {
		case "ok", "error_code", "description", "parameters":
		default:
			out = append(out, fmt.Sprintf("an error answer has the field %s, which the Bot API does not send", k))
		}
	}
	return out
}

// checkAny accepts v when it conforms to one of types. Several "Array of
// X" are one array whose items are each one of the X: the official page
// writes sendMediaGroup's media as "Array of InputMediaAudio,
// InputMediaDocument, InputMediaPhoto and InputMediaVideo", and photos and
// videos go together in one album (only documents and audio may not mix,
// which the method's description says and the fake enforces).
func (c *Contract) checkAny(types []string, v any, at string) []string {
	if elems, ok := arrayUnion(types); ok {
		arr, isArr := v.([]any)
		if !isArr {
			return []string{fmt.Sprintf("%s is %s, not an array", name(at), describe(v))}
		}
		var out []string
		for i, x := range arr {
			out = append(out, c.checkAny(elems, x, fmt.Sprintf("%s[%d]", at, i))...)
		}
		return out
	}
	var errs []string
	for _, t := range types {
		e := c.check(t, v, at)
		if len(e) == 0 {
			return nil
		}
		errs = append(errs, e...)
	}
	if len(types) > 1 {
		return []string{fmt.Sprintf("%s conforms to none of %s: %s", name(at), strings.Join(types, ", "), strings.Join(errs, "; "))}
	}
	return errs
}

// check checks v against one type of the list.
func (c *Contract) check(t string, v any, at string) []string {
	if elem, ok := strings.CutPrefix(t, "Array of "); ok {
		arr, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s is not an array (%s)", name(at), t)}
		}
		var out []string
		for i, x := range arr {
			out = append(out, c.check(elem, x, fmt.Sprintf("%s[%d]", at, i))...)
		}
		return out
	}
	bad := func() []string { return []string{fmt.Sprintf("%s is %s, not %s", name(at), describe(v), t)} }
	switch t {
	case "Integer":
		if n, ok := v.(float64); ok && n == math.Trunc(n) {
			return nil
		}
		return bad()
	case "Float":
		if _, ok := v.(float64); ok {
			return nil
		}
		return bad()
	case "String":
		if _, ok := v.(string); ok {
			return nil
		}
		return bad()
	case "Boolean":
		if _, ok := v.(bool); ok {
			return nil
		}
		return bad()
	case "True":
		if b, ok := v.(bool); ok && b {
			return nil
		}
		return bad()
	case "InputFile":
		return []string{fmt.Sprintf("%s: a file cannot be sent in JSON", name(at))}
	}
	e, ok := c.types[t]
	if !ok {
		return []string{fmt.Sprintf("%s: the type %s is not in the Bot API list", name(at), t)}
	}
	if len(e.Subtypes) > 0 {
		return c.checkAny(e.Subtypes, v, at)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return bad()
	}
	var out []string
	known := map[string]specField{}
	for _, f := range e.Fields {
		known[f.Name] = f
		if _, there := obj[f.Name]; f.Required && !there {
			out = append(out, fmt.Sprintf("%s (%s) lacks the required field %s", name(at), t, f.Name))
		}
	}
	for _, k := range sortedKeys(obj) {
		f, ok := known[k]
		if !ok {
			out = append(out, fmt.Sprintf("%s (%s) has the field %s, which the type does not have", name(at), t, k))
			continue
		}
		out = append(out, c.checkAny(f.Types, obj[k], join(at, k))...)
		if want, ok := f.always(); ok && obj[k] != want {
			out = append(out, fmt.Sprintf("%s (%s) has %s %v; the type's is always %q", name(at), t, k, obj[k], want))
		}
	}
	return out
}

func join(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

func name(at string) string {
	if at == "" {
		return "the value"
	}
	return at
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// arrayUnion returns the X of types that are all "Array of X", when there
// are several.
func arrayUnion(types []string) ([]string, bool) {
	if len(types) < 2 {
		return nil, false
	}
	var elems []string
	for _, t := range types {
		e, ok := strings.CutPrefix(t, "Array of ")
		if !ok {
			return nil, false
		}
		elems = append(elems, e)
	}
	return elems, true
}
