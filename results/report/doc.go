// Package report holds the document a report is built as, and its renderers.
//
// A [Document] is sections of tables (headers, rows of entries, footnotes), summaries and
// figures ([Chart]s: series, axes, a baseline), grouped in parts, with the data each
// section contributes to the JSON document. Producers elsewhere (the metric,
// steps-to-solve and gradient tables and the figures of package results) decide every
// title, label, ordering and number shown; the renderers here only lay the document out:
// [Render] in the terminal, Markdown, CSV, LaTeX and JSON formats, [WriteHTML] as one
// self-contained page, and [Chart.Plot] with [SVG] and [PNG] for its figures. A renderer
// never looks at trials or aggregates, so a new kind of table or figure needs a producer
// and no change here.
//
// The package must not import any other package of expctl (in particular not results or
// runner): it knows documents, not experiments.
package report
