package api

import (
	"html/template"
	"net/http"
)

// The sign-in pages: minimal, server-rendered, accessible HTML with no JavaScript (issue 12
// gives them the GOV.UK layout). Every page has a language, a title and one heading; every
// form posts to this origin, which CrossOriginProtection checks.

var signinPages = template.Must(template.New("layout").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – Awards</title></head>
<body>
<main>
<h1>{{.Title}}</h1>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Code}}<p>Your code is:</p>
<p><strong style="font-size:2em; letter-spacing:0.1em">{{.Code}}</strong></p>
<p>Type or paste it into the <code>starter login</code> prompt. It works once, until the link would have expired.</p>
{{end}}{{if .Form}}{{template "form" .Form}}{{end}}
</main>
</body>
</html>
{{define "form"}}<form method="{{or .Method "post"}}" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}{{range .Fields}}<p><label for="{{.Name}}">{{.Label}}</label><br>
<input id="{{.Name}}" name="{{.Name}}" type="{{.Type}}" value="{{.Value}}" autocomplete="{{.Autocomplete}}" required></p>
{{end}}<button type="submit">{{.Button}}</button>
</form>
{{range .More}}{{template "form" .}}{{end}}{{end}}`))

type page struct {
	Title      string
	Paragraphs []string
	Code       string
	Form       *pageForm
}

type pageForm struct {
	Method string // "get" for a button that only leads to another page; post if empty
	Action string
	Hidden []pageField
	Fields []pageField
	Button string
	More   []*pageForm // further forms after this one (sign out everywhere)
}

type pageField struct {
	Name, Label, Type, Value, Autocomplete string
}

// writePage renders a sign-in page. Pages are never cached: they can hold a code or a name.
func writePage(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// No script, no frame, no form target elsewhere.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_ = signinPages.Execute(w, p)
}
