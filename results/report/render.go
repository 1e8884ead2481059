package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Render writes the parts of a document in format f.
//
// Terminal and Markdown draw each table under its title (tables drawn by tablewriter),
// with its footnotes under it, then the section's summary lines; CSV has one block per
// table and summary, the first column being the row field, preceded by a "# title"
// comment line and followed by "# note" lines, blocks separated by a blank line (read it
// with comment character '#' and a variable number of fields); LaTeX has one table float
// per table holding a booktabs tabular (it needs \usepackage{booktabs}); JSON is one
// document (see [WriteJSON]). Each part ends with its problems.
func Render(w io.Writer, d *Document, f Format) error {
	if d == nil {
		return fmt.Errorf("render: no document")
	}
	if !slices.Contains(Formats, f) {
		_, err := ParseFormat(string(f))
		if err == nil {
			err = fmt.Errorf("unknown format %q (use ParseFormat)", f)
		}
		return err
	}
	ew := &errWriter{w: w}
	if f == JSON {
		if err := WriteJSON(ew, d); err != nil {
			return err
		}
		return ew.err
	}
	for i, p := range d.Parts {
		if i > 0 {
			fmt.Fprintln(ew)
		}
		switch f {
		case Terminal, Markdown:
			if err := writeText(ew, p, f == Markdown); err != nil {
				return err
			}
		case CSV:
			writeCSV(ew, p)
		case LaTeX:
			writeLaTeX(ew, p)
		}
	}
	return ew.err
}

// errWriter keeps the first write error and drops later writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// printNotes are the notes of a table shown in the text formats.
func printNotes(t *Table) []string {
	var out []string
	for _, n := range t.Notes {
		if n.Only != Page {
			out = append(out, n.Text)
		}
	}
	return out
}

// ---- Terminal and Markdown

func writeText(w io.Writer, p *Part, md bool) error {
	if len(p.Sections) == 0 {
		fmt.Fprintln(w, p.Empty)
	}
	for i, s := range p.Sections {
		if i > 0 {
			fmt.Fprintln(w)
		}
		for j, t := range s.Tables {
			if j > 0 {
				fmt.Fprintln(w)
			}
			if err := textTable(w, t, md); err != nil {
				return err
			}
		}
		if s.Summary != nil && len(s.Summary.Lines) > 0 {
			fmt.Fprintln(w)
			for _, line := range s.Summary.Lines {
				if md {
					fmt.Fprintln(w, "- "+mdEscape(line))
				} else {
					fmt.Fprintln(w, line)
				}
			}
		}
	}
	if len(p.Problems) > 0 {
		fmt.Fprintln(w)
		if md {
			fmt.Fprintln(w, mdEscape(p.ProblemsHeading))
			fmt.Fprintln(w)
		} else {
			fmt.Fprintln(w, p.ProblemsHeading)
		}
		for _, pr := range p.Problems {
			if md {
				fmt.Fprintln(w, "- "+mdEscape(pr.String()))
			} else {
				fmt.Fprintln(w, "  "+pr.String())
			}
		}
	}
	return nil
}

// mdText sets strong spans in bold and code spans as code.
func mdText(t Text) string {
	var b strings.Builder
	for _, s := range t {
		switch s.Style {
		case Strong:
			b.WriteString("**" + mdEscape(s.Text) + "**")
		case Code:
			b.WriteString("`" + s.Text + "`")
		default:
			b.WriteString(mdEscape(s.Text))
		}
	}
	return b.String()
}

func textTable(w io.Writer, t *Table, md bool) error {
	esc := func(s string) string { return s }
	if md {
		esc = mdEscape
		fmt.Fprintln(w, mdText(t.Title))
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, t.Title)
	}
	var rend tw.Renderer
	switch {
	case md:
		rend = renderer.NewMarkdown()
	case t.Stacked:
		rend = renderer.NewBlueprint(tw.Rendition{Settings: tw.Settings{Separators: tw.Separators{BetweenRows: tw.On}}})
	default:
		rend = renderer.NewBlueprint()
	}
	tb := tablewriter.NewTable(w,
		tablewriter.WithRenderer(rend),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithFooterAutoFormat(tw.Off),
		tablewriter.WithFooterAlignmentConfig(tw.CellAlignment{Global: tw.AlignLeft}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithFooterAutoWrap(tw.WrapNone),
	)
	header := []any{esc(t.RowField)}
	for _, c := range t.Cols {
		header = append(header, esc(c.String()))
	}
	tb.Header(header...)
	for _, r := range t.Rows {
		row := []string{esc(r.Label)}
		for _, e := range r.Entries {
			if t.Stacked && !md {
				lines := make([]string, len(e.Lines))
				for i, l := range e.Lines {
					lines[i] = l.String()
				}
				row = append(row, strings.Join(lines, "\n"))
			} else {
				row = append(row, esc(e.Text()))
			}
		}
		tb.Append(row)
	}
	if f := t.Foot; f != nil {
		row := []any{esc(f.Label)}
		for _, e := range f.Entries {
			row = append(row, esc(e.Text()))
		}
		if md {
			tb.Append(row...) // Markdown has no footer line; the foot is a last row
		} else {
			tb.Footer(row...)
		}
	}
	if err := tb.Render(); err != nil {
		return fmt.Errorf("render table %s: %w", t.ID, err)
	}
	for _, n := range printNotes(t) {
		if md {
			fmt.Fprintln(w)
			fmt.Fprintln(w, mdEscape(n))
		} else {
			fmt.Fprintln(w, wrap(n, noteWidth, "  "))
		}
	}
	return nil
}

// noteWidth is the width at which footnotes wrap in the terminal.
const noteWidth = 80

// wrap breaks s into lines of at most width runes at spaces, indenting the continuation
// lines; a word longer than width stays whole.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		wl := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case n+1+wl > width:
			b.WriteString("\n" + indent)
			n = utf8.RuneCountInString(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += wl
	}
	return b.String()
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `|`, `\|`, `<`, `\<`)

// mdEscape escapes the characters that Markdown would read as markup.
func mdEscape(s string) string { return mdEscaper.Replace(s) }

// ---- CSV

func writeCSV(w io.Writer, p *Part) {
	if len(p.Sections) == 0 {
		fmt.Fprintln(w, "# "+p.Empty)
	}
	first := true
	block := func(title string, header []string, rows [][]string, notes []string) {
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		fmt.Fprintln(w, "# "+title)
		cw := csv.NewWriter(w)
		cw.Write(header)
		cw.WriteAll(rows) // flushes
		for _, n := range notes {
			fmt.Fprintln(w, "# "+n)
		}
	}
	for _, s := range p.Sections {
		for _, t := range s.Tables {
			header := []string{t.RowField}
			for _, c := range t.Cols {
				header = append(header, c.String())
			}
			var rows [][]string
			for _, r := range append(append([]Row(nil), t.Rows...), footRows(t)...) {
				row := []string{r.Label}
				for _, e := range r.Entries {
					row = append(row, e.Text())
				}
				rows = append(rows, row)
			}
			block(t.Title.String(), header, rows, printNotes(t))
		}
		if s.Summary != nil && len(s.Summary.Lines) > 0 {
			block(s.Summary.Title, s.Summary.Fields, s.Summary.Records, nil)
		}
	}
	if len(p.Problems) > 0 {
		fmt.Fprintln(w)
		for _, pr := range p.Problems {
			fmt.Fprintln(w, "# problem: "+pr.String())
		}
	}
}

func footRows(t *Table) []Row {
	if t.Foot == nil {
		return nil
	}
	return []Row{*t.Foot}
}

// ---- LaTeX

var texEscaper = strings.NewReplacer(
	`\`, `\textbackslash{}`, `&`, `\&`, `%`, `\%`, `$`, `\$`, `#`, `\#`,
	`σ_max`, `$\sigma_{\max}$`, `_`, `\_`,
	`{`, `\{`, `}`, `\}`, `~`, `\textasciitilde{}`, `^`, `\textasciicircum{}`,
	`±`, `$\pm$`, `–`, `--`, `—`, `---`, `·`, `$\cdot$`, `≥`, `$\geq$`, `…`, `\dots{}`, `≤`, `$\leq$`, `×`, `$\times$`,
	`σ`, `$\sigma$`, `γ`, `$\gamma$`, `→`, `$\to$`, `↓`, `$\downarrow$`, `↑`, `$\uparrow$`, `‖`, `$\|$`, `∂`, `$\partial$`,
)

// texEscape escapes LaTeX's special characters and spells the non-ASCII symbols of the
// tables as commands, so that the output compiles with any input encoding.
func texEscape(s string) string { return texEscaper.Replace(s) }

func texEntry(e Entry) string {
	switch {
	case e.Num == "":
		return `\emph{` + texEscape(e.Words) + `}`
	case e.Words == "":
		return texEscape(e.Num)
	}
	return texEscape(e.Num) + ` \emph{(` + texEscape(e.Words) + `)}`
}

// texLines stacks the lines of an entry in a nested tabular.
func texLines(e Entry) string {
	lines := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		lines[i] = texEscape(l.String())
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return `\begin{tabular}[t]{@{}l@{}}` + strings.Join(lines, `\\`) + `\end{tabular}`
}

func texText(t Text) string {
	var b strings.Builder
	for _, s := range t {
		if s.Style == Math {
			b.WriteString("$" + s.Text + "$")
		} else {
			b.WriteString(texEscape(s.Text))
		}
	}
	return b.String()
}

func texLabel(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	return "tab:" + b.String()
}

func writeLaTeX(w io.Writer, p *Part) {
	fmt.Fprintln(w, `% `+p.Preamble+`; needs \usepackage{booktabs}`)
	if len(p.Sections) == 0 {
		fmt.Fprintln(w, "% "+p.Empty)
	}
	for _, s := range p.Sections {
		for i, t := range s.Tables {
			var extra []string
			if i == len(s.Tables)-1 && s.Summary != nil {
				extra = s.Summary.Lines
			}
			fmt.Fprintln(w)
			texTable(w, t, extra)
		}
	}
	if len(p.Problems) > 0 {
		fmt.Fprintln(w)
		for _, pr := range p.Problems {
			fmt.Fprintln(w, "% problem: "+strings.ReplaceAll(pr.String(), "\n", " "))
		}
	}
}

func texTable(w io.Writer, t *Table, extra []string) {
	fmt.Fprintln(w, `\begin{table}[ht]`)
	fmt.Fprintln(w, `\centering`)
	fmt.Fprintf(w, "\\caption{%s}\n", texEscape(t.Title.String()))
	fmt.Fprintf(w, "\\label{%s}\n", texLabel(t.ID))
	fmt.Fprintf(w, "\\begin{tabular}{l%s}\n", strings.Repeat("l", len(t.Cols)))
	fmt.Fprintln(w, `\toprule`)
	head := []string{texEscape(t.RowField)}
	for _, c := range t.Cols {
		head = append(head, texText(c))
	}
	fmt.Fprintln(w, strings.Join(head, " & ")+` \\`)
	fmt.Fprintln(w, `\midrule`)
	row := func(r Row) {
		cells := []string{texEscape(r.Label)}
		for _, e := range r.Entries {
			if t.Stacked {
				cells = append(cells, texLines(e))
			} else {
				cells = append(cells, texEntry(e))
			}
		}
		fmt.Fprintln(w, strings.Join(cells, " & ")+` \\`)
	}
	for _, r := range t.Rows {
		row(r)
	}
	if t.Foot != nil {
		fmt.Fprintln(w, `\midrule`)
		row(*t.Foot)
	}
	fmt.Fprintln(w, `\bottomrule`)
	fmt.Fprintln(w, `\end{tabular}`)
	lines := append(printNotes(t), extra...)
	if len(lines) > 0 {
		fmt.Fprintln(w, `\par\smallskip\footnotesize`)
		for i, l := range lines {
			end := `\\`
			if i == len(lines)-1 {
				end = ""
			}
			fmt.Fprintln(w, texEscape(l)+end)
		}
	}
	fmt.Fprintln(w, `\end{table}`)
}
