package report

import (
	"fmt"
	"strings"
)

// Document is a report: its parts in order, and what a page around them shows.
type Document struct {
	Title    string    // the page's title and heading
	Facts    []Fact    // how the report was made, listed under the page's heading
	Listings []Listing // verbatim texts shown on the page (the sweeps' specifications)
	Parts    []*Part
	Lists    []*List // lists at the end of the page (unfinished trials, problems)
}

// Fact is one name–value line of a page's header.
type Fact struct{ Name, Value string }

// Listing is a verbatim text under a heading.
type Listing struct{ Heading, Text string }

// List is a page section listing items under a heading and a note.
type List struct {
	Class, ID  string // the section's class and element id ("" for none)
	Heading    string
	Note       string // a paragraph under the heading; "" for none
	ItemsClass string // the class of the list
	Items      []Item
}

// Item is one entry of a [List]: "<code>: <text> — <detail>".
type Item struct{ Code, Text, Detail string }

// Part is a run of sections with its own preamble and problems; the text formats show
// parts one after the other, separated by a blank line.
type Part struct {
	// Key is the member of the JSON document that holds this part; "" puts the part's
	// members at the top level.
	Key string
	// Preamble names the part in the LaTeX output's first comment line.
	Preamble string
	// Heading, when not empty, makes the part a section of the page, with Class, ID, Link
	// (the text of the link to it in the page's header) and About (its introduction); its
	// sections are then subsections.
	Heading, Class, ID, Link, About string
	// Empty is shown in place of the sections when there are none.
	Empty string
	// Meta are the JSON members that come before "tables".
	Meta     []Member
	Sections []*Section
	// Problems end the part in the text formats and JSON, introduced there by
	// ProblemsHeading; a page lists what it needs to in its Lists instead.
	ProblemsHeading string
	Problems        []Problem
}

// Member is one member of a JSON object; Value is encoded with encoding/json.
type Member struct {
	Key   string
	Value any
}

// Problem is something that could not be used, with where it was found.
type Problem struct{ Path, Msg string }

// String is "path: msg".
func (p Problem) String() string { return p.Path + ": " + p.Msg }

// Section is what a report shows for one subject (a task): its tables, an optional
// summary, its figures and notes about the figures.
type Section struct {
	Name        string // the subject, e.g. the task (the page's links to the section)
	ID, Heading string // on the page: the section's element id and heading
	About       string // on the page: a paragraph under the heading
	Tables      []*Table
	Summary     *Summary // nil for none
	Figures     []*Figure
	Notes       []string // on the page, under the figures
	// Data is the section in the JSON document: one element of its "tables".
	Data any
}

// Table is a grid with a title, a header, rows and footnotes.
type Table struct {
	// ID names the table among the document's (LaTeX \label); words joined by "-".
	ID string
	// Kind is the table's class on the page ("metric", "steps", "gradients").
	Kind string
	// Title is the line above the table in the text formats; Caption the table's caption
	// on the page, where the section's heading already names the subject.
	Title   Text
	Caption string
	// RowField and ColField name what the rows and the columns are; RowField heads the
	// row labels.
	RowField, ColField string
	Cols               []Text // the column headings
	Rows               []Row
	Foot               *Row // a last row set apart (e.g. a baseline); nil for none
	// Stacked tables have entries of several lines: rules between the rows in the
	// terminal, lines joined by "; " in Markdown and CSV, stacked in LaTeX and on the page.
	Stacked bool
	Notes   []Note
}

// Row is a label and one entry per column.
type Row struct {
	Label   string
	Entries []Entry
}

// Note is a footnote; Only restricts it to the text formats or to the page.
type Note struct {
	Text string
	Only Medium
}

// Medium is where a note is shown.
type Medium int

// The media of a note.
const (
	Everywhere Medium = iota
	Print             // terminal, Markdown, CSV and LaTeX
	Page              // HTML
)

// Entry is one cell of a table: a number part and a words part (either may be empty), or
// for a stacked table its lines.
type Entry struct {
	Num   string // e.g. "0.0123 ± 0.004"
	Words string // e.g. "1/2, 1 failed", "2 diverged", "—"
	Lines []Line
	Kind  Kind
	Tone  Tone
	Tip   string // on the page, the entry's tooltip
}

// Kind tells what an entry shows.
type Kind int

// The kinds of entries.
const (
	Value   Kind = iota // a value
	NoValue             // no value: words in its place (states, "—")
	Absent              // nothing there ("·": no such trial)
)

// Tone is how an entry is highlighted on the page.
type Tone int

// The tones of entries.
const (
	Plain      Tone = iota
	AllSolved       // every trial of the entry solved the task
	SomeSolved      // some did
	Reference       // a reference value such as a baseline
)

// Text is the entry on one line: "num (words)", "num" or "words"; the lines of a stacked
// entry joined by "; ".
func (e Entry) Text() string {
	if len(e.Lines) > 0 {
		lines := make([]string, len(e.Lines))
		for i, l := range e.Lines {
			lines[i] = l.String()
		}
		return strings.Join(lines, "; ")
	}
	switch {
	case e.Num == "":
		return e.Words
	case e.Words == "":
		return e.Num
	}
	return e.Num + " (" + e.Words + ")"
}

// Line is one line of a stacked entry.
type Line []Span

// String is the line's text.
func (l Line) String() string { return Text(l).String() }

// Text is a run of styled spans.
type Text []Span

// PlainText returns s as a text of one normal span.
func PlainText(s string) Text { return Text{{Text: s}} }

// String is the text without its styles.
func (t Text) String() string {
	var b strings.Builder
	for _, s := range t {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Span is a piece of text with a style.
type Span struct {
	Text  string
	Style Style
}

// Style is how a span is set.
type Style int

// The styles of spans.
const (
	Normal Style = iota
	Strong       // the subject of a title (Markdown bold)
	Code         // a name from the data (Markdown code)
	Math         // a formula such as T=5 (LaTeX math)
	Low          // a value below its threshold (on the page, class "below")
	High         // a value above its threshold (on the page, class "above")
)

// Summary is a section's conclusion: prose lines in the terminal, Markdown and LaTeX
// (under the section's last table), records in CSV, a two-column table on the page.
type Summary struct {
	Title   string     // the CSV block's title
	Lines   []string   // one sentence per item
	Fields  []string   // the CSV header
	Records [][]string // the CSV rows
	Caption string     // the page table's caption
	Head    [2]string  // the page table's header
	Rows    []Row      // the page table's rows, one entry each
}

// Figure is a chart of a section.
type Figure struct {
	Name  string // file name without extension
	Chart *Chart
}

// Format is an output format of [Render].
type Format string

// The output formats.
const (
	Terminal Format = "terminal" // boxed text tables
	Markdown Format = "markdown" // GitHub pipe tables
	CSV      Format = "csv"      // one CSV block per table, blank line between, first column = row field
	LaTeX    Format = "latex"    // booktabs tabular environments, special characters escaped
	JSON     Format = "json"     // one JSON document
)

// Formats lists the formats.
var Formats = []Format{Terminal, Markdown, CSV, LaTeX, JSON}

// ParseFormat returns the format named s (case-insensitive), or an error listing the known
// ones.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	names := make([]string, len(Formats))
	for i, f := range Formats {
		if string(f) == name {
			return f, nil
		}
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q (known: %s)", s, strings.Join(names, ", "))
}
