// Package e2e holds Herald's end-to-end tests: a real `herald serve`
// process (SQLite in a temporary folder, the test platform enabled) and the
// out-of-process test platform (`herald dev fake-platform`), driven through
// the web interface in headless Chromium.
//
// The flows cover first run, connecting an account, composing a thread
// with an image, the calendar, publishing, approvals, the crisis switch and
// resolving an unconfirmed post by hand. TestScreenshots builds a realistic
// workspace and checks the home page, the calendar and the composer
// render; with -update it also writes the README's screenshots:
//
//	go test ./internal/e2e -run TestScreenshots -update
//
// The tests skip when chromium is not installed.
package e2e
