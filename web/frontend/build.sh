#!/bin/sh
# Regenerates the committed front-end assets from node_modules (run `npm ci` here first;
# `make assets` at the repository root does both):
#   web/static/app.css                  GOV.UK Frontend + app styles (app.scss), compressed
#   web/static/govuk-frontend.min.js    GOV.UK Frontend's ES module (app.js imports it)
#   integration/testdata/axe/axe.min.js axe-core, for the accessibility tests (+ its README)
# web/static/app.js and favicon.svg are written by hand.
set -eu
cd "$(dirname "$0")"
static=../static
axe=../../integration/testdata/axe
version() { node -p "require('./node_modules/$1/package.json').version"; }

./node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules \
	app.scss "$static/app.css"
# The source map is not shipped, so drop the comment that points at it.
sed 's|//# sourceMappingURL=.*$||' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
	>"$static/govuk-frontend.min.js"

mkdir -p "$axe"
cp node_modules/axe-core/axe.min.js "$axe/axe.min.js"
cat >"$axe/README.md" <<README
# axe-core $(version axe-core)

\`axe.min.js\` is [axe-core](https://github.com/dequelabs/axe-core) $(version axe-core) by Deque
Systems, Inc., copied unchanged from the npm package by \`make assets\` (pinned in
\`web/frontend/package.json\`). The integration tests inject it into pages in headless Chromium
to check them for accessibility problems.

Licence: Mozilla Public License 2.0 (MPL-2.0), http://mozilla.org/MPL/2.0/ — the notice is
kept at the top of the file. It is used unmodified; its source is the npm package
\`axe-core@$(version axe-core)\`.
README

echo "built: govuk-frontend $(version govuk-frontend), sass $(version sass), axe-core $(version axe-core)"
ls -l "$static/app.css" "$static/govuk-frontend.min.js" "$axe/axe.min.js"
