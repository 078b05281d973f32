package web

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The pages' Content-Security-Policy allows no script evaluated from text.
// That holds only while the templates ask for none: Alpine's CSP build
// evaluates an attribute only as a property path of a component registered
// with Alpine.data (a method is called with the event), and htmx runs with
// allowEval off. The checks below read the templ sources for anything
// either would need to evaluate.

// jsPath is what the CSP build of Alpine can evaluate: a property path.
var jsPath = regexp.MustCompile(`^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$`)

// xFor is x-for's "item in items" (or "(item, i) in items").
var xFor = regexp.MustCompile(`^(\w+|\(\s*\w+(\s*,\s*\w+)*\s*\))\s+(in|of)\s+([\w$.]+)$`)

// templAttr finds an attribute of Alpine (x-…, :…, @…) or htmx (hx-…) in a
// templ source: a name after white space. Its value is read by attrAt.
var templAttr = regexp.MustCompile(`(?:^|\s)(x-[a-z][\w:.-]*|hx-[a-z][\w:.-]*|[:@][a-z][\w:.-]*)`)

// attr is one attribute as written in a template.
type attr struct {
	name, value string
	hasValue    bool
	goCode      bool // the value is a Go expression, { … }: unknown until rendered
	where       string
}

// templAttrs returns the Alpine and htmx attributes of a templ source.
func templAttrs(src, file string) []attr {
	var out []attr
	for _, m := range templAttr.FindAllStringSubmatchIndex(src, -1) {
		name, rest := src[m[2]:m[3]], src[m[3]:]
		a := attr{name: name, where: fmt.Sprintf("%s:%d", file, strings.Count(src[:m[2]], "\n")+1)}
		switch {
		case strings.HasPrefix(rest, `="`), strings.HasPrefix(rest, `='`):
			end := strings.IndexByte(rest[2:], rest[1])
			if end < 0 {
				continue
			}
			a.value, a.hasValue = rest[2:2+end], true
		case strings.HasPrefix(rest, "={"):
			a.hasValue, a.goCode = true, true
		case name[0] == ':' || name[0] == '@':
			continue // Go or templ (a component call), not an attribute
		case rest == "" || strings.ContainsRune(" \t\n/>", rune(rest[0])):
		default:
			continue
		}
		out = append(out, a)
	}
	return out
}

// alpineDirective returns the directive an Alpine attribute names, with
// the shorthands spelled out (":x" is "x-bind", "@x" is "x-on"), or "" for
// an attribute that is not Alpine's.
func alpineDirective(name string) string {
	switch {
	case name[0] == ':':
		return "x-bind"
	case name[0] == '@':
		return "x-on"
	case strings.HasPrefix(name, "x-"):
		d, _, _ := strings.Cut(name, ":")
		d, _, _ = strings.Cut(d, ".")
		return d
	}
	return ""
}

// checkAttr says what is wrong with an attribute under the pages' policy:
// components names those registered with Alpine.data, props the property
// names their code defines.
func checkAttr(a attr, components, props map[string]bool) error {
	if strings.HasPrefix(a.name, "hx-") {
		return checkHtmx(a)
	}
	d := alpineDirective(a.name)
	if a.goCode {
		return fmt.Errorf("%s=%s: the value is Go code, which Alpine's CSP build could not evaluate; name a component or property and pass data in data-* attributes", a.name, "{…}")
	}
	switch d {
	case "x-data":
		if !jsPath.MatchString(a.value) || strings.Contains(a.value, ".") {
			return fmt.Errorf(`%s=%q: x-data must name a component registered with Alpine.data`, a.name, a.value)
		}
		if !components[a.value] {
			return fmt.Errorf(`%s=%q: no static script registers the component with Alpine.data(%q, …)`, a.name, a.value, a.value)
		}
		return nil
	case "x-model":
		return fmt.Errorf(`%s=%q: Alpine's CSP build cannot assign through x-model; read the field with x-init and x-on:input calling a method`, a.name, a.value)
	case "x-for":
		m := xFor.FindStringSubmatch(a.value)
		if m == nil {
			return fmt.Errorf(`%s=%q: x-for must read "item in path"`, a.name, a.value)
		}
		return checkPath(a, m[4], props)
	case "x-init", "x-show", "x-bind", "x-on", "x-text", "x-html", "x-if", "x-effect", "x-modelable", "x-id":
		return checkPath(a, a.value, props)
	case "x-ref", "x-cloak", "x-ignore", "x-transition", "x-teleport":
		return nil // a name, a selector or classes: nothing evaluated
	}
	return fmt.Errorf("%s: a directive this check does not know; teach it what Alpine evaluates there", a.name)
}

// checkPath checks an expression is a property path whose first name a
// registered component defines (or one of Alpine's magics, $el, $refs, …).
func checkPath(a attr, expr string, props map[string]bool) error {
	if !jsPath.MatchString(expr) {
		return fmt.Errorf(`%s=%q: Alpine's CSP build evaluates only a property path; move the expression into a getter or method of a component registered with Alpine.data`, a.name, expr)
	}
	first, _, _ := strings.Cut(expr, ".")
	if !strings.HasPrefix(first, "$") && !props[first] {
		return fmt.Errorf(`%s=%q: no component registered with Alpine.data defines %q`, a.name, expr, first)
	}
	return nil
}

// checkHtmx refuses what htmx would evaluate as JavaScript (it runs with
// allowEval off, so these would fail at run time).
func checkHtmx(a attr) error {
	switch {
	case strings.HasPrefix(a.name, "hx-on"):
		return fmt.Errorf("%s: htmx evaluates hx-on handlers; put the handler in a static script", a.name)
	case a.name == "hx-vars":
		return fmt.Errorf("hx-vars: htmx evaluates it; use hx-vals with JSON")
	case a.name == "hx-vals" && (strings.HasPrefix(a.value, "js:") || strings.HasPrefix(a.value, "javascript:")):
		return fmt.Errorf("hx-vals=%q: htmx evaluates a js: value; use JSON", a.value)
	case a.name == "hx-trigger" && strings.Contains(a.value, "["):
		return fmt.Errorf("hx-trigger=%q: htmx evaluates an event filter [...]; filter in a static script", a.value)
	}
	return nil
}

// alpineData matches a component registration in a static script.
var alpineData = regexp.MustCompile(`Alpine\.data\(\s*"([\w$]+)"`)

// componentProp matches a property, getter or method defined in a
// component's body: "text: …", "get blank() …", "read() …".
var componentProp = regexp.MustCompile(`(?m)^\s*(?:get\s+)?([A-Za-z_$][\w$]*)\s*(?::|\()`)

// registered reads the static scripts for the components registered with
// Alpine.data and the property names their bodies define.
func registered(t *testing.T) (components, props map[string]bool) {
	t.Helper()
	components, props = map[string]bool{}, map[string]bool{}
	files, err := filepath.Glob(filepath.Join("static", "*.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no static scripts: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for _, m := range alpineData.FindAllStringSubmatchIndex(src, -1) {
			components[src[m[2]:m[3]]] = true
			body := src[m[1]:]
			depth := 1 // the "(" of Alpine.data
			for i, c := range body {
				if c == '(' {
					depth++
				} else if c == ')' {
					depth--
				}
				if depth == 0 {
					body = body[:i]
					break
				}
			}
			for _, p := range componentProp.FindAllStringSubmatch(body, -1) {
				if p[1] != "function" && p[1] != "return" {
					props[p[1]] = true
				}
			}
		}
	}
	return components, props
}

// TestAlpineExpressions reads every template for an Alpine or htmx
// attribute the policy would break: each names registered components and
// their properties, and nothing htmx would evaluate.
func TestAlpineExpressions(t *testing.T) {
	components, props := registered(t)
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	var alpine []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range templAttrs(string(b), f) {
			if err := checkAttr(a, components, props); err != nil {
				t.Errorf("%s: %v", a.where, err)
			}
			if alpineDirective(a.name) != "" {
				alpine = append(alpine, a.name+"="+a.value)
			}
		}
	}
	// The templates do use Alpine: a scan that finds nothing reads wrong.
	for _, use := range []string{"x-data=textField", "x-data=confirmName", ":hidden=filled", "x-bind:disabled=blank", "x-on:input=read"} {
		if !slices.Contains(alpine, use) {
			t.Errorf("the scan did not find %s among %v", use, alpine)
		}
	}
}

// TestAlpineCheck feeds the checker attributes the CSP build cannot
// evaluate, and some it can.
func TestAlpineCheck(t *testing.T) {
	components := map[string]bool{"textField": true}
	props := map[string]bool{"read": true, "blank": true, "items": true}
	src := `<div x-data="textField" class="x">
	<input x-init="read" x-on:input.debounce="read" :disabled="blank" @keyup="read"/>
	<template x-for="(item, i) in items"><span x-text="$el.id" x-cloak></span></template>
	<div x-data="{open: false}" x-show="open"></div>
	<p :hidden="alt.trim() !== ''" x-model="alt" x-data={ "{a: " + x + "}" }></p>
	<b x-data="menu" x-text="nope" x-frobnicate="read"></b>
	<a hx-get="/x" hx-trigger="click[ctrlKey]" hx-on:click="go()" hx-vals='js:{a: 1}' hx-vars="a:1"></a>
	@fieldError("x", y)
	</div>`
	wantErr := map[string]bool{
		`x-data="textField"`: false, `x-init="read"`: false, `x-on:input.debounce="read"`: false,
		`:disabled="blank"`: false, `@keyup="read"`: false, `x-for="(item, i) in items"`: false,
		`x-text="$el.id"`: false, `x-cloak=""`: false, `hx-get="/x"`: false,
		`x-data="{open: false}"`: true, `x-show="open"`: true, `:hidden="alt.trim() !== ''"`: true,
		`x-model="alt"`: true, `x-data="{…}"`: true, `x-data="menu"`: true, `x-text="nope"`: true,
		`x-frobnicate="read"`: true, `hx-trigger="click[ctrlKey]"`: true, `hx-on:click="go()"`: true,
		`hx-vals="js:{a: 1}"`: true, `hx-vars="a:1"`: true,
	}
	got := map[string]bool{}
	for _, a := range templAttrs(src, "test.templ") {
		key := fmt.Sprintf("%s=%q", a.name, a.value)
		if a.goCode {
			key = a.name + `="{…}"`
		}
		got[key] = checkAttr(a, components, props) != nil
	}
	for key, bad := range wantErr {
		if g, ok := got[key]; !ok {
			t.Errorf("the scan missed %s", key)
		} else if g != bad {
			t.Errorf("%s: refused = %v, want %v", key, g, bad)
		}
	}
	if len(got) != len(wantErr) {
		t.Errorf("the scan found %d attributes, want %d: %v", len(got), len(wantErr), got)
	}
}

// TestContentSecurityPolicy checks the policy the pages carry allows no
// evaluated or inline script, and that the pages need neither: the Alpine
// they load is the CSP build and htmx has eval turned off.
func TestContentSecurityPolicy(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	b := e.browser()
	pages := []string{"/signin", wsURL(w.ID), settingsURL(w.ID, ""), wsURL(w.ID) + "crisis", wsURL(w.ID) + "compose"}
	inline := regexp.MustCompile(`<script\b[^>]*>`)
	for i, path := range pages {
		if i == 1 {
			b.signIn("ana@example.com")
		}
		a := b.get(path)
		want(t, a, http.StatusOK, `"allowEval":false`)
		policy := a.Header.Get("Content-Security-Policy")
		var script string
		for _, d := range strings.Split(policy, ";") {
			if f := strings.Fields(d); len(f) > 0 && f[0] == "script-src" {
				script = strings.Join(f[1:], " ")
			}
		}
		if script != "'self'" {
			t.Errorf("GET %s: script-src is %q in %q, want only 'self' (no 'unsafe-eval', no 'unsafe-inline')", path, script, policy)
		}
		for _, tag := range inline.FindAllString(a.Body, -1) {
			if !strings.Contains(tag, " src=") {
				t.Errorf("GET %s: an inline script %s, which the policy blocks", path, tag)
			}
		}
		if !strings.Contains(a.Body, "vendor/alpine-csp.min.js") {
			t.Errorf("GET %s does not load Alpine's CSP build", path)
		}
	}
	alpine, err := static.ReadFile("static/vendor/alpine-csp.min.js")
	if err != nil {
		t.Fatal(err)
	}
	// Only the CSP build says so when an expression is beyond it.
	if !strings.Contains(string(alpine), "CSP-friendly build") {
		t.Error("static/vendor/alpine-csp.min.js is not Alpine's CSP build (it evaluates expressions as code); run go generate with @alpinejs/csp")
	}
}
