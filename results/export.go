package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

// ColumnType is the type of the values of a [Column] of a [DataTable].
type ColumnType int

// Column types, with the Go type of their values in [DataTable.Rows] and what they are in
// Parquet. Every column is nullable; a null (nil) is an empty CSV field.
const (
	IntColumn    ColumnType = iota // int64; Parquet INT64
	FloatColumn                    // float64, never NaN (a NaN is a null); Parquet DOUBLE
	StringColumn                   // string, never empty (an empty string is a null); Parquet UTF-8 BYTE_ARRAY
	BoolColumn                     // bool; Parquet BOOLEAN
)

func (t ColumnType) String() string {
	switch t {
	case IntColumn:
		return "int"
	case FloatColumn:
		return "float"
	case StringColumn:
		return "string"
	case BoolColumn:
		return "bool"
	}
	return "ColumnType(" + strconv.Itoa(int(t)) + ")"
}

// Column is a named, typed column of a [DataTable].
type Column struct {
	Name string
	Type ColumnType
}

// DataTable is tidy data: one observation a row, one typed variable a column, for
// programs (pandas, R, polars) rather than readers. Each value is nil (null) or of its
// column type's Go type.
type DataTable struct {
	Name    string // e.g. "trials" or "curves": the base name of its files
	Columns []Column
	Rows    [][]any
}

// Filter returns the trials that meet the conditions of where (see [ParseWhere]), in
// collection order; an unknown field or a bad condition is an error.
func (c *Collection) Filter(where map[string]string) ([]*Trial, error) {
	for f, cond := range where {
		if !c.KnownField(f) {
			return nil, fmt.Errorf("unknown field %q in --where (fields: %s)", f, strings.Join(c.fields(), ", "))
		}
		if _, err := parseConditions(cond); err != nil {
			return nil, fmt.Errorf("invalid --where %s: %w", WhereText(f, cond), err)
		}
	}
	q := Query{Where: where}
	var out []*Trial
	for _, t := range c.Trials {
		if q.keeps(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// resultColumn is a field of result.json as a column of the trials table.
type resultColumn struct {
	Column
	index []int // field index path in trialdir.Result (fields of embedded structs too)
}

// PruneColumns end the trials table: the rule that pruned a trial, the step it was
// stopped at and the rule's reason (result.json's pruned record); null unless the trial
// was pruned.
var PruneColumns = []Column{{"prune_rule", StringColumn}, {"prune_step", IntColumn}, {"prune_reason", StringColumn}}

// pruneValues are the values of [PruneColumns] for a result.
func pruneValues(r *Result) []any {
	if r == nil || r.Pruned == nil {
		return []any{nil, nil, nil}
	}
	return []any{stringValue(r.Pruned.Rule), int64(r.Pruned.Step), stringValue(r.Pruned.Reason)}
}

// resultColumns are the fields of result.json but its id (the trial_id column) and its
// pruned record (see [PruneColumns]), by their
// JSON names, the fields of embedded structs (such as the provenance) among them; a name that is also a config field is prefixed with "result_" (the config's
// params is a parameter budget, the result's the parameters the network has).
func resultColumns() []resultColumn {
	var out []resultColumn
	rt := reflect.TypeFor[Result]()
	for _, f := range reflect.VisibleFields(rt) {
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue // its fields follow, promoted
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() || name == "id" || name == "pruned" {
			continue // pruned is flattened into PruneColumns, at the end
		}
		if name == "" {
			name = f.Name
		}
		if _, clash := experiments.LookupField(name); clash {
			name = "result_" + name
		}
		typ := f.Type
		if typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		ct := StringColumn // anything else is written as JSON text
		switch typ.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint16, reflect.Uint32:
			ct = IntColumn
		case reflect.Float32, reflect.Float64:
			ct = FloatColumn
		case reflect.Bool:
			ct = BoolColumn
		}
		out = append(out, resultColumn{Column{name, ct}, f.Index})
	}
	return out
}

// resultValue is the value of a result field for its column.
func resultValue(r *Result, rc resultColumn) any {
	if r == nil {
		return nil
	}
	v := reflect.ValueOf(*r).FieldByIndex(rc.index)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch rc.Type {
	case IntColumn:
		if v.CanInt() {
			return v.Int()
		}
		return int64(v.Uint())
	case FloatColumn:
		return floatValue(v.Float())
	case BoolColumn:
		return v.Bool()
	}
	if v.Kind() == reflect.String {
		return stringValue(v.String())
	}
	if v.IsZero() {
		return nil
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil
	}
	return string(b)
}

func floatValue(f float64) any {
	if math.IsNaN(f) {
		return nil
	}
	return f
}

func stringValue(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// kindColumn is the column type of a config field's kind.
func kindColumn(k experiments.Kind) ColumnType {
	switch k {
	case experiments.KindInt, experiments.KindUint:
		return IntColumn
	case experiments.KindFloat:
		return FloatColumn
	case experiments.KindBool:
		return BoolColumn
	}
	return StringColumn
}

// configValue is the value of a config field for its column: nil when the trial's config
// does not set it.
func configValue(t *Trial, f *experiments.Field) any {
	if !t.Config.Has(f.Key) {
		return nil
	}
	switch v := f.Value(t.Config.Config).(type) {
	case string:
		return stringValue(v)
	case int:
		return int64(v)
	case uint64:
		if v > math.MaxInt64 {
			return nil
		}
		return int64(v)
	case float64:
		return floatValue(v)
	case bool:
		return v
	}
	return nil
}

// TrialsTable is one row per trial: trial_id, sweep (its name), shard (the directory it
// was read from), state (a result status, running, paused, incomplete, corrupt or missing), attempts (the
// processes that worked on it, from attempts.jsonl), then every config field (see
// experiments.Fields) and every result field but id (null until the trial finishes), and
// last the [PruneColumns] prune_rule, prune_step and prune_reason (null unless the trial
// was pruned). A trial whose attempts cannot be read has a null attempt count and a
// problem.
func TrialsTable(trials []*Trial) (*DataTable, []Problem) {
	tb := &DataTable{Name: "trials", Columns: []Column{
		{"trial_id", StringColumn}, {"sweep", StringColumn}, {"shard", StringColumn},
		{"state", StringColumn}, {"attempts", IntColumn},
	}}
	fields := experiments.Fields()
	for _, f := range fields {
		tb.Columns = append(tb.Columns, Column{f.Key, kindColumn(f.Kind)})
	}
	rcs := resultColumns()
	for _, rc := range rcs {
		tb.Columns = append(tb.Columns, rc.Column)
	}
	tb.Columns = append(tb.Columns, PruneColumns...)
	var problems []Problem
	for _, t := range trials {
		var attempts any = int64(0)
		if t.Dir != "" {
			as, err := trialdir.ReadAttempts(t.Dir)
			if err != nil {
				problems = append(problems, Problem{t.Dir, err.Error()})
				attempts = nil
			} else {
				attempts = int64(len(as))
			}
		}
		row := []any{t.ID, stringValue(t.SweepName), stringValue(t.Sweep), t.State, attempts}
		for _, f := range fields {
			row = append(row, configValue(t, f))
		}
		for _, rc := range rcs {
			row = append(row, resultValue(t.Result, rc))
		}
		row = append(row, pruneValues(t.Result)...)
		tb.Rows = append(tb.Rows, row)
	}
	return tb, problems
}

// CurveColumns are the columns of curve.csv in the curves table, after trial_id and sweep.
var CurveColumns = []Column{{"step", IntColumn}, {"train_loss", FloatColumn}, {"test_loss", FloatColumn},
	{"test_metric", FloatColumn}, {"grad_norm", FloatColumn}, {"clip_rate", FloatColumn}, {"seconds", FloatColumn}}

// GradFlowColumns are the columns of gradflow.csv in the gradflow table, after trial_id and sweep.
var GradFlowColumns = []Column{{"step", IntColumn}, {"t", IntColumn}, {"lag", IntColumn}, {"norm", FloatColumn}}

// SpectraColumns are the columns of spectra.csv in the spectra table, after trial_id and sweep.
var SpectraColumns = []Column{{"step", IntColumn}, {"param", StringColumn}, {"gate", StringColumn},
	{"act", StringColumn}, {"sigma_max", FloatColumn}, {"threshold", FloatColumn}}

// CurvesTable stacks the learning curves of the trials: trial_id, sweep, then the columns of
// curve.csv ([CurveColumns]), one row per row of each trial's curve, in trial order.
func CurvesTable(trials []*Trial) *DataTable {
	tb := &DataTable{Name: "curves", Columns: withTrialID(CurveColumns)}
	for _, t := range trials {
		for _, p := range t.Curve {
			tb.Rows = append(tb.Rows, []any{t.ID, stringValue(t.SweepName), int64(p.Step), floatValue(p.TrainLoss), floatValue(p.TestLoss),
				floatValue(p.TestMetric), floatValue(p.GradNorm), floatValue(p.ClipRate), floatValue(p.Seconds)})
		}
	}
	return tb
}

// GradFlowTable stacks the trials' gradflow.csv: trial_id, sweep, then [GradFlowColumns]. A file
// that cannot be read is a problem; trials without one have no rows.
func GradFlowTable(trials []*Trial) (*DataTable, []Problem) {
	tb := &DataTable{Name: "gradflow", Columns: withTrialID(GradFlowColumns)}
	problems := stack(trials, trialdir.GradFlow, func(t *Trial, r FlowPoint) {
		tb.Rows = append(tb.Rows, []any{t.ID, stringValue(t.SweepName), int64(r.Step), int64(r.T), int64(r.Lag), floatValue(r.Norm)})
	})
	return tb, problems
}

// SpectraTable stacks the trials' spectra.csv: trial_id, sweep, then [SpectraColumns]. A file
// that cannot be read is a problem; trials without one have no rows.
func SpectraTable(trials []*Trial) (*DataTable, []Problem) {
	tb := &DataTable{Name: "spectra", Columns: withTrialID(SpectraColumns)}
	problems := stack(trials, trialdir.Spectra, func(t *Trial, r Spectrum) {
		tb.Rows = append(tb.Rows, []any{t.ID, stringValue(t.SweepName), int64(r.Step), stringValue(r.Param), stringValue(r.Gate),
			stringValue(r.Act), floatValue(r.SigmaMax), floatValue(r.Threshold)})
	})
	return tb, problems
}

// withTrialID prefixes the columns of a record with those that identify its trial:
// trial_id and sweep (trial ids are unique within a sweep).
func withTrialID(cols []Column) []Column {
	return append([]Column{{"trial_id", StringColumn}, {"sweep", StringColumn}}, cols...)
}

// stack reads the record file of each trial that has a directory and calls add for each
// of its rows.
func stack[R any](trials []*Trial, f *trialdir.RecordFile[R], add func(*Trial, R)) []Problem {
	var problems []Problem
	for _, t := range trials {
		if t.Dir == "" {
			continue
		}
		rows, err := f.Read(t.Dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			problems = append(problems, Problem{t.Dir, err.Error()})
			continue
		}
		for _, r := range rows {
			add(t, r)
		}
	}
	return problems
}

// WriteCSV writes the table as CSV with a header row: a null is the empty field, a float
// the shortest text that reads back as the same float64 (inf and -inf for infinities), a
// bool true or false.
func (tb *DataTable) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	names := make([]string, len(tb.Columns))
	for i, c := range tb.Columns {
		names[i] = c.Name
	}
	cw.Write(names)
	rec := make([]string, len(tb.Columns))
	for _, row := range tb.Rows {
		for i, v := range row {
			rec[i] = csvField(v)
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write %s csv: %w", tb.Name, err)
	}
	return nil
}

func csvField(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		switch {
		case math.IsInf(v, 1):
			return "inf"
		case math.IsInf(v, -1):
			return "-inf"
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// WriteParquet writes the table as a Parquet file (Snappy-compressed): one optional
// column per column, INT64, DOUBLE, UTF-8 BYTE_ARRAY or BOOLEAN by its type, in order.
func (tb *DataTable) WriteParquet(w io.Writer) error {
	fields := make([]reflect.StructField, len(tb.Columns))
	for i, c := range tb.Columns {
		var typ reflect.Type
		switch c.Type {
		case IntColumn:
			typ = reflect.TypeFor[*int64]()
		case FloatColumn:
			typ = reflect.TypeFor[*float64]()
		case BoolColumn:
			typ = reflect.TypeFor[*bool]()
		default:
			typ = reflect.TypeFor[*string]()
		}
		if strings.ContainsAny(c.Name, ",\"`") {
			return fmt.Errorf("write %s parquet: column name %q", tb.Name, c.Name)
		}
		fields[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: typ,
			Tag: reflect.StructTag(`parquet:"` + c.Name + `,optional"`)}
	}
	st := reflect.StructOf(fields)
	var werr error
	func() {
		defer func() { // the library panics on a schema it cannot handle
			if r := recover(); r != nil {
				werr = fmt.Errorf("write %s parquet: %v", tb.Name, r)
			}
		}()
		schema := parquet.SchemaOf(reflect.New(st).Interface())
		pw := parquet.NewWriter(w, schema, parquet.Compression(&parquet.Snappy))
		for n, row := range tb.Rows {
			v := reflect.New(st)
			for i, x := range row {
				if x == nil {
					continue
				}
				p := reflect.New(fields[i].Type.Elem())
				xv := reflect.ValueOf(x)
				if !xv.Type().AssignableTo(p.Elem().Type()) {
					werr = fmt.Errorf("write %s parquet: row %d column %s: %T is not %s", tb.Name, n+1, tb.Columns[i].Name, x, tb.Columns[i].Type)
					return
				}
				p.Elem().Set(xv)
				v.Elem().Field(i).Set(p)
			}
			if err := pw.Write(v.Interface()); err != nil {
				werr = fmt.Errorf("write %s parquet: %w", tb.Name, err)
				return
			}
		}
		if err := pw.Close(); err != nil {
			werr = fmt.Errorf("write %s parquet: %w", tb.Name, err)
		}
	}()
	return werr
}

// Encode renders the table in format "csv" or "parquet".
func (tb *DataTable) Encode(format string) ([]byte, error) {
	var b bytes.Buffer
	var err error
	switch format {
	case "csv":
		err = tb.WriteCSV(&b)
	case "parquet":
		err = tb.WriteParquet(&b)
	default:
		err = fmt.Errorf("unknown export format %q (known: csv, parquet)", format)
	}
	return b.Bytes(), err
}
