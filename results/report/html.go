package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteHTML writes a document as one self-contained HTML page that needs no network:
// inline CSS and inline SVG figures. The page has the document's title and facts, its
// listings, then each part: the sections of a part without a heading as the page's
// sections, a part with a heading as one section holding its sections; then the lists.
// A section shows its tables as <table> elements (entries with a value have class "num",
// the others class "state"; highlighted ones "solved-all", "solved-some" or "baseline";
// in stacked tables values below or above their threshold are in class "below" or
// "above"), its summary, its figures as inline SVG and its notes. Text is escaped. The
// output depends only on the document: two calls give the same bytes.
func WriteHTML(w io.Writer, d *Document) error {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// mainPart is the first part without a heading, nil if none.
func mainPart(d *Document) *Part {
	for _, p := range d.Parts {
		if p.Heading == "" {
			return p
		}
	}
	return nil
}

// entryClass is an entry's class on the page.
func entryClass(e Entry) string {
	c := "num"
	switch e.Kind {
	case NoValue:
		c = "state"
	case Absent:
		c = "state none"
	}
	switch e.Tone {
	case AllSolved:
		c += " solved-all"
	case SomeSolved:
		c += " solved-some"
	case Reference:
		c += " baseline"
	}
	return c
}

// markClass is the class of a marked span, "" for others.
func markClass(s Span) string {
	switch s.Style {
	case Low:
		return "below"
	case High:
		return "above"
	}
	return ""
}

func pageNotes(notes []Note) []string {
	var out []string
	for _, n := range notes {
		if n.Only != Print {
			out = append(out, n.Text)
		}
	}
	return out
}

// htmlParts splits a cell's text at its spaces into the pieces that must not break
// across lines: "0.012 [0.0096–0.014]" gives "0.012" and "[0.0096–0.014]", and
// "0.0038 ± 0.004" gives "0.0038" and "± 0.004". Joined by spaces they are the text.
func htmlParts(s string) []string {
	var parts []string
	for _, w := range strings.Split(s, " ") {
		if n := len(parts); n > 0 && parts[n-1] == "±" {
			parts[n-1] += " " + w
			continue
		}
		parts = append(parts, w)
	}
	return parts
}

// inlineSVG draws a figure for inclusion in HTML: without the XML declaration and
// comments before the <svg> element. The plotting library escapes the text it draws.
func inlineSVG(f *Figure) (template.HTML, error) {
	p, err := f.Chart.Plot()
	if err != nil {
		return "", fmt.Errorf("%s: %w", f.Name, err)
	}
	doc, err := SVG(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", f.Name, err)
	}
	if i := bytes.Index(doc, []byte("<svg")); i >= 0 {
		doc = doc[i:]
	}
	return template.HTML(bytes.TrimSpace(doc)), nil
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"parts": htmlParts, "class": entryClass, "mark": markClass, "pageNotes": pageNotes,
	"svg": inlineSVG, "main": mainPart,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --fg: #1a1a1a; --muted: #5a5a5a; --rule: #c8c8c8; --state-bg: #fbeee4; --state-fg: #8a3b00;
        --all-bg: #c8e8d5; --some-bg: #e8f4ec; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 16px 24px 48px; max-width: 1260px; color: var(--fg);
       font: 15px/1.45 "Liberation Sans", Arial, Helvetica, sans-serif; background: #fff; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 20px; margin: 28px 0 8px; padding-top: 8px; border-top: 2px solid var(--rule); }
h3 { font-size: 16px; margin: 14px 0 6px; }
p.about { margin: 0 0 8px; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 12px; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
pre.spec { background: #f5f5f5; border: 1px solid var(--rule); padding: 8px 12px; overflow-x: auto;
           font: 13px/1.35 "Liberation Mono", Menlo, Consolas, monospace; margin: 4px 0 12px; }
.tables { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
.tables > div { min-width: 0; max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: 4px 0; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 0 0 4px; max-width: 36em; }
th, td { border: 1px solid var(--rule); padding: 3px 10px; }
thead th { background: #f0f0f0; text-align: center; }
tbody th, tfoot th { text-align: left; background: #fafafa; font-weight: normal; }
td.num { text-align: right; }
span.nb { white-space: nowrap; }
td.state { text-align: center; font-style: italic; color: var(--state-fg); background: var(--state-bg); }
td.none { color: var(--muted); background: #fff; }
td.solved-all { background: var(--all-bg); }
td.solved-some { background: var(--some-bg); }
tfoot td, tfoot th { color: var(--muted); border-top: 2px solid var(--rule); }
p.note, p.key { margin: 2px 0; font-size: 13px; color: var(--muted); max-width: 48em; }
span.swatch { display: inline-block; width: 1.6em; height: 0.9em; vertical-align: middle;
              border: 1px solid var(--rule); }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 8px 20px; margin-top: 14px; }
figure { margin: 0; }
figure svg { display: block; width: 100%; max-width: 640px; height: auto; }
figure svg text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif !important; }
ul.trials, ul.problems { padding-left: 20px; }
ul.trials code, ul.problems code { font-size: 13px; }
.msg { color: var(--muted); }
td.grad { text-align: left; }
td.grad span.line { display: block; white-space: nowrap; }
span.below { color: #0060a0; }
span.above { color: #b34700; font-weight: bold; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<dl class="facts">
{{- range .Facts}}
<dt>{{.Name}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
{{- with $main := main .}}{{if $main.Sections}}
<p class="key">Tasks: {{range $i, $s := $main.Sections}}{{if $i}}, {{end}}<a href="#{{$s.ID}}">{{$s.Name}}</a>{{end}}{{range $.Parts}}{{if .Heading}}; <a href="#{{.ID}}">{{.Link}}</a>{{end}}{{end}}.
Table key: <span class="swatch" style="background: var(--all-bg)"></span> all trials solved,
<span class="swatch" style="background: var(--some-bg)"></span> some solved,
<span class="swatch" style="background: var(--state-bg)"></span> no value: the cell shows its trials' states.</p>
{{- end}}{{end}}
</header>
{{- range .Listings}}
<section class="spec">
<h2>{{.Heading}}</h2>
<pre class="spec">{{.Text}}</pre>
</section>
{{- end}}
{{- range .Parts}}
{{- if .Heading}}
<section class="{{.Class}}" id="{{.ID}}">
<h2>{{.Heading}}</h2>
<p class="about">{{.About}}</p>
{{- range .Sections}}
<h3>{{.Heading}}</h3>
{{template "section" .}}
{{- end}}
</section>
{{- else}}
{{- if not .Sections}}
<p>{{.Empty}}</p>
{{- end}}
{{- range .Sections}}
<section class="task" id="{{.ID}}">
<h2>{{.Heading}}</h2>
{{- if .About}}
<p class="about">{{.About}}</p>
{{- end}}
{{template "section" .}}
</section>
{{- end}}
{{- end}}
{{- end}}
{{- range .Lists}}
<section class="{{.Class}}"{{if .ID}} id="{{.ID}}"{{end}}>
<h2>{{.Heading}}</h2>
{{- if .Note}}
<p class="note">{{.Note}}</p>
{{- end}}
<ul class="{{.ItemsClass}}">
{{- range .Items}}
<li><code>{{.Code}}</code>: {{.Text}}{{if .Detail}} — <span class="msg">{{.Detail}}</span>{{end}}</li>
{{- end}}
</ul>
</section>
{{- end}}
</body>
</html>
{{define "section" -}}
<div class="tables">
{{- range .Tables}}
<div>{{template "table" .}}</div>
{{- end}}
{{- with .Summary}}
<div>
<table class="summary">
<caption>{{.Caption}}</caption>
<thead><tr><th>{{index .Head 0}}</th><th>{{index .Head 1}}</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr><th>{{.Label}}</th>{{range .Entries}}<td class="{{class .}}">{{.Text}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
</div>
{{- end}}
</div>
<div class="figures">
{{- range .Figures}}
<figure aria-label="{{.Chart.Title}}">{{svg .}}</figure>
{{- end}}
</div>
{{- range .Notes}}
<p class="note">{{.}}</p>
{{- end}}
{{- end}}
{{define "lines" -}}
<td class="grad {{class .}}"{{if .Tip}} title="{{.Tip}}"{{end}}>{{range .Lines}}<span class="line">{{range .}}{{if mark .}}<span class="{{mark .}}">{{.Text}}</span>{{else}}{{.Text}}{{end}}{{end}}</span>{{end}}</td>
{{- end}}{{define "cell" -}}
<td class="{{class .}}"{{if .Tip}} title="{{.Tip}}"{{end}}>{{range $i, $p := parts .Text}}{{if $i}} {{end}}<span class="nb">{{$p}}</span>{{end}}</td>
{{- end}}
{{define "table" -}}
{{- $stacked := .Stacked -}}
<table class="{{.Kind}}">
<caption>{{.Caption}}</caption>
<thead><tr><th>{{.RowField}} \ {{.ColField}}</th>{{range .Cols}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr><th>{{.Label}}</th>{{range .Entries}}{{if $stacked}}{{template "lines" .}}{{else}}{{template "cell" .}}{{end}}{{end}}</tr>
{{- end}}
</tbody>
{{- with .Foot}}
<tfoot><tr><th>{{.Label}}</th>{{range .Entries}}{{template "cell" .}}{{end}}</tr></tfoot>
{{- end}}
</table>
{{- range pageNotes .Notes}}
<p class="note">{{.}}</p>
{{- end}}
{{- end}}
`))
