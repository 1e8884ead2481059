package trialdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/expctl/expctl/experiments"
)

// Config is a trial's configuration as read from config.json or trials.json, with the
// fields the file sets: a file written by an older version, or by hand, may lack some,
// and those read as absent rather than as zero.
type Config struct {
	experiments.Config
	// Keys are the JSON names of the fields the file sets, in file order. Nil means the
	// fields the config itself encodes (every field, except an omitempty one left empty).
	Keys []string `json:"-"`
}

// WriteConfig writes dir/config.json, atomically.
func WriteConfig(dir string, c experiments.Config) error {
	return WriteJSON(filepath.Join(dir, ConfigFile), c)
}

// EnsureConfig writes dir/config.json, atomically, unless it already holds what
// [WriteConfig] would write: a trial that another process runs keeps its file untouched.
func EnsureConfig(dir string, c experiments.Config) error {
	path := filepath.Join(dir, ConfigFile)
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	b = append(b, '\n')
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return WriteFileAtomic(path, b)
}

// ReadConfig reads dir/config.json. It returns an error wrapping fs.ErrNotExist when there
// is none, and a *[CorruptError] when it cannot be decoded.
func ReadConfig(dir string) (Config, error) {
	path := filepath.Join(dir, ConfigFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	c, err := DecodeConfig(b)
	if err != nil {
		return Config{}, &CorruptError{Path: path, Err: err}
	}
	return c, nil
}

// CorruptError is returned for a file that exists but cannot be decoded.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the decoding error.
func (e *CorruptError) Unwrap() error { return e.Err }

// HasConfig reports whether dir holds a config.json, i.e. is a trial directory.
func HasConfig(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ConfigFile))
	return err == nil
}

// DecodeConfig decodes the first JSON value of b, an object, as a config. Keys that are
// not config fields are ignored.
func DecodeConfig(b []byte) (Config, error) {
	var raw json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&raw); err != nil {
		return Config{}, err
	}
	var c Config
	if err := json.Unmarshal(raw, &c.Config); err != nil {
		return Config{}, err
	}
	keys, err := objectKeys(raw)
	if err != nil {
		return Config{}, err
	}
	c.Keys = []string{}
	for _, k := range keys {
		if _, ok := configFields[k]; ok && !slices.Contains(c.Keys, k) {
			c.Keys = append(c.Keys, k)
		}
	}
	return c, nil
}

// objectKeys returns the member names of the JSON object raw, in order.
func objectKeys(raw []byte) ([]string, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil {
		return nil, err
	} else if tok == nil {
		return nil, nil // null: no fields
	} else if tok != json.Delim('{') {
		return nil, errors.New("config is not a JSON object")
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("config: member name %v is not a string", tok)
		}
		keys = append(keys, key)
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// configField is a field of experiments.Config, by its JSON name.
type configField struct {
	index     int
	omitEmpty bool
}

// configFields maps the JSON names of experiments.Config's fields to the fields.
var configFields = func() map[string]configField {
	m := map[string]configField{}
	t := reflect.TypeFor[experiments.Config]()
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "-" || !t.Field(i).IsExported() {
			continue
		}
		if name == "" {
			name = t.Field(i).Name
		}
		m[name] = configField{index: i, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")}
	}
	return m
}()

// Fields returns the JSON names of the fields the config sets.
func (c Config) Fields() []string {
	if c.Keys != nil {
		return c.Keys
	}
	var out []string
	v := reflect.ValueOf(c.Config)
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" {
			name = t.Field(i).Name
		}
		if f, ok := configFields[name]; ok && !(f.omitEmpty && v.Field(f.index).IsZero()) {
			out = append(out, name)
		}
	}
	return out
}

// Has reports whether the config sets the field with JSON name name.
func (c Config) Has(name string) bool { return slices.Contains(c.Fields(), name) }

// Field returns the value of the field with JSON name name as text, as it appears in
// config.json (a string without its quotes): "" when the config does not set the field,
// or sets it to null.
func (c Config) Field(name string) string {
	f, ok := configFields[name]
	if !ok || !c.Has(name) {
		return ""
	}
	v := reflect.ValueOf(c.Config).Field(f.index)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.String {
		return v.String()
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	return string(b)
}
