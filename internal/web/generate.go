package web

// Browser libraries from web/package.json (run `npm ci` in web/ first), then
// the templ templates. Both outputs are committed.
//go:generate go run ./internal/assetgen -modules ../../web/node_modules -out static/vendor -zones zones.txt -icons icons
//go:generate go run github.com/a-h/templ/cmd/templ@v0.3.977 generate -path .
